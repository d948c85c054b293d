//! The lead service as its own process; configured by `PRM_*` variables
//! (`PRM_ACCOUNT_URL` and `PRM_PROJECT_URL` for conversions).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    prm_kit::server::main::<prm_lead::LeadService>().await
}
