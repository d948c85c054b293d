//! The status path of a quote: draft → presented → contract sent →
//! accepted | rejected | expired. Only those moves.

use prm_kit::{Error, Result};

prm_kit::text_enum!(QuoteStatus {
    Draft => "draft",
    Presented => "presented",
    ContractSent => "contract_sent",
    Accepted => "accepted",
    Rejected => "rejected",
    Expired => "expired",
});

impl QuoteStatus {
    /// The statuses a quote may move to from this one.
    pub fn next(self) -> &'static [QuoteStatus] {
        use QuoteStatus::*;
        match self {
            Draft => &[Presented],
            Presented => &[ContractSent],
            ContractSent => &[Accepted, Rejected, Expired],
            Accepted | Rejected | Expired => &[],
        }
    }

    /// The moves offered to a reader: the path's next steps to one who may
    /// change the quote (its owner, a partner admin, ops), none to others.
    pub fn moves_for(self, may_edit: bool) -> &'static [QuoteStatus] {
        if may_edit { self.next() } else { &[] }
    }

    /// Checks a move; a refused move names where the quote may go instead.
    pub fn move_to(self, to: QuoteStatus) -> Result<QuoteStatus> {
        if self.next().contains(&to) {
            return Ok(to);
        }
        let allowed: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
        Err(Error::FailedPrecondition(if allowed.is_empty() {
            format!("a {self} quote is final and cannot become {to}")
        } else {
            format!("a {self} quote can become {} only, not {to}", allowed.join(" or "))
        }))
    }

    /// Lines and prices change only before the contract goes out.
    pub fn lines_editable(self) -> bool {
        matches!(self, QuoteStatus::Draft | QuoteStatus::Presented)
    }
}

#[cfg(test)]
mod tests {
    use super::QuoteStatus::{self, *};

    const ALL: [QuoteStatus; 6] = [Draft, Presented, ContractSent, Accepted, Rejected, Expired];

    #[test]
    fn only_the_documented_moves_are_allowed() {
        let allowed = [
            (Draft, Presented),
            (Presented, ContractSent),
            (ContractSent, Accepted),
            (ContractSent, Rejected),
            (ContractSent, Expired),
        ];
        for from in ALL {
            for to in ALL {
                assert_eq!(from.move_to(to).is_ok(), allowed.contains(&(from, to)), "{from} → {to}");
            }
        }
    }

    #[test]
    fn a_refused_move_says_where_the_quote_may_go() {
        let err = Draft.move_to(Accepted).unwrap_err().to_string();
        assert!(err.contains("presented"), "{err}");
        assert!(Accepted.move_to(Draft).unwrap_err().to_string().contains("final"));
    }

    #[test]
    fn lines_freeze_when_the_contract_is_sent() {
        assert!(Draft.lines_editable() && Presented.lines_editable());
        assert!(!ContractSent.lines_editable() && !Accepted.lines_editable());
    }
}
