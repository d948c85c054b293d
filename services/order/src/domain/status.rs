//! The status path of an order: draft → submitted → approved → shipped →
//! completed, or cancelled from draft, submitted or approved; only those
//! moves, each by the people the table in [`crate::domain`] names.

use prm_kit::{Caller, Error, Result, Role};
use uuid::Uuid;

prm_kit::text_enum!(OrderStatus {
    Draft => "draft",
    Submitted => "submitted",
    Approved => "approved",
    Shipped => "shipped",
    Completed => "completed",
    Cancelled => "cancelled",
});

/// In which capacity someone moves an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The partner: the order's owner, or an admin of its partner.
    Partner,
    /// The vendor: a vendor admin.
    Vendor,
}

impl Actor {
    /// The capacities in which `caller` acts on an order of `partner_id`
    /// owned by `owner_id`. Ops act in both, to repair.
    pub fn of(caller: &Caller, partner_id: Uuid, owner_id: Uuid) -> Vec<Actor> {
        match caller.role {
            Role::Ops => vec![Actor::Partner, Actor::Vendor],
            Role::VendorAdmin => vec![Actor::Vendor],
            Role::PartnerUser | Role::PartnerAdmin if caller.may_edit(partner_id, owner_id) => vec![Actor::Partner],
            _ => vec![],
        }
    }
}

impl OrderStatus {
    /// The statuses an order may move to from this one.
    pub fn next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Draft => &[Submitted, Cancelled],
            Submitted => &[Approved, Cancelled],
            Approved => &[Shipped, Cancelled],
            Shipped => &[Completed],
            Completed | Cancelled => &[],
        }
    }

    /// Who may make the move to `to` (empty when it is no move at all).
    pub fn movers(self, to: OrderStatus) -> &'static [Actor] {
        use Actor::*;
        use OrderStatus::*;
        match (self, to) {
            (Draft, Submitted) | (Draft, Cancelled) => &[Partner],
            (Submitted, Approved) | (Approved, Shipped) | (Approved, Cancelled) => &[Vendor],
            (Submitted, Cancelled) | (Shipped, Completed) => &[Partner, Vendor],
            _ => &[],
        }
    }

    /// The moves someone acting as `actors` may make from here, in path order.
    pub fn moves_for(self, actors: &[Actor]) -> Vec<OrderStatus> {
        self.next().iter().copied().filter(|to| self.movers(*to).iter().any(|m| actors.contains(m))).collect()
    }

    /// Checks a move by someone acting as `actors`. A move off the path is
    /// FAILED_PRECONDITION naming where the order may go, whoever asks; a
    /// move on the path by the wrong people is PERMISSION_DENIED.
    pub fn move_to(self, to: OrderStatus, actors: &[Actor]) -> Result<OrderStatus> {
        if !self.next().contains(&to) {
            let allowed: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
            return Err(Error::FailedPrecondition(if allowed.is_empty() {
                format!("a {self} order is final and cannot become {to}")
            } else {
                format!("a {self} order can become {} only, not {to}", allowed.join(" or "))
            }));
        }
        let movers = self.movers(to);
        if movers.iter().any(|m| actors.contains(m)) {
            return Ok(to);
        }
        let who = match movers {
            [Actor::Vendor] => "a vendor admin",
            [Actor::Partner] => "the order's owner or a partner admin",
            _ => "the order's owner, a partner admin or a vendor admin",
        };
        Err(Error::PermissionDenied(format!("only {who} may move a {self} order to {to}")))
    }
}

#[cfg(test)]
mod tests {
    use super::{
        Actor::{self, *},
        OrderStatus::{self, *},
    };
    use prm_kit::{Caller, Error, Role};
    use uuid::Uuid;

    const ALL: [OrderStatus; 6] = [Draft, Submitted, Approved, Shipped, Completed, Cancelled];
    const BOTH: &[Actor] = &[Partner, Vendor];

