//! Who may do what to a lead as it stands.
//!
//! - A lead of a partner follows the partner-record rules (users change what
//!   they own, partner admins anything of their company).
//! - The vendor's pool (leads without a partner, stored with the nil partner
//!   id) is vendor admins' own: they create, edit and delete them there, and
//!   distribute them to a partner. No partner sees the pool.
//! - A distributed lead is pending: its partner sees it, read-only, so that a
//!   partner admin can accept it (becoming its owner) or reject it with a
//!   reason (it returns to the pool). Partner users see it but do not decide:
//!   taking on the vendor's leads is the company's call, like owner changes.
//!   Nobody edits a pending lead; the vendor's copy is what the partner decides on.
//! - A converted lead no longer changes: it is the record of what was made.

use prm_kit::{Caller, Error, Result, Role, owned::Change};
use uuid::Uuid;

use super::LeadStatus;

/// The partner id of leads in the vendor's pool.
pub const VENDOR_POOL: Uuid = Uuid::nil();

prm_kit::text_enum!(Acceptance { Pending => "pending", Accepted => "accepted", Rejected => "rejected" });

/// What the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct LeadState {
    pub partner_id: Uuid,
    pub owner_id: Uuid,
    pub status: LeadStatus,
    pub acceptance: Option<Acceptance>,
}

impl LeadState {
    pub fn in_pool(&self) -> bool {
        self.partner_id == VENDOR_POOL
    }

    pub fn pending(&self) -> bool {
        self.acceptance == Some(Acceptance::Pending)
    }
}

fn vendor(caller: &Caller) -> bool {
    matches!(caller.role, Role::VendorAdmin | Role::Ops)
}

/// May `caller` edit, delete or re-own this lead? `partner` applies the
/// partner-record rules to the lead's row.
pub fn check_change(
    caller: &Caller,
    lead: &LeadState,
    change: Change,
    partner: impl FnOnce() -> Result<()>,
) -> Result<()> {
    if lead.status == LeadStatus::Converted {
        return Err(Error::FailedPrecondition("a converted lead can no longer be changed".into()));
    }
    if lead.pending() {
        return Err(Error::FailedPrecondition("a distributed lead is read-only until its partner accepts it".into()));
    }
    if lead.in_pool() && change != Change::Owner {
        return if vendor(caller) {
            Ok(())
        } else {
            Err(Error::PermissionDenied("only vendor admins change leads of the vendor's pool".into()))
        };
    }
    partner()
}

/// May `caller` hand this lead to `partner_id`?
pub fn check_distribute(caller: &Caller, lead: &LeadState, partner_id: Uuid) -> Result<()> {
    if !vendor(caller) {
        return Err(Error::PermissionDenied("only vendor admins distribute leads".into()));
    }
    if partner_id == VENDOR_POOL {
        return Err(Error::invalid("partner_id", "names no partner"));
    }
    if !lead.in_pool() {
        return Err(Error::FailedPrecondition("only a lead of the vendor's pool is distributed".into()));
    }
    if lead.status == LeadStatus::Converted {
        return Err(Error::FailedPrecondition("a converted lead can no longer be changed".into()));
    }
    Ok(())
}

/// May `caller` accept or reject this lead?
pub fn check_decide(caller: &Caller, lead: &LeadState) -> Result<()> {
    if !(caller.role == Role::PartnerAdmin && caller.partner_id == Some(lead.partner_id)) {
        return Err(Error::PermissionDenied("only a partner admin accepts or rejects a distributed lead".into()));
    }
    if !lead.pending() {
        return Err(Error::FailedPrecondition("the lead is not waiting for acceptance".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: Role, partner: Option<Uuid>) -> Caller {
        Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
    }

    fn state(partner_id: Uuid, status: LeadStatus, acceptance: Option<Acceptance>) -> LeadState {
        LeadState { partner_id, owner_id: Uuid::now_v7(), status, acceptance }
    }

    #[test]
    fn the_pool_is_the_vendors() {
        let pool = state(VENDOR_POOL, LeadStatus::New, None);
        let ok = || Ok(());
        assert!(check_change(&person(Role::VendorAdmin, None), &pool, Change::Edit, ok).is_ok());
        let p = person(Role::PartnerAdmin, Some(Uuid::now_v7()));
        assert!(matches!(check_change(&p, &pool, Change::Edit, ok), Err(Error::PermissionDenied(_))));
    }

    #[test]
    fn pending_and_converted_leads_do_not_change() {
        let partner = Uuid::now_v7();
        let admin = person(Role::PartnerAdmin, Some(partner));
        for s in [
            state(partner, LeadStatus::New, Some(Acceptance::Pending)),
            state(partner, LeadStatus::Converted, Some(Acceptance::Accepted)),
        ] {
            for change in [Change::Edit, Change::Delete, Change::Owner] {
                let r = check_change(&admin, &s, change, || Ok(()));
                assert!(matches!(r, Err(Error::FailedPrecondition(_))), "{s:?} {change:?}");
            }
        }
    }

    #[test]
    fn only_vendor_admins_distribute_pool_leads() {
        let pool = state(VENDOR_POOL, LeadStatus::New, None);
        let target = Uuid::now_v7();
        assert!(check_distribute(&person(Role::VendorAdmin, None), &pool, target).is_ok());
        let am = person(Role::AccountManager, None);
        assert!(matches!(check_distribute(&am, &pool, target), Err(Error::PermissionDenied(_))));
        let vendor = person(Role::VendorAdmin, None);
        assert!(matches!(check_distribute(&vendor, &pool, VENDOR_POOL), Err(Error::Invalid { .. })));
        let owned = state(target, LeadStatus::New, None);
        assert!(matches!(check_distribute(&vendor, &owned, target), Err(Error::FailedPrecondition(_))));
    }

    #[test]
    fn a_partner_admin_of_the_target_decides() {
        let partner = Uuid::now_v7();
        let pending = state(partner, LeadStatus::New, Some(Acceptance::Pending));
        assert!(check_decide(&person(Role::PartnerAdmin, Some(partner)), &pending).is_ok());
        let user = person(Role::PartnerUser, Some(partner));
        assert!(matches!(check_decide(&user, &pending), Err(Error::PermissionDenied(_))));
        let other = person(Role::PartnerAdmin, Some(Uuid::now_v7()));
        assert!(matches!(check_decide(&other, &pending), Err(Error::PermissionDenied(_))));
        let accepted = state(partner, LeadStatus::New, Some(Acceptance::Accepted));
        let admin = person(Role::PartnerAdmin, Some(partner));
        assert!(matches!(check_decide(&admin, &accepted), Err(Error::FailedPrecondition(_))));
    }
}
