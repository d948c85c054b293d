//! The fields of a lead that people write, valid by construction.

use prm_kit::{Error, Result, address::Address, record::FieldDiff, text};

use super::LeadStatus;

prm_kit::text_enum!(Source {
    Web => "web",
    Referral => "referral",
    Event => "event",
    VendorDistributed => "vendor_distributed",
    Other => "other",
});

prm_kit::text_enum!(Solution { Licenses => "licenses", Hwaas => "hwaas", Classound => "classound" });

/// More users than any one prospect has: a typo, not an estimate.
const MAX_USERS: i32 = 1_000_000;
const MAX_DESCRIPTION: usize = 4_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadFields {
    pub company: String,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub address: Address,
    pub source: Source,
    pub status: LeadStatus,
    pub estimated_users: i32,
    /// Each at most once, in the order of [`Solution::NAMES`].
    pub interested_solutions: Vec<Solution>,
    pub description: String,
}

impl Default for LeadFields {
    fn default() -> Self {
        LeadFields {
            company: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            title: String::new(),
            email: String::new(),
            phone: String::new(),
            address: Address::default(),
            source: Source::Other,
            status: LeadStatus::New,
            estimated_users: 0,
            interested_solutions: Vec::new(),
            description: String::new(),
        }
    }
}

/// The paths an update mask may name (and `address.city`-style sub-paths).
pub const LEAD_MASK_PATHS: &[&str] = &[
    "company",
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "address",
    "source",
    "status",
    "estimated_users",
    "interested_solutions",
    "description",
];

impl LeadFields {
    /// Validates and normalises what a client sent. Company and last name are
    /// required because a conversion makes an account and a contact of them.
    pub fn parse(raw: &LeadFields) -> Result<LeadFields> {
        if !(0..=MAX_USERS).contains(&raw.estimated_users) {
            return Err(Error::invalid("estimated_users", format!("must be between 0 and {MAX_USERS}")));
        }
        let mut solutions = raw.interested_solutions.clone();
        solutions.sort_by_key(|s| Solution::NAMES.iter().position(|n| *n == s.as_str()));
        solutions.dedup();
        Ok(LeadFields {
            company: text::required_line("company", &raw.company, 255)?,
            first_name: text::line("first_name", &raw.first_name, 100)?,
            last_name: text::required_line("last_name", &raw.last_name, 100)?,
            title: text::line("title", &raw.title, 128)?,
            email: text::email("email", &raw.email)?,
            phone: text::phone("phone", &raw.phone)?,
            address: Address::parse("address", &raw.address)?,
            source: raw.source,
            status: raw.status,
            estimated_users: raw.estimated_users,
            interested_solutions: solutions,
            description: text::paragraph("description", &raw.description, MAX_DESCRIPTION)?,
        })
    }

    /// A new lead: status new, and a source people may choose (distribution
    /// sets vendor_distributed).
    pub fn parse_new(raw: &LeadFields) -> Result<LeadFields> {
        if raw.status != LeadStatus::New {
            return Err(Error::invalid("status", "a lead starts as new"));
        }
        if raw.source == Source::VendorDistributed {
            return Err(Error::invalid("source", "is set when the vendor distributes a lead"));
        }
        LeadFields::parse(raw)
    }

