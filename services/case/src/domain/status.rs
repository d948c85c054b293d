//! The status path of a case and who may make each move (the table in
//! [`crate::domain`]).

use prm_kit::{Caller, Error, Result, Role};
use uuid::Uuid;

prm_kit::text_enum!(CaseStatus {
    New => "new",
    InProgress => "in_progress",
    WaitingOnPartner => "waiting_on_partner",
    Solved => "solved",
    Closed => "closed",
});

/// In which capacity someone acts on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The partner: the submitter, or an admin of the case's partner.
    Partner,
    /// The vendor's support: a support agent (or ops).
    Support,
}

impl Side {
    /// The capacities in which `caller` moves or edits a case of
    /// `partner_id` submitted by `submitter_id`. Ops act in both, to repair.
    pub fn of(caller: &Caller, partner_id: Uuid, submitter_id: Uuid) -> Vec<Side> {
        match caller.role {
            Role::Ops => vec![Side::Partner, Side::Support],
            Role::SupportAgent => vec![Side::Support],
            Role::PartnerUser | Role::PartnerAdmin if caller.may_edit(partner_id, submitter_id) => vec![Side::Partner],
            _ => vec![],
        }
    }
}

impl CaseStatus {
    /// The statuses a case may move to from this one.
    pub fn next(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            New => &[InProgress, WaitingOnPartner, Solved, Closed],
            InProgress => &[WaitingOnPartner, Solved],
            WaitingOnPartner => &[InProgress, Solved],
            Solved => &[Closed, InProgress],
            Closed => &[],
        }
    }

    /// Who may make the move to `to`.
    pub fn movers(self, to: CaseStatus) -> &'static [Side] {
        use CaseStatus::*;
        use Side::*;
        match (self, to) {
            (New, Closed) | (WaitingOnPartner, InProgress) | (Solved, Closed) | (Solved, InProgress) => {
                &[Partner, Support]
            }
            (New, _) | (InProgress, _) | (WaitingOnPartner, Solved) => &[Support],
            _ => &[],
        }
    }

    /// Where someone acting as `sides` may move the case from here.
    pub fn moves_for(self, sides: &[Side]) -> Vec<CaseStatus> {
        self.next().iter().copied().filter(|to| self.movers(*to).iter().any(|m| sides.contains(m))).collect()
    }

    /// Open cases take edits; solved and closed ones are settled.
    pub fn is_open(self) -> bool {
        matches!(self, CaseStatus::New | CaseStatus::InProgress | CaseStatus::WaitingOnPartner)
    }

    /// Checks a move by someone acting as `sides`. A move off the path is
    /// FAILED_PRECONDITION naming where the case may go, whoever asks; a
    /// move on the path by the wrong people is PERMISSION_DENIED.
    pub fn move_to(self, to: CaseStatus, sides: &[Side]) -> Result<CaseStatus> {
        if !self.next().contains(&to) {
            let allowed: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
            return Err(Error::FailedPrecondition(if allowed.is_empty() {
                format!("a {self} case is final and cannot become {to}")
            } else {
                format!("a {self} case can become {} only, not {to}", allowed.join(" or "))
            }));
        }
        let movers = self.movers(to);
        if movers.iter().any(|m| sides.contains(m)) {
            return Ok(to);
        }
        let who = match movers {
            [Side::Support] => "a support agent",
            _ => "the case's submitter, a partner admin or a support agent",
        };
        Err(Error::PermissionDenied(format!("only {who} may move a {self} case to {to}")))
    }
}

#[cfg(test)]
mod tests {
    use super::{
        CaseStatus::{self, *},
        Side::{self, *},
    };
    use prm_kit::{Caller, Error, Role};
    use uuid::Uuid;

    const ALL: [CaseStatus; 5] = [New, InProgress, WaitingOnPartner, Solved, Closed];
    const BOTH: &[Side] = &[Partner, Support];

    #[test]
    fn only_the_documented_moves_are_allowed() {
        let allowed = [
            (New, InProgress),
            (New, WaitingOnPartner),
            (New, Solved),
            (New, Closed),
            (InProgress, WaitingOnPartner),
            (InProgress, Solved),
            (WaitingOnPartner, InProgress),
            (WaitingOnPartner, Solved),
            (Solved, Closed),
            (Solved, InProgress),
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
    fn each_side_is_offered_the_moves_it_may_make() {
        assert_eq!(Solved.moves_for(&[Side::Partner]), vec![Closed, InProgress], "close or reopen a solved case");
        assert_eq!(InProgress.moves_for(&[Side::Partner]), Vec::<CaseStatus>::new());
        assert_eq!(InProgress.moves_for(&[Side::Support]), vec![WaitingOnPartner, Solved]);
        assert_eq!(New.moves_for(&[]), Vec::<CaseStatus>::new(), "a reader moves nothing");
        for from in ALL {
            for to in from.moves_for(&[Side::Partner, Side::Support]) {
                assert!(from.move_to(to, &[Side::Partner, Side::Support]).is_ok(), "{from} → {to}");
            }
        }
    }

    #[test]
    fn a_refused_move_says_where_the_case_may_go() {
        let err = InProgress.move_to(Closed, BOTH).unwrap_err().to_string();
        assert!(err.contains("waiting_on_partner or solved"), "{err}");
        assert!(Closed.move_to(InProgress, BOTH).unwrap_err().to_string().contains("final"));
    }

    #[test]
    fn support_moves_the_partner_closes_reopens_and_withdraws() {
        let partner = &[Partner][..];
        let support = &[Support][..];
        for (from, to) in
            [(New, InProgress), (InProgress, WaitingOnPartner), (InProgress, Solved), (WaitingOnPartner, Solved)]
        {
            assert!(from.move_to(to, support).is_ok());
            assert!(matches!(from.move_to(to, partner), Err(Error::PermissionDenied(_))), "{from} → {to}");
        }
        for (from, to) in [(Solved, Closed), (Solved, InProgress), (New, Closed), (WaitingOnPartner, InProgress)] {
            assert!(from.move_to(to, partner).is_ok() && from.move_to(to, support).is_ok(), "{from} → {to}");
        }
        assert!(matches!(Solved.move_to(Closed, &[]), Err(Error::PermissionDenied(_))));
    }

    #[test]
    fn capacities_follow_role_and_submitter() {
        let (partner, submitter) = (Uuid::now_v7(), Uuid::now_v7());
        let person = |role, p: Option<Uuid>, id| Caller {
            user_id: id,
            partner_id: p,
            role,
            assigned_partners: vec![partner],
            partner_tier: None,
        };
        assert_eq!(Side::of(&person(Role::PartnerUser, Some(partner), submitter), partner, submitter), vec![Partner]);
        assert!(Side::of(&person(Role::PartnerUser, Some(partner), Uuid::now_v7()), partner, submitter).is_empty());
        assert_eq!(
            Side::of(&person(Role::PartnerAdmin, Some(partner), Uuid::now_v7()), partner, submitter),
            vec![Partner]
        );
        assert_eq!(Side::of(&person(Role::SupportAgent, None, submitter), partner, submitter), vec![Support]);
        assert!(Side::of(&person(Role::AccountManager, None, submitter), partner, submitter).is_empty());
        assert!(Side::of(&person(Role::VendorAdmin, None, submitter), partner, submitter).is_empty());
    }
}
