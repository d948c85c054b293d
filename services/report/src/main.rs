//! The report service as its own process; configured by `PRM_*` variables.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    prm_kit::server::main::<prm_report::ReportService>().await
}
