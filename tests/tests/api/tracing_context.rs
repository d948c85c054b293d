//! One REST request is one trace: the gateway's span and the account
//! service's span share the trace id carried in `traceparent`.

use std::sync::OnceLock;

use opentelemetry::trace::{TraceId, TracerProvider as _};
use opentelemetry_sdk::{
    propagation::TraceContextPropagator,
    trace::{InMemorySpanExporter, SdkTracerProvider},
};
use tracing_subscriber::layer::SubscriberExt;

use crate::helpers::spawn_app;

fn exporter() -> &'static InMemorySpanExporter {
    static EXPORTER: OnceLock<InMemorySpanExporter> = OnceLock::new();
    EXPORTER.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
        let subscriber =
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("e2e")));
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber of this test binary");
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        exporter
    })
}

#[tokio::test]
async fn one_rest_request_is_one_trace_across_gateway_and_service() {
    let exporter = exporter();
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let account = app.create_account(&bob, "Traced Corp").await;
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let res = app
        .http
        .get(app.url(&format!("/api/v1/accounts/{}", account["id"].as_str().unwrap())))
        .bearer_auth(&bob)
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    app.stop().await;

    let spans = exporter.get_finished_spans().unwrap();
    let ours: Vec<_> =
        spans.iter().filter(|s| s.span_context.trace_id() == TraceId::from_hex(trace_id).unwrap()).collect();
    let names: Vec<&str> = ours.iter().map(|s| s.name.as_ref()).collect();
    assert!(names.contains(&"GET"), "gateway span missing: {names:?}");
    assert!(names.contains(&"/prm.account.v1.AccountService/GetAccount"), "service span missing: {names:?}");
}
