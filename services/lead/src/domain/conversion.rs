//! What converting a lead makes: an account (the company), a contact (the
//! person) and optionally a project, with the project's defaults taken from
//! the lead.

use chrono::{Days, NaiveDate};
use prm_kit::{Error, Result, text};

use super::{LeadFields, LeadStatus, Solution};

prm_kit::text_enum!(ProjectRecordType { NewBusiness => "new_business", ExistingCustomer => "existing_customer" });

prm_kit::text_enum!(
    /// Where a conversion stands. Its row is written, with the ids of what it
    /// will make, before any other service is called:
    /// - `converting`: making the records; a retry or the recovery pass carries
    ///   on with the same ids, so nothing is made twice;
    /// - `undoing`: a step failed; deleting what was made (the account, which
    ///   takes its contacts, and the project) until that succeeds;
    /// - `done`: the lead is converted and links to what was made.
    ConversionState { Converting => "converting", Undoing => "undoing", Done => "done" }
);

/// Days from the conversion to a project's default close date.
const DEFAULT_CLOSE_DAYS: u64 = 90;

/// The project part of a conversion request, as sent.
#[derive(Debug, Clone, Default)]
pub struct ProjectInput {
    pub name: String,
    pub record_type: Option<ProjectRecordType>,
    pub close_date: String,
}

/// The project a conversion makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectDraft {
    pub name: String,
    pub record_type: ProjectRecordType,
    pub close_date: NaiveDate,
    pub total_users: i32,
    pub interested_solutions: Vec<Solution>,
    pub description: String,
}

impl ProjectDraft {
    /// The project for `lead`: name from the company, total users from the
    /// estimate, interested solutions copied, unless the request says otherwise.
    pub fn new(lead: &LeadFields, input: &ProjectInput, today: NaiveDate) -> Result<ProjectDraft> {
        let name = text::line("project_name", &input.name, 255)?;
        let close_date = prm_kit::time::optional_date("project_close_date", &input.close_date)?
            .unwrap_or(today + Days::new(DEFAULT_CLOSE_DAYS));
        Ok(ProjectDraft {
            name: if name.is_empty() { lead.company.clone() } else { name },
            record_type: input.record_type.unwrap_or(ProjectRecordType::NewBusiness),
            close_date,
            total_users: lead.estimated_users,
            interested_solutions: lead.interested_solutions.clone(),
            description: lead.description.clone(),
        })
    }
}

/// Only a qualified lead is converted.
pub fn check_convertible(status: LeadStatus) -> Result<()> {
    match status {
        LeadStatus::Qualified => Ok(()),
        LeadStatus::Converted => Err(Error::FailedPrecondition("the lead is already converted".into())),
        s => Err(Error::FailedPrecondition(format!("only a qualified lead is converted; this one is {s}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> LeadFields {
        LeadFields {
            company: "Globex".into(),
            last_name: "Lee".into(),
            estimated_users: 40,
            interested_solutions: vec![Solution::Hwaas],
            ..Default::default()
        }
    }

    #[test]
    fn the_project_takes_the_leads_defaults() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let p = ProjectDraft::new(&lead(), &ProjectInput::default(), today).unwrap();
        assert_eq!(p.name, "Globex");
        assert_eq!(p.total_users, 40);
        assert_eq!(p.interested_solutions, vec![Solution::Hwaas]);
        assert_eq!(p.record_type, ProjectRecordType::NewBusiness);
        assert_eq!(p.close_date, NaiveDate::from_ymd_opt(2027, 2, 23).unwrap());
        let input = ProjectInput { name: "Phones".into(), close_date: "2027-01-31".into(), ..Default::default() };
        let p = ProjectDraft::new(&lead(), &input, today).unwrap();
        assert_eq!((p.name.as_str(), p.close_date.to_string().as_str()), ("Phones", "2027-01-31"));
    }

    #[test]
    fn a_bad_close_date_is_named() {
        let input = ProjectInput { close_date: "31/01/2027".into(), ..Default::default() };
        let r = ProjectDraft::new(&lead(), &input, NaiveDate::MIN);
        assert!(matches!(r, Err(Error::Invalid { field, .. }) if field == "project_close_date"));
    }

    #[test]
    fn only_qualified_leads_convert() {
        assert!(check_convertible(LeadStatus::Qualified).is_ok());
        for s in [LeadStatus::New, LeadStatus::Working, LeadStatus::Nurturing, LeadStatus::Unqualified] {
            assert!(matches!(check_convertible(s), Err(Error::FailedPrecondition(_))), "{s}");
        }
    }
}
