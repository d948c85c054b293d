//! The lead status and its allowed moves.
//!
//! `new → working → nurturing → qualified | unqualified`, then `converted`.
//! Nurturing (not ready yet, kept warm) is optional: a lead being worked may
//! be decided at once, and a nurtured lead may be worked again. A decision
//! may be revisited (back to working) until the lead is converted. Nothing
//! returns to new, and converted is reached only through a conversion, after
//! which the lead no longer changes.

use prm_kit::{Error, Result};

prm_kit::text_enum!(LeadStatus {
    New => "new",
    Working => "working",
    Nurturing => "nurturing",
    Qualified => "qualified",
    Unqualified => "unqualified",
    Converted => "converted",
});

impl LeadStatus {
    /// The statuses a person may move a lead to from this one.
    pub fn next(self) -> &'static [LeadStatus] {
        use LeadStatus::*;
        match self {
            New => &[Working],
            Working => &[Nurturing, Qualified, Unqualified],
            Nurturing => &[Working, Qualified, Unqualified],
            Qualified | Unqualified => &[Working],
            Converted => &[],
        }
    }

    /// Checks a move a person asks for; staying put is no move.
    pub fn check_move(self, to: LeadStatus) -> Result<()> {
        if self == to {
            return Ok(());
        }
        if to == LeadStatus::Converted {
            return Err(Error::invalid("status", "a lead becomes converted only by converting it"));
        }
        if self.next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
        Err(Error::FailedPrecondition(match allowed.as_slice() {
            [] => format!("a {self} lead no longer changes status"),
            _ => format!("a {self} lead moves to {}, not to {to}", allowed.join(" or ")),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::{LeadStatus::*, *};

    #[test]
    fn every_move_is_allowed_or_refused_as_the_table_says() {
        let allowed = [
            (New, Working),
            (Working, Nurturing),
            (Working, Qualified),
            (Working, Unqualified),
            (Nurturing, Working),
            (Nurturing, Qualified),
            (Nurturing, Unqualified),
            (Qualified, Working),
            (Unqualified, Working),
        ];
        let all = [New, Working, Nurturing, Qualified, Unqualified, Converted];
        for from in all {
            for to in all {
                let r = from.check_move(to);
                if from == to || allowed.contains(&(from, to)) {
                    assert!(r.is_ok(), "{from} → {to}");
                } else if to == Converted {
                    assert!(matches!(r, Err(Error::Invalid { ref field, .. }) if field == "status"), "{from} → {to}");
                } else {
                    assert!(matches!(r, Err(Error::FailedPrecondition(_))), "{from} → {to}: {r:?}");
                }
            }
        }
    }

    #[test]
    fn a_refused_move_says_where_the_lead_may_go() {
        let Err(Error::FailedPrecondition(m)) = New.check_move(Qualified) else { panic!() };
        assert_eq!(m, "a new lead moves to working, not to qualified");
    }
}