    #[test]
    fn only_the_documented_moves_are_allowed() {
        let allowed = [
            (Draft, Submitted),
            (Draft, Cancelled),
            (Submitted, Approved),
            (Submitted, Cancelled),
            (Approved, Shipped),
            (Approved, Cancelled),
            (Shipped, Completed),
        ];
        for from in ALL {
            for to in ALL {
                let r = from.move_to(to, BOTH);
                assert_eq!(r.is_ok(), allowed.contains(&(from, to)), "{from} → {to}");
                if r.is_err() {
                    assert!(matches!(r, Err(Error::FailedPrecondition(_))), "{from} → {to}");
                }
            }
        }
    }

    #[test]
    fn each_actor_is_offered_exactly_the_moves_it_may_make() {
        for from in ALL {
            for actors in [&[Partner][..], &[Vendor][..], BOTH, &[][..]] {
                let offered = from.moves_for(actors);
                for to in ALL {
                    assert_eq!(offered.contains(&to), from.move_to(to, actors).is_ok(), "{from} → {to} by {actors:?}");
                }
            }
        }
        assert_eq!(Draft.moves_for(&[Vendor]), []);
        assert_eq!(Submitted.moves_for(&[Vendor]), [Approved, Cancelled]);
        assert_eq!(Submitted.moves_for(&[Partner]), [Cancelled]);
    }

    #[test]
    fn a_refused_move_says_where_the_order_may_go() {
        let err = Draft.move_to(Shipped, BOTH).unwrap_err().to_string();
        assert!(err.contains("submitted or cancelled"), "{err}");
        let err = Shipped.move_to(Cancelled, BOTH).unwrap_err().to_string();
        assert!(err.contains("completed only"), "{err}");
        assert!(Completed.move_to(Draft, BOTH).unwrap_err().to_string().contains("final"));
    }

    #[test]
    fn vendors_approve_and_ship_partners_submit_and_both_complete() {
        let partner = &[Partner][..];
        let vendor = &[Vendor][..];
        assert!(Draft.move_to(Submitted, partner).is_ok());
        assert!(matches!(Draft.move_to(Submitted, vendor), Err(Error::PermissionDenied(_))));
        assert!(matches!(Submitted.move_to(Approved, partner), Err(Error::PermissionDenied(_))));
        assert!(matches!(Approved.move_to(Shipped, partner), Err(Error::PermissionDenied(_))));
        assert!(matches!(Approved.move_to(Cancelled, partner), Err(Error::PermissionDenied(_))));
        assert!(Submitted.move_to(Cancelled, partner).is_ok() && Submitted.move_to(Cancelled, vendor).is_ok());
        assert!(Shipped.move_to(Completed, partner).is_ok() && Shipped.move_to(Completed, vendor).is_ok());
        assert!(matches!(Shipped.move_to(Completed, &[]), Err(Error::PermissionDenied(_))));
    }

    #[test]
    fn capacities_follow_role_and_ownership() {
        let (partner, owner) = (Uuid::now_v7(), Uuid::now_v7());
        let person = |role, p: Option<Uuid>, id| Caller {
            user_id: id,
            partner_id: p,
            role,
            assigned_partners: vec![partner],
            partner_tier: None,
        };
        assert_eq!(Actor::of(&person(Role::PartnerUser, Some(partner), owner), partner, owner), vec![Partner]);
        assert!(Actor::of(&person(Role::PartnerUser, Some(partner), Uuid::now_v7()), partner, owner).is_empty());
        assert_eq!(
            Actor::of(&person(Role::PartnerAdmin, Some(partner), Uuid::now_v7()), partner, owner),
            vec![Partner]
        );
        assert!(Actor::of(&person(Role::PartnerAdmin, Some(Uuid::now_v7()), owner), partner, owner).is_empty());
        assert!(Actor::of(&person(Role::AccountManager, None, owner), partner, owner).is_empty());
        assert_eq!(Actor::of(&person(Role::VendorAdmin, None, owner), partner, owner), vec![Vendor]);
        assert_eq!(Actor::of(&person(Role::Ops, None, owner), partner, owner), vec![Partner, Vendor]);
    }
}
