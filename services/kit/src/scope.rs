//! Tenancy: the one place where the visibility rules of DOMAIN.md become
//! query conditions. Every read of a partner-owned table goes through
//! [`Scope::condition`], so a service cannot forget it.

use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::{Caller, Role};

/// Which partners' records a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Partners(Vec<Uuid>),
}

impl Scope {
    /// Visibility of ordinary partner records (accounts, leads, projects…):
    /// partner people see their company, account managers their assigned
    /// partners, vendor admins and ops everything, support agents nothing.
    pub fn records(caller: &Caller) -> Scope {
        match caller.role {
            Role::PartnerUser | Role::PartnerAdmin => Scope::Partners(caller.partner_id.into_iter().collect()),
            Role::AccountManager => Scope::Partners(caller.assigned_partners.clone()),
            Role::VendorAdmin | Role::Ops => Scope::All,
            Role::SupportAgent => Scope::Partners(vec![]),
        }
    }

    /// Visibility of support cases: as [`Scope::records`], and support agents
    /// see every case of every partner.
    pub fn cases(caller: &Caller) -> Scope {
        match caller.role {
            Role::SupportAgent => Scope::All,
            _ => Scope::records(caller),
        }
    }

    pub fn contains(&self, partner_id: Uuid) -> bool {
        match self {
            Scope::All => true,
            Scope::Partners(ps) => ps.contains(&partner_id),
        }
    }

    /// The condition that restricts a query on `partner_col` to this scope.
    pub fn condition<C: ColumnTrait>(&self, partner_col: C) -> Condition {
        match self {
            Scope::All => Condition::all(),
            // `IN ()` is not valid SQL everywhere: an empty scope is a false condition.
            Scope::Partners(ps) if ps.is_empty() => {
                Condition::all().add(sea_orm::sea_query::ExprTrait::eq(sea_orm::sea_query::Expr::val(1), 0))
            }
            Scope::Partners(ps) => Condition::all().add(partner_col.is_in(ps.iter().copied())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, partner: Option<Uuid>, assigned: Vec<Uuid>) -> Caller {
        Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: assigned, partner_tier: None }
    }

    #[test]
    fn partner_people_see_their_company_only() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        for role in [Role::PartnerUser, Role::PartnerAdmin] {
            let s = Scope::records(&caller(role, Some(a), vec![]));
            assert!(s.contains(a));
            assert!(!s.contains(b));
        }
    }

    #[test]
    fn account_managers_see_assigned_partners_only() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let s = Scope::records(&caller(Role::AccountManager, None, vec![a]));
        assert!(s.contains(a));
        assert!(!s.contains(b));
    }

    #[test]
    fn support_agents_see_cases_not_records() {
        let a = Uuid::now_v7();
        let agent = caller(Role::SupportAgent, None, vec![]);
        assert!(!Scope::records(&agent).contains(a));
        assert!(Scope::cases(&agent).contains(a));
    }

    #[test]
    fn vendor_admins_see_everything() {
        let s = Scope::records(&caller(Role::VendorAdmin, None, vec![]));
        assert!(s.contains(Uuid::now_v7()));
    }
}
