//! Compiles the contracts under `prm/` with a vendored protoc, and writes the
//! file descriptor set that services register for server reflection.
use std::{env, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(env::var("OUT_DIR")?);
    let protos = [
        "prm/common/v1/common.proto",
        "prm/record/v1/record.proto",
        "prm/record/v1/search.proto",
        "prm/record/v1/aggregate.proto",
        "prm/record/v1/view.proto",
        "prm/account/v1/account.proto",
        "prm/quote/v1/quote.proto",
        "prm/order/v1/order.proto",
        "prm/outbox/v1/outbox.proto",
        "prm/project/v1/project.proto",
        "prm/task/v1/task.proto",
        "prm/lead/v1/lead.proto",
        "prm/case/v1/case.proto",
        "prm/report/v1/report.proto",
    ];
    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    tonic_prost_build::configure().file_descriptor_set_path(out.join("prm_descriptor.bin")).compile_with_config(
        config,
        &protos,
        &["."],
    )?;
    for p in protos {
        println!("cargo:rerun-if-changed={p}");
    }
    Ok(())
}
