//! PostgreSQL row-level security, the second wall: the services serve as a
//! role that owns nothing, every tenant table is guarded, and a query that
//! skips the service's own scoping still reaches only the caller's rows.

use prm_gateway::launcher;
use prm_kit::{db, row_security::unguarded_tables, scope::Scope};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use uuid::Uuid;

use crate::helpers::spawn_app;

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql)).await.expect(sql);
    rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
}

#[tokio::test]
async fn every_tenant_table_is_guarded_and_the_serving_role_owns_nothing() {
    let app = spawn_app().await;
    if !app.service_db("account").is_postgres() {
        eprintln!("row-level security is PostgreSQL's: skipped on SQLite");
        return app.stop().await;
    }
    for service in launcher::SERVICES {
        let conn = db::connect(&app.service_db(service).url).await.unwrap();
        assert_eq!(unguarded_tables(&conn).await.unwrap(), Vec::<String>::new(), "{service}: tables without RLS");
        let role = strings(
            &conn,
            "SELECT rolsuper::text || ',' || rolbypassrls::text FROM pg_roles WHERE rolname = current_user",
        )
        .await;
        assert_eq!(role, ["false,false"], "{service} serves as a superuser or bypasses RLS");
        let owned = strings(&conn, "SELECT tablename::text FROM pg_tables WHERE tableowner = current_user").await;
        assert!(owned.is_empty(), "{service}'s serving role owns {owned:?}");
        // Nor can it turn the wall off.
        let off = conn.execute_unprepared("ALTER TABLE search_documents DISABLE ROW LEVEL SECURITY").await;
        assert!(off.is_err(), "{service}: the serving role disabled row-level security");
        conn.close().await.unwrap();
    }
    app.stop().await;
}

#[tokio::test]
async fn a_query_without_the_partner_condition_reads_and_writes_only_the_callers_rows() {
    let app = spawn_app().await;
    if !app.service_db("account").is_postgres() {
        return app.stop().await;
    }
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let acme_account = app.create_account(&bob, "Acme's customer").await;
    let borealis_account = app.create_account(&carol, "Borealis's customer").await;
    let acme_project = app.create_project(&bob, acme_account["id"].as_str().unwrap()).await;
    let borealis_project = app.create_project(&carol, borealis_account["id"].as_str().unwrap()).await;
    let acme: Uuid = acme_account["partner_id"].as_str().unwrap().parse().unwrap();
    let borealis: Uuid = borealis_account["partner_id"].as_str().unwrap().parse().unwrap();
    assert_ne!(acme, borealis);

    let accounts = db::connect(&app.service_db("account").url).await.unwrap();
    let projects = db::connect(&app.service_db("project").url).await.unwrap();
    let all_partners = "SELECT DISTINCT partner_id::text FROM accounts";

    // No scope at all (a task nobody scoped): not one tenant row.
    assert!(strings(&accounts, all_partners).await.is_empty());
    assert!(strings(&accounts, "SELECT partner_id::text FROM search_documents").await.is_empty());
    // As Acme: Acme's rows only, in every table, though the query names no partner.
    let as_acme = Scope::Partners(vec![acme]);
    let seen = db::with_scope(as_acme.clone(), strings(&accounts, all_partners)).await;
    assert_eq!(seen, [acme.to_string()]);
    let docs =
        db::with_scope(as_acme.clone(), strings(&accounts, "SELECT DISTINCT partner_id::text FROM search_documents"))
            .await;
    assert_eq!(docs, [acme.to_string()]);
    let seen = db::with_scope(as_acme.clone(), strings(&projects, "SELECT id::text FROM projects")).await;
    assert!(seen.contains(&acme_project) && !seen.contains(&borealis_project), "{seen:?}");
    let history = db::with_scope(
        as_acme.clone(),
        strings(&projects, "SELECT DISTINCT partner_id::text FROM record_field_changes"),
    )
    .await;
    assert!(!history.contains(&borealis.to_string()));

    // Writes: another partner's row is not there to change, and a row for
    // another partner cannot be written.
    let b_id = borealis_account["id"].as_str().unwrap();
    let changed = db::with_scope(
        as_acme.clone(),
        accounts.execute_unprepared(&format!("UPDATE accounts SET name = 'taken' WHERE id = '{b_id}'")),
    )
    .await
    .unwrap();
    assert_eq!(changed.rows_affected(), 0);
    let moved = db::with_scope(
        as_acme.clone(),
        accounts.execute_unprepared(&format!(
            "UPDATE accounts SET partner_id = '{borealis}' WHERE id = '{}'",
            acme_account["id"].as_str().unwrap()
        )),
    )
    .await;
    assert!(moved.is_err(), "a row was handed to another partner");
    let planted = db::with_scope(
        as_acme.clone(),
        accounts.execute_unprepared(&format!(
            "INSERT INTO record_notes (id, record_type, record_id, partner_id, author_id, body, create_time) \
             VALUES ('{}', 'account', '{b_id}', '{borealis}', '{}', 'planted', now())",
            Uuid::now_v7(),
            Uuid::now_v7()
        )),
    )
    .await;
    assert!(planted.is_err(), "a note was written for another partner");
    // A child row follows its parent: Acme sees none of Borealis's project contacts.
    let contact = app.create_contact(&carol, borealis_account["id"].as_str().unwrap(), "Hidden").await;
    let r = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/projects/{borealis_project}/contacts/{}", contact["id"].as_str().unwrap()),
            Some(&carol),
            Some(serde_json::json!({"role": "decision_maker"})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let roles = "SELECT project_id::text FROM project_contacts";
    assert!(db::with_scope(as_acme.clone(), strings(&projects, roles)).await.is_empty());
    assert_eq!(db::with_scope(Scope::Partners(vec![borealis]), strings(&projects, roles)).await, [borealis_project]);
    // The system sees both partners.
    let both = db::as_system(strings(&accounts, all_partners)).await;
    assert!([acme.to_string(), borealis.to_string()].iter().all(|p| both.contains(p)), "{both:?}");
    // Borealis's account is as Carol left it.
    assert_eq!(app.get(&format!("/api/v1/accounts/{b_id}"), &carol).await.body["name"], "Borealis's customer");
    accounts.close().await.unwrap();
    projects.close().await.unwrap();
    app.stop().await;
}
