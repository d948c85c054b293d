//! The rules of cases, pure: the status path and who moves a case along it,
//! who comments and who sees internal comments, who edits which field, case
//! numbers, and the e-mails that tell the other side about a reply.
//!
//! # Who does what
//!
//! | move | by |
//! |---|---|
//! | new → in_progress, waiting_on_partner, solved | support |
//! | new → closed | the partner (withdraws it) or support (a duplicate) |
//! | in_progress → waiting_on_partner, solved | support |
//! | waiting_on_partner → in_progress | support, or the partner (also by replying) |
//! | waiting_on_partner → solved | support |
//! | solved → closed | the partner (confirms) or support |
//! | solved → in_progress (reopen) | the partner or support |
//!
//! Closed is final. "Support" is a support agent (or ops, to repair); "the
//! partner" is the case's submitter or an admin of its partner, as for other
//! partner records. Any partner person who sees a case may comment on it;
//! support may comment internally, and only support, ops and vendor admins
//! read internal comments. Account managers and vendor admins read cases
//! and move, assign or comment on none: answering is support's job.
//!
//! Assignment: a support agent takes a case (assigns it to themselves) or
//! hands it to another agent; the gateway, which owns identity, checks that
//! the assignee is a support agent.
//!
//! While a case is open (new, in_progress, waiting_on_partner) the partner
//! edits subject, description, product and priority; support triages
//! priority and product.

pub mod notify;
pub mod status;

pub use status::{CaseStatus, Side};

use prm_kit::{Caller, Role};
use uuid::Uuid;

prm_kit::text_enum!(Product {
    Licenses => "licenses",
    Hwaas => "hwaas",
    Classound => "classound",
    Hardware => "hardware",
    Other => "other",
});

prm_kit::text_enum!(Priority {
    Low => "low",
    Medium => "medium",
    High => "high",
    Urgent => "urgent",
});

/// The number of the `n`th case: `CS-` and at least six digits.
pub fn case_number(n: i64) -> String {
    format!("CS-{n:06}")
}

/// In which capacity `caller` writes a comment on a case of `partner_id`:
/// partner people of that partner as the partner, agents (and ops) as
/// support; nobody else comments.
pub fn commenter(caller: &Caller, partner_id: Uuid) -> Option<Side> {
    match caller.role {
        Role::SupportAgent | Role::Ops => Some(Side::Support),
        Role::PartnerUser | Role::PartnerAdmin if caller.partner_id == Some(partner_id) => Some(Side::Partner),
        _ => None,
    }
}

/// Whether `caller` reads internal comments: the vendor's support and
/// operations, never a partner (nor an account manager, who speaks for one).
pub fn sees_internal(caller: &Caller) -> bool {
    matches!(caller.role, Role::SupportAgent | Role::Ops | Role::VendorAdmin)
}

/// The fields of a case a partner edits while it is open; support edits
/// only the triage fields.
pub const PARTNER_FIELDS: &[&str] = &["subject", "description", "product", "priority"];
pub const SUPPORT_FIELDS: &[&str] = &["product", "priority"];

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: Role, partner: Option<Uuid>) -> Caller {
        Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
    }

    #[test]
    fn enums_round_trip_their_names() {
        for n in Product::NAMES {
            assert_eq!(n.parse::<Product>().unwrap().as_str(), *n);
        }
        for n in Priority::NAMES {
            assert_eq!(n.parse::<Priority>().unwrap().as_str(), *n);
        }
    }

    #[test]
    fn numbers_are_padded_to_six_digits() {
        assert_eq!(case_number(1), "CS-000001");
        assert_eq!(case_number(1_234_567), "CS-1234567");
    }

    #[test]
    fn partner_people_and_support_comment_others_read() {
        let p = Uuid::now_v7();
        assert_eq!(commenter(&person(Role::PartnerUser, Some(p)), p), Some(Side::Partner));
        assert_eq!(commenter(&person(Role::PartnerAdmin, Some(p)), p), Some(Side::Partner));
        assert_eq!(commenter(&person(Role::PartnerUser, Some(Uuid::now_v7())), p), None);
        assert_eq!(commenter(&person(Role::SupportAgent, None), p), Some(Side::Support));
        assert_eq!(commenter(&person(Role::AccountManager, None), p), None);
        assert_eq!(commenter(&person(Role::VendorAdmin, None), p), None);
    }

    #[test]
    fn partners_never_see_internal_comments() {
        assert!(!sees_internal(&person(Role::PartnerUser, Some(Uuid::now_v7()))));
        assert!(!sees_internal(&person(Role::PartnerAdmin, Some(Uuid::now_v7()))));
        assert!(!sees_internal(&person(Role::AccountManager, None)));
        assert!(sees_internal(&person(Role::SupportAgent, None)));
    }
}