    /// This lead with the fields named by `mask` taken from `patch`, the
    /// status moved along an allowed move, then validated as a whole.
    pub fn patched(&self, patch: &LeadFields, mask: &[String]) -> Result<LeadFields> {
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field"));
        }
        let mut next = self.clone();
        for path in mask {
            let (head, sub) = match path.split_once('.') {
                Some((h, s)) => (h, Some(s)),
                None => (path.as_str(), None),
            };
            let unknown = || Error::invalid("update_mask", format!("`{path}` is not a field that can be updated"));
            match (head, sub) {
                ("company", None) => next.company = patch.company.clone(),
                ("first_name", None) => next.first_name = patch.first_name.clone(),
                ("last_name", None) => next.last_name = patch.last_name.clone(),
                ("title", None) => next.title = patch.title.clone(),
                ("email", None) => next.email = patch.email.clone(),
                ("phone", None) => next.phone = patch.phone.clone(),
                ("source", None) => {
                    if patch.source != self.source
                        && (patch.source == Source::VendorDistributed || self.source == Source::VendorDistributed)
                    {
                        return Err(Error::invalid("source", "vendor_distributed is set by distribution only"));
                    }
                    next.source = patch.source;
                }
                ("status", None) => {
                    self.status.check_move(patch.status)?;
                    next.status = patch.status;
                }
                ("estimated_users", None) => next.estimated_users = patch.estimated_users,
                ("interested_solutions", None) => next.interested_solutions = patch.interested_solutions.clone(),
                ("description", None) => next.description = patch.description.clone(),
                ("address", sub) => {
                    if !next.address.merge(&patch.address, sub) {
                        return Err(unknown());
                    }
                }
                _ => return Err(unknown()),
            }
        }
        LeadFields::parse(&next)
    }

    pub fn solutions_text(&self) -> String {
        self.interested_solutions.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
    }

    /// The tracked fields that differ between `self` (before) and `after`.
    pub fn changes(&self, after: &LeadFields) -> Vec<FieldDiff> {
        prm_kit::record::diff(&[
            ("company", self.company.clone(), after.company.clone()),
            ("first_name", self.first_name.clone(), after.first_name.clone()),
            ("last_name", self.last_name.clone(), after.last_name.clone()),
            ("title", self.title.clone(), after.title.clone()),
            ("email", self.email.clone(), after.email.clone()),
            ("phone", self.phone.clone(), after.phone.clone()),
            ("address", self.address.one_line(), after.address.one_line()),
            ("source", self.source.to_string(), after.source.to_string()),
            ("status", self.status.to_string(), after.status.to_string()),
            ("estimated_users", self.estimated_users.to_string(), after.estimated_users.to_string()),
            ("interested_solutions", self.solutions_text(), after.solutions_text()),
            ("description", self.description.clone(), after.description.clone()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> LeadFields {
        LeadFields::parse_new(&LeadFields {
            company: "Globex".into(),
            last_name: "Lee".into(),
            email: "Ann@Globex.EXAMPLE".into(),
            ..Default::default()
        })
        .unwrap()
    }

    fn field(r: Result<LeadFields>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_lead_needs_a_company_and_a_last_name() {
        assert_eq!(
            field(LeadFields::parse_new(&LeadFields { last_name: "Lee".into(), ..Default::default() })),
            "company"
        );
        assert_eq!(
            field(LeadFields::parse_new(&LeadFields { company: "G".into(), ..Default::default() })),
            "last_name"
        );
        assert_eq!(lead().email, "Ann@globex.example");
    }

    #[test]
    fn solutions_are_kept_once_in_order() {
        let l = LeadFields::parse(&LeadFields {
            interested_solutions: vec![Solution::Classound, Solution::Licenses, Solution::Classound],
            ..lead()
        })
        .unwrap();
        assert_eq!(l.interested_solutions, vec![Solution::Licenses, Solution::Classound]);
    }

    #[test]
    fn new_leads_start_new_and_are_not_vendor_distributed() {
        let raw = LeadFields { status: LeadStatus::Working, ..lead() };
        assert_eq!(field(LeadFields::parse_new(&raw)), "status");
        let raw = LeadFields { source: Source::VendorDistributed, ..lead() };
        assert_eq!(field(LeadFields::parse_new(&raw)), "source");
        assert_eq!(field(LeadFields::parse(&LeadFields { estimated_users: -1, ..lead() })), "estimated_users");
    }

    #[test]
    fn a_patch_moves_the_status_along_allowed_moves_only() {
        let l = lead();
        let working = l.patched(&LeadFields { status: LeadStatus::Working, ..Default::default() }, &["status".into()]);
        assert_eq!(working.unwrap().status, LeadStatus::Working);
        let jump = l.patched(&LeadFields { status: LeadStatus::Qualified, ..Default::default() }, &["status".into()]);
        assert!(matches!(jump, Err(Error::FailedPrecondition(_))));
    }

    #[test]
    fn unknown_and_server_owned_paths_are_refused() {
        for path in ["owner_id", "partner_id", "acceptance_state", "converted_account_id", "address.planet"] {
            assert_eq!(field(lead().patched(&lead(), &[path.into()])), "update_mask", "{path}");
        }
    }

    #[test]
    fn history_names_changed_fields_only() {
        let before = lead();
        let after = LeadFields { status: LeadStatus::Working, interested_solutions: vec![Solution::Hwaas], ..lead() };
        let d = before.changes(&after);
        assert_eq!(d.iter().map(|c| c.field).collect::<Vec<_>>(), vec!["status", "interested_solutions"]);
    }
}
