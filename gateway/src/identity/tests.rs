//! Identity store rules, run on SQLite and (when configured) PostgreSQL.

use super::*;
use crate::testutil::dbs;

fn new_user(email: &str, role: Role, partner_id: Option<Uuid>) -> NewUser {
    NewUser {
        email: email.to_owned(),
        display_name: "Some One".to_owned(),
        password: "correct horse".to_owned(),
        role,
        partner_id,
    }
}

fn invalid_field(e: IdentityError) -> &'static str {
    match e {
        IdentityError::Invalid { field, .. } => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn role_round_trips_through_its_name() {
    for r in Role::ALL {
        assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
    }
    assert!("admin".parse::<Role>().is_err());
}

#[test]
fn email_is_normalized_and_checked() {
    assert_eq!(normalize_email("  Ann@Example.COM ").unwrap(), "ann@example.com");
    for bad in ["", "ann", "@x.com", "ann@", "ann@x", "a b@x.com", "a@b@c.com"] {
        assert!(normalize_email(bad).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn users_partners_and_assignments_follow_the_rules() {
    for db in dbs().await {
        let label = db.label;
        let s = db.identity().await;

        let acme = s.create_partner("Acme", Some("gold")).await.unwrap();
        let other = s.create_partner("Other", None).await.unwrap();
        assert!(matches!(s.create_partner("Acme", None).await, Err(IdentityError::Conflict { field: "name" })));
        assert_eq!(s.list_partners().await.unwrap().len(), 2, "{label}");
        assert_eq!(s.get_partner(acme.id).await.unwrap(), acme);

        // Partner roles need a partner, vendor roles must not have one.
        let e = s.create_user(new_user("x@acme.com", Role::PartnerUser, None)).await.unwrap_err();
        assert_eq!(invalid_field(e), "partner_id");
        let e = s.create_user(new_user("x@acme.com", Role::VendorAdmin, Some(acme.id))).await.unwrap_err();
        assert_eq!(invalid_field(e), "partner_id");
        let e = s.create_user(new_user("x@acme.com", Role::PartnerUser, Some(Uuid::new_v4()))).await.unwrap_err();
        assert_eq!(invalid_field(e), "partner_id");
        let mut short = new_user("x@acme.com", Role::PartnerUser, Some(acme.id));
        short.password = "short".into();
        assert_eq!(invalid_field(s.create_user(short).await.unwrap_err()), "password");

        let ann = s.create_user(new_user("Ann@Acme.com", Role::PartnerAdmin, Some(acme.id))).await.unwrap();
        assert_eq!(ann.email, "ann@acme.com");
        assert!(ann.active);
        assert!(matches!(
            s.create_user(new_user("ANN@acme.com", Role::PartnerUser, Some(acme.id))).await,
            Err(IdentityError::Conflict { field: "email" })
        ));
        let bob = s.create_user(new_user("bob@acme.com", Role::PartnerUser, Some(acme.id))).await.unwrap();
        let olga = s.create_user(new_user("olga@other.com", Role::PartnerUser, Some(other.id))).await.unwrap();
        let am = s.create_user(new_user("am@vendor.com", Role::AccountManager, None)).await.unwrap();

        assert_eq!(s.get_user(bob.id).await.unwrap(), bob);
        assert_eq!(s.find_by_email(" BOB@acme.com").await.unwrap().unwrap().id, bob.id);
        assert_eq!(s.list_users(Some(acme.id)).await.unwrap().len(), 2);
        assert_eq!(s.list_users(None).await.unwrap().len(), 4);
        assert!(s.are_colleagues(ann.id, bob.id).await.unwrap());
        assert!(!s.are_colleagues(ann.id, olga.id).await.unwrap());
        assert!(!s.are_colleagues(am.id, am.id).await.unwrap());

        // Login: right password, wrong password, unknown email, inactive.
        assert_eq!(s.verify_login("bob@acme.com", "correct horse").await.unwrap().unwrap().id, bob.id);
        assert!(s.verify_login("bob@acme.com", "wrong horse").await.unwrap().is_none());
        assert!(s.verify_login("nobody@acme.com", "correct horse").await.unwrap().is_none());
        let bob2 = s.update_user(bob.id, Some("Bob B"), Some(Role::PartnerAdmin), Some(false)).await.unwrap();
        assert_eq!((bob2.display_name.as_str(), bob2.role, bob2.active), ("Bob B", Role::PartnerAdmin, false));
        assert!(s.verify_login("bob@acme.com", "correct horse").await.unwrap().is_none());
        s.update_user(bob.id, None, None, Some(true)).await.unwrap();
        s.set_password(bob.id, "battery staple").await.unwrap();
        assert!(s.verify_login("bob@acme.com", "correct horse").await.unwrap().is_none());
        assert!(s.verify_login("bob@acme.com", "battery staple").await.unwrap().is_some());

        // A partner's user cannot become vendor staff.
        let e = s.update_user(bob.id, None, Some(Role::VendorAdmin), None).await.unwrap_err();
        assert_eq!(invalid_field(e), "role");
        assert!(matches!(s.update_user(Uuid::new_v4(), None, None, Some(true)).await, Err(IdentityError::NotFound)));

        // Account manager assignments.
        s.assign_account_manager(am.id, acme.id).await.unwrap();
        s.assign_account_manager(am.id, acme.id).await.unwrap();
        s.assign_account_manager(am.id, other.id).await.unwrap();
        let mut want = vec![acme.id, other.id];
        want.sort();
        assert_eq!(s.assigned_partners(am.id).await.unwrap(), want);
        assert_eq!(invalid_field(s.assign_account_manager(bob.id, acme.id).await.unwrap_err()), "user_id");
        s.unassign_account_manager(am.id, other.id).await.unwrap();
        assert!(matches!(s.unassign_account_manager(am.id, other.id).await, Err(IdentityError::NotFound)));
        assert_eq!(s.assigned_partners(am.id).await.unwrap(), vec![acme.id]);
    }
}

#[tokio::test]
async fn migrations_are_idempotent() {
    let dir = std::env::temp_dir().join(format!("prm-identity-{}.db", Uuid::new_v4()));
    let url = format!("sqlite://{}?mode=rwc", dir.display());
    let s = IdentityStore::connect_and_migrate(&url).await.unwrap();
    s.create_partner("Keep", None).await.unwrap();
    drop(s);
    let s = IdentityStore::connect_and_migrate(&url).await.unwrap();
    assert_eq!(s.list_partners().await.unwrap().len(), 1);
    drop(s);
    let _ = std::fs::remove_file(dir);
}
