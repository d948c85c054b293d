//! The `prm` command line.

use std::process::Command;

use prm_kit::{Role, auth::InternalKey};

/// A key as long as the binaries ask for (32 bytes or more).
const KEY: &str = "cli-test-key-0123456789abcdef-0123456789";

#[test]
fn prm_token_refuses_a_short_key_from_the_environment() {
    let dir = prm_kit::testing::TempDir::new("prm-cli").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_prm"))
        .args(["token", "--role", "ops", "--data-dir"])
        .arg(&dir.0)
        .env("PRM_INTERNAL_KEY", "cli-test-key")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PRM_INTERNAL_KEY has 12 bytes"));
}

#[test]
fn prm_token_mints_an_ops_token_for_the_data_directory_key() {
    let dir = prm_kit::testing::TempDir::new("prm-cli").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_prm"))
        .args(["token", "--role", "ops", "--data-dir"])
        .arg(&dir.0)
        .env_remove("PRM_INTERNAL_KEY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap();
    // The key was generated into the data directory, where `prm up` finds it.
    let key = std::fs::read_to_string(dir.0.join("internal.key")).unwrap();
    let caller = InternalKey::new(key.trim().as_bytes()).verify(token.trim()).unwrap();
    assert_eq!(caller.role, Role::Ops);
    assert_eq!(caller.partner_id, None);
}

#[test]
fn prm_token_refuses_a_partner_role_without_a_partner() {
    let dir = prm_kit::testing::TempDir::new("prm-cli").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_prm"))
        .args(["token", "--role", "partner_user", "--data-dir"])
        .arg(&dir.0)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--partner-id"));
}

#[test]
fn prm_token_carries_an_account_managers_partners() {
    let dir = prm_kit::testing::TempDir::new("prm-cli").unwrap();
    let partner = uuid::Uuid::now_v7();
    let out = Command::new(env!("CARGO_BIN_EXE_prm"))
        .args(["token", "--role", "account_manager", "--assigned-partner", &partner.to_string(), "--data-dir"])
        .arg(&dir.0)
        .env("PRM_INTERNAL_KEY", KEY)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let caller = InternalKey::new(KEY.as_bytes()).verify(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
    assert_eq!(caller.role, Role::AccountManager);
    assert_eq!(caller.assigned_partners, vec![partner]);
}
