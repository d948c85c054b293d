//! The built-in reports: fixed ids, read-only, each listed to the roles it
//! applies to; to anyone else it does not exist (NOT_FOUND).

use prm_kit::{Caller, Role};

use super::{Bucket, ChartType, Definition, Function, Grouping, Measure, Sort, Source};

pub struct BuiltIn {
    pub id: &'static str,
    pub definition: Definition,
    roles: &'static [Role],
}

impl BuiltIn {
    pub fn applies_to(&self, caller: &Caller) -> bool {
        caller.role == Role::Ops || self.roles.contains(&caller.role)
    }
}

/// Who sees partner records (projects, leads).
const RECORD_ROLES: &[Role] = &[Role::PartnerUser, Role::PartnerAdmin, Role::AccountManager, Role::VendorAdmin];
/// Who sees cases.
const CASE_ROLES: &[Role] =
    &[Role::PartnerUser, Role::PartnerAdmin, Role::AccountManager, Role::SupportAgent, Role::VendorAdmin];
/// The Bonus Pipeline incentive is steered by the vendor.
const BONUS_ROLES: &[Role] = &[Role::AccountManager, Role::VendorAdmin];

fn group(field: &str, bucket: Bucket) -> Grouping {
    Grouping { field: field.into(), bucket }
}

fn measure(function: Function, field: &str) -> Measure {
    Measure { function, field: field.into() }
}

/// Every built-in report, in the order they are listed.
pub fn all() -> Vec<BuiltIn> {
    vec![
        BuiltIn {
            id: "pipeline-by-stage",
            roles: RECORD_ROLES,
            definition: Definition {
                name: "Pipeline by stage".into(),
                description: "Open projects by stage: how many, their MRR and weighted pipeline.".into(),
                source: Source::Projects,
                filter: "stage != closed_won AND stage != closed_lost".into(),
                group_by: vec![group("stage", Bucket::None), group("currency_code", Bucket::None)],
                measures: vec![
                    measure(Function::Count, ""),
                    measure(Function::Sum, "mrr"),
                    measure(Function::Sum, "weighted_pipeline"),
                ],
                sort: Sort::default(),
                chart_type: ChartType::Funnel,
                chart_measure: 1,
            },
        },
        BuiltIn {
            id: "mrr-won-by-month",
            roles: RECORD_ROLES,
            definition: Definition {
                name: "MRR won by month".into(),
                description: "The MRR of projects closed won, by the month they closed.".into(),
                source: Source::Projects,
                filter: "stage = closed_won".into(),
                group_by: vec![group("close_date", Bucket::Month), group("currency_code", Bucket::None)],
                measures: vec![measure(Function::Sum, "mrr")],
                sort: Sort::default(),
                chart_type: ChartType::Line,
                chart_measure: 0,
            },
        },
        BuiltIn {
            id: "leads-by-source-and-status",
            roles: RECORD_ROLES,
            definition: Definition {
                name: "Leads by source and status".into(),
                description: "How many leads came from each source, and where they stand.".into(),
                source: Source::Leads,
                filter: String::new(),
                group_by: vec![group("source", Bucket::None), group("status", Bucket::None)],
                measures: vec![measure(Function::Count, "")],
                sort: Sort::default(),
                chart_type: ChartType::Bar,
                chart_measure: 0,
            },
        },
        BuiltIn {
            id: "open-cases-by-product-and-age",
            roles: CASE_ROLES,
            definition: Definition {
                name: "Open cases by product and age".into(),
                description: "Cases not yet solved, by product and how long ago they were opened.".into(),
                source: Source::Cases,
                filter: "status != solved AND status != closed".into(),
                group_by: vec![group("product", Bucket::None), group("create_time", Bucket::Age)],
                measures: vec![measure(Function::Count, "")],
                sort: Sort::default(),
                chart_type: ChartType::Bar,
                chart_measure: 0,
            },
        },
        BuiltIn {
            id: "bonus-pipeline-by-partner",
            roles: BONUS_ROLES,
            definition: Definition {
                name: "Bonus Pipeline status by partner".into(),
                description: "Per partner: projects, demos done, approvals by the account manager, projects \
                              satisfying the Bonus Pipeline requirements and their Pipeline MRR."
                    .into(),
                source: Source::Projects,
                filter: String::new(),
                group_by: vec![group("partner_id", Bucket::None), group("currency_code", Bucket::None)],
                measures: vec![
                    measure(Function::Count, ""),
                    measure(Function::Sum, "demo_done"),
                    measure(Function::Sum, "approved_by_am"),
                    measure(Function::Sum, "bonus_pipeline_satisfied"),
                    measure(Function::Sum, "pipeline_mrr"),
                ],
                sort: Sort::default(),
                chart_type: ChartType::Bar,
                chart_measure: 3,
            },
        },
    ]
}

/// The built-in `id`, if it applies to `caller`.
pub fn find(id: &str, caller: &Caller) -> Option<BuiltIn> {
    all().into_iter().find(|b| b.id == id && b.applies_to(caller))
}

/// The built-ins `caller` sees.
pub fn for_caller(caller: &Caller) -> Vec<BuiltIn> {
    all().into_iter().filter(|b| b.applies_to(caller)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role) -> Caller {
        Caller { user_id: uuid::Uuid::now_v7(), partner_id: None, role, assigned_partners: vec![], partner_tier: None }
    }

    #[test]
    fn every_built_in_is_a_valid_definition() {
        for b in all() {
            let checked = b.definition.clone().check().unwrap_or_else(|e| panic!("{}: {e}", b.id));
            assert_eq!(checked, b.definition, "{} is already in its checked form", b.id);
        }
    }

    #[test]
    fn the_bonus_report_is_for_account_managers_and_vendor_admins() {
        for role in [Role::AccountManager, Role::VendorAdmin] {
            assert!(find("bonus-pipeline-by-partner", &caller(role)).is_some());
        }
        for role in [Role::PartnerUser, Role::PartnerAdmin, Role::SupportAgent] {
            assert!(find("bonus-pipeline-by-partner", &caller(role)).is_none());
        }
        let agent: Vec<_> = for_caller(&caller(Role::SupportAgent)).into_iter().map(|b| b.id).collect();
        assert_eq!(agent, ["open-cases-by-product-and-age"]);
        assert_eq!(for_caller(&caller(Role::PartnerUser)).len(), 4);
    }
}
