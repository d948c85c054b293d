//! Traces across processes: every process exports OTLP/gRPC to a small
//! receiver in this test, and the spans of one REST request arrive from the
//! gateway and from every service it reached, under one trace id.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use opentelemetry_proto::tonic::{
    collector::trace::v1::{
        ExportTraceServiceRequest, ExportTraceServiceResponse,
        trace_service_server::{TraceService, TraceServiceServer},
    },
    common::v1::any_value::Value as AnyValue,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{eventually, id, start_system};

/// One received span: its process's `service.name`, its trace id and its name.
struct Received {
    service: String,
    trace_id: Vec<u8>,
    name: String,
}

/// An OTLP trace receiver that keeps every span.
#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Received>>>,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.spans.lock().unwrap();
        for rs in request.into_inner().resource_spans {
            let service = rs
                .resource
                .iter()
                .flat_map(|r| &r.attributes)
                .find(|kv| kv.key == "service.name")
                .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                    AnyValue::StringValue(s) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            for span in rs.scope_spans.into_iter().flat_map(|s| s.spans) {
                spans.push(Received { service: service.clone(), trace_id: span.trace_id, name: span.name });
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

impl Receiver {
    /// The services that sent spans of `trace_id`, with their span names.
    fn services_of(&self, trace_id: &[u8]) -> BTreeMap<String, BTreeSet<String>> {
        let mut by_service: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for span in self.spans.lock().unwrap().iter().filter(|s| s.trace_id == trace_id) {
            by_service.entry(span.service.clone()).or_default().insert(span.name.clone());
        }
        by_service
    }
}

/// A lead converted with a project: the gateway calls the lead service,
/// which creates the account and contact in the account service and the
/// project in the project service. One `traceparent` on the request; the
/// spans of all four processes arrive under its trace id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_of_one_request_arrive_from_every_process_it_touched_under_one_trace() {
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(receiver.clone()))
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );
    let sys = start_system(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        // Export batches every 200 ms instead of every 5 s.
        ("OTEL_BSP_SCHEDULE_DELAY", "200"),
    ])
    .await;

    let bob = sys.login("bob@acme.example").await;
    let r = sys
        .post(
            "/api/v1/leads",
            &bob,
            json!({"company": "Wayne Enterprises", "last_name": "Fox", "email": "lucius@wayne.example",
                   "estimated_users": 250}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let lead = id(&r.body["lead"]);
    for status in ["working", "qualified"] {
        let r = sys
            .call(Method::PATCH, &format!("/api/v1/leads/{lead}"), Some(&bob), Some(json!({"status": status})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    let trace_id: [u8; 16] = uuid::Uuid::new_v4().into_bytes();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let traceparent = format!("00-{}-{}-01", hex(&trace_id), hex(&uuid::Uuid::new_v4().as_bytes()[..8]));
    let r = sys
        .call_with(
            Method::POST,
            &format!("/api/v1/leads/{lead}:convert"),
            Some(&bob),
            Some(json!({"create_project": true})),
            &[("traceparent", &traceparent)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["converted_project_id"].is_string(), "{}", r.body);

    let expected = ["prm-gateway", "prm-lead", "prm-account", "prm-project"];
    let arrived = eventually(Duration::from_secs(20), || async {
        let got = receiver.services_of(&trace_id);
        expected.iter().all(|s| got.contains_key(*s)).then_some(got)
    })
    .await;
    let got = receiver.services_of(&trace_id);
    assert!(arrived.is_some(), "spans of trace {} came from {:?}, expected {expected:?}", hex(&trace_id), got);
    // The gateway's span of the request, and the services' spans of the RPCs it led to.
    assert!(got["prm-gateway"].contains("POST"), "{got:?}");
    assert!(got["prm-lead"].iter().any(|n| n.contains("prm.lead.v1.LeadService/ConvertLead")), "{got:?}");
    assert!(got["prm-account"].iter().any(|n| n.starts_with("/prm.account.v1.AccountService/")), "{got:?}");
    assert!(got["prm-project"].iter().any(|n| n.starts_with("/prm.project.v1.ProjectService/")), "{got:?}");
    sys.stop().await;
    server.abort();
}
