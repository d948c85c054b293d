//! Reports over REST: the pipeline report's figures equal the projects
//! created over REST, exactly, in the caller's scope; the CSV and the SVG
//! chart parsed back; people's and partners' names as labels; saved
//! reports with their sharing; bad definitions are a 400 naming the field.

use std::str::FromStr;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn new_project(app: &TestApp, token: &str, account_id: &str, name: &str, users: i64) -> Value {
    let r = app
        .post(
            "/api/v1/projects",
            token,
            json!({
                "name": name,
                "account_id": account_id,
                "record_type": "new_business",
                "close_date": prm_kit::testing::days_from_today(90),
                "total_users": users,
                "users_of_poc": 2,
                "interested_solutions": ["licenses", "hwaas"],
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or("0")).unwrap()
}

/// Money as reports show it: exact, at least two places.
fn shown(d: Decimal) -> String {
    let mut d = d.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

fn sum(ps: &[&Value], field: &str) -> String {
    shown(ps.iter().map(|p| dec(&p["cost_info"][field])).sum())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_pipeline_report_over_rest_equals_the_projects_and_exports_as_csv_and_svg() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let account = app.create_account(&bob, "Reportable GmbH").await["id"].as_str().unwrap().to_string();
    let carol_account = app.create_account(&carol, "Nordic Report AB").await["id"].as_str().unwrap().to_string();
    let a = new_project(&app, &bob, &account, "Intro A", 7).await;
    let b = new_project(&app, &bob, &account, "Intro B", 13).await;
    let d = new_project(&app, &bob, &account, "Demo D", 3).await;
    let r =
        app.post(&format!("/api/v1/projects/{}:move", d["id"].as_str().unwrap()), &bob, json!({"stage": "demo"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = r.body;
    let theirs = new_project(&app, &carol, &carol_account, "Borealis deal", 100).await;
    let currency = a["currency_code"].as_str().unwrap().to_string();

    // The built-ins Bob may run; not the Bonus Pipeline report.
    let list = app.get("/api/v1/reports", &bob).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let ids: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"pipeline-by-stage") && !ids.contains(&"bonus-pipeline-by-partner"), "{ids:?}");

    let r = app.get("/api/v1/reports/pipeline-by-stage/result", &bob).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let columns: Vec<&str> = r.body["columns"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(columns, ["stage", "currency_code", "count", "sum_mrr", "sum_weighted_pipeline"]);
    let rows = r.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{}", r.body);
    assert_eq!(strings(&rows[0]["keys"]), ["intro_qualification", currency.as_str()]);
    assert_eq!(
        strings(&rows[0]["values"]),
        ["2".to_string(), sum(&[&a, &b], "mrr"), sum(&[&a, &b], "weighted_pipeline")]
    );
    assert_eq!(strings(&rows[1]["keys"]), ["demo", currency.as_str()]);
    assert_eq!(strings(&rows[1]["values"]), ["1".to_string(), sum(&[&d], "mrr"), sum(&[&d], "weighted_pipeline")]);
    assert_eq!(
        strings(&r.body["totals"]["values"]),
        ["3".to_string(), sum(&[&a, &b, &d], "mrr"), sum(&[&a, &b, &d], "weighted_pipeline")]
    );
    assert_eq!(r.body["chart"]["type"], "funnel");
    let table = r.body.clone();

    // Carol's partner: her project only.
    let r = app.get("/api/v1/reports/pipeline-by-stage/result", &carol).await;
    let rows = r.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(strings(&rows[0]["values"])[1], sum(&[&theirs], "mrr"));

    // CSV: a download, the same table parsed back.
    let res =
        app.http.get(app.url("/api/v1/reports/pipeline-by-stage/export.csv")).bearer_auth(&bob).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"pipeline-by-stage.csv\"");
    let body = res.bytes().await.unwrap();
    let mut csv = csv::Reader::from_reader(body.as_ref());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let labels: Vec<String> =
        table["columns"].as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap().to_string()).collect();
    assert_eq!(header, labels);
    let parsed: Vec<Vec<String>> = csv.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    let expected: Vec<Vec<String>> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .chain(std::iter::once(&table["totals"]))
        .map(|r| strings(&r["labels"]).into_iter().chain(strings(&r["values"])).collect())
        .collect();
    assert_eq!(parsed, expected);

    // SVG: well-formed, one funnel stage per row, with its figure.
    let res =
        app.http.get(app.url("/api/v1/reports/pipeline-by-stage/chart.svg")).bearer_auth(&bob).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let svg = res.text().await.unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let stages: Vec<_> = doc.descendants().filter(|n| n.attribute("class") == Some("stage")).collect();
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0].attribute("data-value"), Some(sum(&[&a, &b], "mrr").as_str()));

    // Support agents do not see projects; the report is not theirs.
    let sam = app.login("sam@vendor.example").await;
    assert_eq!(app.get("/api/v1/reports/pipeline-by-stage/result", &sam).await.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn saved_reports_over_rest_name_people_and_partners_and_stay_in_their_partner() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let alice = app.login("alice@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let maria = app.login("maria@vendor.example").await;
    let account = app.create_account(&bob, "Owner Test").await["id"].as_str().unwrap().to_string();
    new_project(&app, &bob, &account, "One", 5).await;
    new_project(&app, &bob, &account, "Two", 6).await;

    // Bad definitions name the field.
    for (body, field) in [
        (json!({"name": "x", "source": "widgets", "measures": [{"function": "count"}]}), "source"),
        (
            json!({"name": "x", "source": "projects", "measures": [{"function": "sum", "field": "nope"}]}),
            "measures[0].field",
        ),
        (
            json!({"name": "x", "source": "projects", "measures": [{"function": "median", "field": "mrr"}]}),
            "measures[0].function",
        ),
        (json!({"name": "", "source": "projects", "measures": [{"function": "count"}]}), "name"),
        (
            json!({"name": "x", "source": "projects", "filter": "colour = red", "measures": [{"function": "count"}]}),
            "filter",
        ),
        (
            json!({"name": "x", "source": "projects", "group_by": [{"field": "stage", "bucket": "fortnight"}], "measures": [{"function": "count"}]}),
            "group_by[0].bucket",
        ),
        (
            json!({"name": "x", "source": "projects", "chart_type": "funnel", "group_by": [{"field": "owner_id"}], "measures": [{"function": "count"}]}),
            "chart_type",
        ),
        (json!({"id": "mine", "name": "x", "source": "projects", "measures": [{"function": "count"}]}), "id"),
    ] {
        let r = app.post("/api/v1/reports", &bob, body.clone()).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{body}: {}", r.body);
    }

    // A preview grouped by owner: Bob's name, not his id.
    let by_owner = json!({
        "name": "Projects by owner",
        "source": "projects",
        "group_by": [{"field": "owner_id"}],
        "measures": [{"function": "count"}],
        "chart_type": "pie",
    });
    let r = app.post("/api/v1/reports:run", &bob, by_owner.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["rows"][0]["labels"][0], "Bob Seller");
    assert_eq!(r.body["rows"][0]["values"][0], "2");
    assert_eq!(r.body["chart"]["categories"][0], "Bob Seller");

    // Saved, it is Bob's alone until shared.
    let r = app.post("/api/v1/reports", &bob, by_owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.headers["location"], format!("/api/v1/reports/{id}"));
    assert_eq!(app.get(&format!("/api/v1/reports/{id}"), &alice).await.status, StatusCode::NOT_FOUND);
    let r = app.patch(&format!("/api/v1/reports/{id}"), &bob, json!({"shared": true})).await;
    assert_eq!((r.status, &r.body["shared"]), (StatusCode::OK, &json!(true)), "{}", r.body);
    let r = app.get(&format!("/api/v1/reports/{id}/result"), &alice).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["rows"][0]["labels"][0], "Bob Seller");
    let svg =
        app.http.get(app.url(&format!("/api/v1/reports/{id}/chart.svg"))).bearer_auth(&alice).send().await.unwrap();
    let svg = svg.text().await.unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(
        doc.descendants()
            .any(|n| n.attribute("class") == Some("slice") && n.attribute("data-category") == Some("Bob Seller"))
    );
    // Another partner never sees it; the built-ins are read-only.
    for path in [
        format!("/api/v1/reports/{id}"),
        format!("/api/v1/reports/{id}/result"),
        format!("/api/v1/reports/{id}/export.csv"),
    ] {
        assert_eq!(app.get(&path, &carol).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.delete(&format!("/api/v1/reports/{id}"), &carol).await.status, StatusCode::NOT_FOUND);
    // A built-in is refused as a built-in list view is: 409, whoever asks.
    let r = app.patch("/api/v1/reports/pipeline-by-stage", &alice, json!({"name": "Mine"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(app.delete("/api/v1/reports/pipeline-by-stage", &alice).await.status, StatusCode::CONFLICT);

    // The account manager's Bonus Pipeline report names the partner.
    let r = app.get("/api/v1/reports/bonus-pipeline-by-partner/result", &maria).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["rows"][0]["labels"][0], "Acme Telecom");
    assert_eq!(app.get("/api/v1/reports/bonus-pipeline-by-partner/result", &bob).await.status, StatusCode::NOT_FOUND);

    // The owner deletes it.
    assert_eq!(app.delete(&format!("/api/v1/reports/{id}"), &bob).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/v1/reports/{id}"), &bob).await.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

/// The fields a report builder offers, by name.
fn fields_by_name(body: &Value) -> std::collections::BTreeMap<String, Value> {
    body["fields"].as_array().unwrap().iter().map(|f| (f["name"].as_str().unwrap().to_string(), f.clone())).collect()
}

const SOURCES: [&str; 6] = ["leads", "projects", "quotes", "orders", "cases", "tasks"];

#[tokio::test]
async fn the_fields_of_a_source_are_its_owning_services_and_each_runs_as_described() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;

    let r = app.get("/api/v1/reports/fields?source=projects", &bob).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["source"], "projects");
    let fields = fields_by_name(&r.body);
    let stage = &fields["stage"];
    assert_eq!(
        (&stage["label"], &stage["kind"], &stage["groupable"], &stage["measurable"], &stage["money"]),
        (&json!("Stage"), &json!("text"), &json!(true), &json!(false), &json!(false)),
        "{stage}"
    );
    assert_eq!(stage["buckets"], json!([]));
    let stages = strings(&stage["values"]);
    assert!(stages.starts_with(&["intro_qualification".to_string()]), "{stages:?}");
    assert!(stages.contains(&"closed_won".to_string()) && stages.contains(&"closed_lost".to_string()), "{stages:?}");
    let close = &fields["close_date"];
    assert_eq!(
        (&close["kind"], &close["label"], &close["measurable"]),
        (&json!("date"), &json!("Close date"), &json!(false))
    );
    assert_eq!(close["buckets"], json!(["day", "week", "month", "quarter", "year", "age"]));
    let amount = &fields["amount_mrr"];
    assert_eq!(
        (&amount["kind"], &amount["label"], &amount["measurable"], &amount["money"]),
        (&json!("money"), &json!("Amount MRR"), &json!(true), &json!(true)),
        "{amount}"
    );
    assert_eq!((&fields["owner_id"]["kind"], &fields["owner_id"]["label"]), (&json!("uuid"), &json!("Owner")));
    assert_eq!(
        (&fields["users_of_poc"]["measurable"], &fields["users_of_poc"]["money"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(fields["create_time"]["kind"], "timestamp");
    assert_eq!(fields["won"]["kind"], "flag");

    // Every source answers; what each field is said to allow, a preview
    // runs, and a sum of what is not measurable is refused naming it.
    for source in SOURCES {
        let r = app.get(&format!("/api/v1/reports/fields?source={source}"), &bob).await;
        assert_eq!(r.status, StatusCode::OK, "{source}: {}", r.body);
        let fields = r.body["fields"].as_array().unwrap();
        assert!(!fields.is_empty(), "{source}");
        for f in fields {
            let name = f["name"].as_str().unwrap();
            assert!(!f["label"].as_str().unwrap().is_empty(), "{source}.{name}");
            let mut groupings = vec![json!({"field": name})];
            groupings.extend(f["buckets"].as_array().unwrap().iter().map(|b| json!({"field": name, "bucket": b})));
            for g in groupings {
                let body = json!({"name": "x", "source": source, "group_by": [g], "measures": [{"function": "count"}]});
                let r = app.post("/api/v1/reports:run", &bob, body).await;
                assert_eq!(r.status, StatusCode::OK, "{source}: grouped by {g}: {}", r.body);
            }
            let body = json!({"name": "x", "source": source, "measures": [{"function": "sum", "field": name}]});
            let r = app.post("/api/v1/reports:run", &bob, body).await;
            if f["measurable"] == true {
                assert_eq!(r.status, StatusCode::OK, "{source}: sum of {name}: {}", r.body);
                let money = r.body["columns"].as_array().unwrap().iter().any(|c| c["money"] == true);
                assert_eq!(json!(money), f["money"], "{source}: sum of {name} is money as described: {}", r.body);
            } else {
                assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "measures[0].field"), "{source}.{name}");
            }
        }
    }

    for path in ["/api/v1/reports/fields?source=nope", "/api/v1/reports/fields", "/api/v1/reports/fields?source="] {
        let r = app.get(path, &bob).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "source"), "{path}: {}", r.body);
    }
    let r = app.call(reqwest::Method::GET, "/api/v1/reports/fields?source=projects", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Every signed-in role may build reports.
    for who in ["sam@vendor.example", "maria@vendor.example", "carol@borealis.example"] {
        let token = app.login(who).await;
        assert_eq!(app.get("/api/v1/reports/fields?source=cases", &token).await.status, StatusCode::OK, "{who}");
    }
    app.stop().await;
}

/// The bars of a chart as (category, value).
fn bars(svg: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("bar"))
        .map(|n| (n.attribute("data-category").unwrap().to_string(), n.attribute("data-value").unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn a_preview_chart_is_drawn_from_the_callers_own_data() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let account = app.create_account(&bob, "Charted GmbH").await["id"].as_str().unwrap().to_string();
    let carol_account = app.create_account(&carol, "Charted AB").await["id"].as_str().unwrap().to_string();
    new_project(&app, &bob, &account, "Intro A", 7).await;
    new_project(&app, &bob, &account, "Intro B", 13).await;
    let d = new_project(&app, &bob, &account, "Demo D", 3).await;
    let r =
        app.post(&format!("/api/v1/projects/{}:move", d["id"].as_str().unwrap()), &bob, json!({"stage": "demo"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    new_project(&app, &carol, &carol_account, "Borealis deal", 100).await;

    let by_stage = json!({
        "name": "Projects by stage",
        "source": "projects",
        "group_by": [{"field": "stage"}],
        "measures": [{"function": "count"}],
        "chart_type": "bar",
    });
    let chart =
        |token: &str| app.http.post(app.url("/api/v1/reports:renderChart")).bearer_auth(token).json(&by_stage).send();
    let res = chart(&bob).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let svg = res.text().await.unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("Intro / Qualification") && svg.contains("Demo"), "{svg}");
    let counted = |bars: &[(String, String)]| bars.iter().map(|(_, v)| v.parse::<i64>().unwrap()).sum::<i64>();
    let bob_bars = bars(&svg);
    assert_eq!(
        bob_bars,
        [("Intro / Qualification".to_string(), "2".to_string()), ("Demo".to_string(), "1".to_string())]
    );
    // The same figures as the preview's table.
    let table = app.post("/api/v1/reports:run", &bob, by_stage.clone()).await;
    let rows = table.body["rows"].as_array().unwrap();
    assert_eq!(
        counted(&bob_bars),
        rows.iter().map(|r| r["values"][0].as_str().unwrap().parse::<i64>().unwrap()).sum::<i64>()
    );

    // Carol's partner: her project alone, none of Bob's figures.
    let svg = chart(&carol).await.unwrap().text().await.unwrap();
    let carol_bars = bars(&svg);
    assert_eq!(carol_bars, [("Intro / Qualification".to_string(), "1".to_string())], "{svg}");
    assert_eq!(counted(&carol_bars), 1);
    assert!(!svg.contains("Demo"), "{svg}");

    // People are named, as in a saved report's chart.
    let by_owner = json!({"name": "By owner", "source": "projects", "group_by": [{"field": "owner_id"}],
                          "measures": [{"function": "count"}], "chart_type": "pie"});
    let res = app.http.post(app.url("/api/v1/reports:renderChart")).bearer_auth(&bob).json(&by_owner).send().await;
    let svg = res.unwrap().text().await.unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(
        doc.descendants()
            .any(|n| n.attribute("class") == Some("slice") && n.attribute("data-category") == Some("Bob Seller")),
        "{svg}"
    );

    // A bad definition is refused as reports:run refuses it, naming the field.
    for (body, field) in [
        (
            json!({"name": "x", "source": "projects", "chart_type": "pie", "group_by": [{"field": "stage"}, {"field": "owner_id"}], "measures": [{"function": "count"}]}),
            "chart_type",
        ),
        (
            json!({"name": "x", "source": "projects", "group_by": [{"field": "colour"}], "measures": [{"function": "count"}]}),
            "group_by[0].field",
        ),
        (
            json!({"name": "x", "source": "projects", "measures": [{"function": "sum", "field": "nope"}]}),
            "measures[0].field",
        ),
        (json!({"name": "x", "source": "widgets", "measures": [{"function": "count"}]}), "source"),
        (json!({"id": "mine", "name": "x", "source": "projects", "measures": [{"function": "count"}]}), "id"),
    ] {
        for path in ["/api/v1/reports:renderChart", "/api/v1/reports:run"] {
            let r = app.post(path, &bob, body.clone()).await;
            assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{path} {body}: {}", r.body);
        }
    }
    let r = app.call(reqwest::Method::POST, "/api/v1/reports:renderChart", None, Some(by_stage.clone())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
