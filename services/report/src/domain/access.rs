//! Who sees and who changes a saved report. A report belongs to its owner;
//! shared, it is seen by everyone of the owner's partner, and a vendor
//! person's shared report by vendor staff. The owner changes and deletes
//! it, and so does a partner admin of the owner's partner once it is shared
//! (an unshared report is nobody else's business, so not even visible).

use prm_kit::{Caller, Role};
use uuid::Uuid;

/// The facts about a saved report that decide access.
#[derive(Debug, Clone, Copy)]
pub struct Ownership {
    pub owner_id: Uuid,
    /// None for vendor staff.
    pub partner_id: Option<Uuid>,
    pub shared: bool,
}

/// The partner a new report of `caller` belongs to: theirs, or none for vendor staff.
pub fn partner_of(caller: &Caller) -> Option<Uuid> {
    if caller.role.is_partner_role() { caller.partner_id } else { None }
}

/// The audience a shared report reaches: the same partner, or vendor staff.
fn same_audience(caller: &Caller, report: &Ownership) -> bool {
    partner_of(caller) == report.partner_id && (report.partner_id.is_some() || !caller.role.is_partner_role())
}

pub fn may_see(caller: &Caller, report: &Ownership) -> bool {
    report.owner_id == caller.user_id || (report.shared && same_audience(caller, report))
}

pub fn may_edit(caller: &Caller, report: &Ownership) -> bool {
    report.owner_id == caller.user_id
        || (report.shared
            && caller.role == Role::PartnerAdmin
            && report.partner_id.is_some()
            && report.partner_id == caller.partner_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: Role, partner: Option<Uuid>) -> Caller {
        Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
    }

    #[test]
    fn shared_reports_reach_the_owners_partner_only() {
        let (p, q) = (Uuid::now_v7(), Uuid::now_v7());
        let owner = person(Role::PartnerUser, Some(p));
        let colleague = person(Role::PartnerUser, Some(p));
        let admin = person(Role::PartnerAdmin, Some(p));
        let other = person(Role::PartnerAdmin, Some(q));
        let am = person(Role::AccountManager, None);
        let mut r = Ownership { owner_id: owner.user_id, partner_id: Some(p), shared: false };
        assert!(may_see(&owner, &r) && may_edit(&owner, &r));
        for c in [&colleague, &admin, &other, &am] {
            assert!(!may_see(c, &r) && !may_edit(c, &r));
        }
        r.shared = true;
        assert!(may_see(&colleague, &r) && !may_edit(&colleague, &r));
        assert!(may_see(&admin, &r) && may_edit(&admin, &r));
        assert!(!may_see(&other, &r) && !may_see(&am, &r));
    }

    #[test]
    fn vendor_staff_share_among_vendor_staff() {
        let am = person(Role::AccountManager, None);
        let va = person(Role::VendorAdmin, None);
        let partner = person(Role::PartnerAdmin, Some(Uuid::now_v7()));
        let r = Ownership { owner_id: am.user_id, partner_id: partner_of(&am), shared: true };
        assert!(may_see(&va, &r) && !may_edit(&va, &r));
        assert!(!may_see(&partner, &r));
    }
}
