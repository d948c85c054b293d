//! The home page over REST: the statistics of each role's scope equal what
//! the test put in, computed by the owning services' databases; news posted
//! by vendor admins; a service that is down leaves its figures empty and is
//! named, the rest is answered.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

fn day(offset: i64) -> NaiveDate {
    Utc::now().date_naive() + Duration::days(offset)
}

fn first_of_next_month() -> NaiveDate {
    let t = day(0);
    if t.month() == 12 {
        NaiveDate::from_ymd_opt(t.year() + 1, 1, 1).unwrap()
    } else {
        NaiveDate::from_ymd_opt(t.year(), t.month() + 1, 1).unwrap()
    }
}

async fn created(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let r = app.post(path, token, body).await;
    assert!(r.status == StatusCode::CREATED || r.status == StatusCode::OK, "{path}: {}", r.body);
    r.body
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")).parse().unwrap()
}

/// What the test puts in: the figures bob's home must show. Answers the
/// expected (currency, MRR, weighted pipeline) of the open projects.
async fn seed(app: &TestApp, bob: &str) -> (String, Decimal, Decimal) {
    let sam = app.login("sam@vendor.example").await;
    // Leads: two open, one unqualified.
    for (company, to) in
        [("Open One", vec![]), ("Open Two", vec!["working"]), ("Dead End", vec!["working", "unqualified"])]
    {
        let lead = created(app, "/api/v1/leads", bob, json!({"company": company, "last_name": "Lee"})).await;
        let id = lead["lead"]["id"].as_str().unwrap().to_string();
        for s in to {
            let r = app.patch(&format!("/api/v1/leads/{id}"), bob, json!({"status": s})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    }
    // Projects: one closing this month, one next month, one lost this month.
    let account = app.create_account(bob, "Homestead Inc").await["id"].as_str().unwrap().to_string();
    let mut open = vec![];
    for (name, close, users, lost) in [
        ("This month", day(0), 10, false),
        ("Next month", first_of_next_month() + Duration::days(4), 3, false),
        ("Lost", day(0), 7, true),
    ] {
        let p = created(
            app,
            "/api/v1/projects",
            bob,
            json!({"name": name, "account_id": account, "record_type": "new_business",
                   "close_date": close.to_string(), "total_users": users, "interested_solutions": ["licenses", "hwaas"]}),
        )
        .await;
        let id = p["id"].as_str().unwrap();
        if lost {
            let r = app
                .post(
                    &format!("/api/v1/projects/{id}:move"),
                    bob,
                    json!({"stage": "closed_lost", "lost_reason": "price"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        } else {
            open.push(p);
        }
    }
    let currency = open[0]["currency_code"].as_str().unwrap().to_string();
    let mrr = open.iter().map(|p| dec(&p["cost_info"]["mrr"])).sum();
    let weighted = open.iter().map(|p| dec(&p["cost_info"]["weighted_pipeline"])).sum();
    // Cases: three opened, one solved.
    let mut cases = vec![];
    for subject in ["No dial tone", "Echo", "Fixed already"] {
        cases.push(
            created(app, "/api/v1/cases", bob, json!({"subject": subject, "description": "D", "product": "classound"}))
                .await,
        );
    }
    let solved = cases[2]["id"].as_str().unwrap();
    for s in ["in_progress", "solved"] {
        let r = app.post(&format!("/api/v1/cases/{solved}:transition"), &sam, json!({"status": s})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Bob's tasks: one due today, one overdue, one done late, one later, one without a date.
    for (subject, due, done) in [
        ("today", Some(day(0)), false),
        ("overdue", Some(day(-1)), false),
        ("done late", Some(day(-1)), true),
        ("later", Some(day(1)), false),
        ("someday", None, false),
    ] {
        let mut body = json!({"subject": subject, "type": "call", "related": {"type": "account", "id": account}});
        if let Some(d) = due {
            body["due_date"] = json!(d.to_string());
        }
        let t = created(app, "/api/v1/tasks", bob, body).await;
        if done {
            let r = app
                .patch(&format!("/api/v1/tasks/{}", t["id"].as_str().unwrap()), bob, json!({"status": "completed"}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    }
    (currency, mrr, weighted)
}

async fn stats(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/home", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["missing"], json!([]), "{}", r.body);
    r.body["statistics"].clone()
}

#[tokio::test]
async fn home_statistics_equal_what_was_put_in_for_each_role() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    // The demo's base data has leads (the vendor's pool, some distributed):
    // lead figures are counted from what each person saw before.
    let mut leads_before = std::collections::HashMap::new();
    for who in [
        "bob@acme.example",
        "alice@acme.example",
        "carol@borealis.example",
        "maria@vendor.example",
        "sam@vendor.example",
        "victor@vendor.example",
    ] {
        let t = app.login(who).await;
        leads_before.insert(who, stats(&app, &t).await["open_leads"].as_i64().unwrap());
    }
    let leads = |who: &str, added: i64| json!(leads_before[who] + added);
    let (currency, mrr, weighted) = seed(&app, &bob).await;

    let s = stats(&app, &bob).await;
    assert_eq!(s["open_leads"], leads("bob@acme.example", 2), "{s}");
    assert_eq!(s["open_projects"], 2, "{s}");
    assert_eq!(s["open_projects_by_stage"], json!([{"stage": "intro_qualification", "count": 2}]), "{s}");
    assert_eq!(s["pipeline"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!(s["pipeline"][0]["currency_code"], currency.as_str());
    assert_eq!(dec(&s["pipeline"][0]["mrr"]), mrr, "{s}");
    assert_eq!(dec(&s["pipeline"][0]["weighted_pipeline"]), weighted, "{s}");
    assert!(mrr > Decimal::ZERO && weighted > Decimal::ZERO);
    assert_eq!(s["projects_closing_this_month"], 1, "{s}");
    assert_eq!(s["open_cases"], 2, "{s}");
    assert_eq!((s["tasks_due_today"].clone(), s["tasks_overdue"].clone()), (json!(1), json!(1)), "{s}");

    // A colleague sees the company's records, and only their own tasks.
    let alice = app.login("alice@acme.example").await;
    let a = stats(&app, &alice).await;
    assert_eq!(
        (a["open_leads"].clone(), a["open_projects"].clone(), a["open_cases"].clone()),
        (leads("alice@acme.example", 2), json!(2), json!(2))
    );
    assert_eq!((a["tasks_due_today"].clone(), a["tasks_overdue"].clone()), (json!(0), json!(0)));

    // Another partner sees nothing of it.
    let carol = app.login("carol@borealis.example").await;
    let c = stats(&app, &carol).await;
    assert_eq!(
        [&c["open_leads"], &c["open_projects"], &c["projects_closing_this_month"], &c["open_cases"]],
        [&leads("carol@borealis.example", 0), &json!(0), &json!(0), &json!(0)],
        "{c}"
    );
    assert_eq!((c["open_projects_by_stage"].clone(), c["pipeline"].clone()), (json!([]), json!([])));

    // Acme's account manager sees Acme; support sees every case and no records.
    let maria = app.login("maria@vendor.example").await;
    let m = stats(&app, &maria).await;
    assert_eq!(
        (m["open_leads"].clone(), m["open_projects"].clone(), m["open_cases"].clone()),
        (leads("maria@vendor.example", 2), json!(2), json!(2))
    );
    assert_eq!(dec(&m["pipeline"][0]["mrr"]), mrr);
    let sam = app.login("sam@vendor.example").await;
    let su = stats(&app, &sam).await;
    assert_eq!(
        (su["open_leads"].clone(), su["open_projects"].clone(), su["open_cases"].clone()),
        (json!(0), json!(0), json!(2))
    );
    let victor = app.login("victor@vendor.example").await;
    let v = stats(&app, &victor).await;
    assert_eq!(
        (v["open_leads"].clone(), v["open_projects"].clone(), v["open_cases"].clone()),
        (leads("victor@vendor.example", 2), json!(2), json!(2))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_stopped_service_leaves_its_figures_empty_and_is_named() {
    let mut app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let before = stats(&app, &bob).await["open_leads"].as_i64().unwrap();
    created(&app, "/api/v1/leads", &bob, json!({"company": "Still Here", "last_name": "Lee"})).await;
    app.stop_service("task").await;
    let r = app.get("/api/v1/home", &bob).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["missing"], json!([{"service": "task", "reason": "unavailable"}]), "{}", r.body);
    let s = &r.body["statistics"];
    assert_eq!((s["tasks_due_today"].clone(), s["tasks_overdue"].clone()), (Value::Null, Value::Null));
    assert_eq!(s["open_leads"], before + 1, "{s}");
    assert_eq!(s["open_projects"], 0, "{s}");
    app.stop().await;
}

#[tokio::test]
async fn vendor_admins_post_edit_and_retire_news_everyone_reads_it_newest_first() {
    let app = spawn_app().await;
    let victor = app.login("victor@vendor.example").await;
    let bob = app.login("bob@acme.example").await;

    let first = created(
        &app,
        "/api/v1/news",
        &victor,
        json!({"title": "HWaaS price list 2027", "body": "New prices from January."}),
    )
    .await;
    let second =
        created(&app, "/api/v1/news", &victor, json!({"title": "CLASSOUND maintenance", "body": "Sunday 02:00 UTC."}))
            .await;
    let r = app.get("/api/v1/home", &bob).await;
    let titles: Vec<&str> = r.body["news"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["CLASSOUND maintenance", "HWaaS price list 2027"], "{}", r.body);

    // Partners and other vendor staff read but do not write.
    for who in ["bob@acme.example", "alice@acme.example", "maria@vendor.example"] {
        let t = app.login(who).await;
        let r = app.post("/api/v1/news", &t, json!({"title": "Mine", "body": "x"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
        let r = app.patch(&format!("/api/v1/news/{}", first["id"].as_str().unwrap()), &t, json!({"title": "x"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    // Bad input names the field and changes nothing.
    let path = format!("/api/v1/news/{}", first["id"].as_str().unwrap());
    for (body, field) in [
        (json!({"title": "", "body": "x"}), "title"),
        (json!({"title": "x".repeat(201), "body": "x"}), "title"),
        (json!({"title": "x", "body": " "}), "body"),
        (json!({"title": "x", "body": "x", "pinned": true}), "pinned"),
    ] {
        let r = app.post("/api/v1/news", &victor, body.clone()).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{body}: {}", r.body);
    }
    let r = app.patch(&path, &victor, json!({"title": " "})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "title"));
    assert_eq!(app.get(&path, &bob).await.body["title"], "HWaaS price list 2027");

    let r = app.patch(&path, &victor, json!({"title": "HWaaS prices 2027"})).await;
    assert_eq!((r.status, r.body["title"].as_str()), (StatusCode::OK, Some("HWaaS prices 2027")), "{}", r.body);

    // Retired news leaves the home page; vendor admins still find it.
    let r = app.post(&format!("/api/v1/news/{}:retire", second["id"].as_str().unwrap()), &victor, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["retire_time"].is_string());
    let r = app.get("/api/v1/home", &bob).await;
    assert_eq!(r.body["news"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&format!("/api/v1/news/{}", second["id"].as_str().unwrap()), &bob).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/news?include_retired=true", &bob).await.status, StatusCode::FORBIDDEN);
    let all = app.get("/api/v1/news?include_retired=true", &victor).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2, "{}", all.body);

    // The list pages newest first.
    let p1 = app.get("/api/v1/news?include_retired=true&page_size=1", &victor).await;
    assert_eq!(p1.body["items"][0]["title"], "CLASSOUND maintenance");
    let token = p1.body["next_page_token"].as_str().unwrap();
    let p2 = app.get(&format!("/api/v1/news?include_retired=true&page_size=1&page_token={token}"), &victor).await;
    assert_eq!(p2.body["items"][0]["title"], "HWaaS prices 2027", "{}", p2.body);
    app.stop().await;
}

/// `prm up --demo`: the gateway's first request already finds the demo
/// people and their pipeline (it once answered before they existed, and an
/// early sign-in got 401).
#[tokio::test]
async fn the_demo_exists_before_the_first_request() {
    let app = crate::helpers::spawn_demo_app().await;
    let bob = app.login("bob@acme.example").await;
    let board = app.get("/api/v1/projects/board", &bob).await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    let cards: usize =
        board.body["columns"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap() as usize).sum();
    assert!(cards > 0, "the demo pipeline is seeded before serving: {}", board.body);
    app.stop().await;
}
