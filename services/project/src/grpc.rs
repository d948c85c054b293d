//! `prm.project.v1.ProjectService`: proto ⇄ domain translation, calling the
//! rules of [`crate::domain`], the store, and the account and quote services.

use std::{collections::BTreeMap, str::FromStr};

use chrono::{Datelike, NaiveDate};
use prm_kit::{
    Caller, Error, Result, Role,
    auth::{CallerInterceptor, InternalKey},
    listing::{Field, FieldKind, ListParams, Listing, SortValue},
    money::{Currency, to_units, write_units},
    owned,
    record::{self, parse_id},
    references::References,
    text::{line, paragraph, required_line},
    time,
    views::{self, and},
};
use prm_proto::{
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    common::v1::RecordType as Kind,
    project::v1::{self as pb, project_service_server::ProjectService},
    quote::v1::{self as qpb, quote_service_client::QuoteServiceClient},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, FromQueryResult, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
    sea_query::{Alias, Asterisk, Expr, Func, OnConflict},
};
use tonic::{Request, Response, Status, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

use crate::{
    domain::{
        Amount, DemoQuestions, InterestedSolutions, LostReason, Percent, RecordType, Solution, Stage, UserCount, Waps,
        close_lost, move_by_user, shows_demo_answers,
    },
    store::{Settings, project, project_contact, project_view},
};

type Reply<T> = std::result::Result<Response<T>, Status>;
type QuoteClient = QuoteServiceClient<InterceptedService<Channel, CallerInterceptor>>;
type AccountClient = AccountServiceClient<InterceptedService<Channel, CallerInterceptor>>;

/// The services a project talks to, on behalf of a caller.
#[derive(Clone)]
pub struct Clients {
    accounts: Channel,
    quotes: Channel,
    key: InternalKey,
    /// Accounts (and their fences) as a reference sees them.
    references: References,
}

impl Clients {
    pub fn new(accounts: Channel, quotes: Channel, key: InternalKey, references: References) -> Clients {
        Clients { accounts, quotes, key, references }
    }

    pub fn quote(&self, caller: &Caller) -> Result<QuoteClient> {
        Ok(QuoteServiceClient::with_interceptor(self.quotes.clone(), CallerInterceptor::new(&self.key, caller)?))
    }

    fn account(&self, caller: &Caller) -> Result<AccountClient> {
        Ok(AccountServiceClient::with_interceptor(self.accounts.clone(), CallerInterceptor::new(&self.key, caller)?))
    }

    /// Some of the quotes of a project (their names), and whether there are
    /// more: read as the project's partner, so a colleague's quote counts.
    pub async fn quotes_of(&self, partner_id: Uuid, project_id: Uuid) -> Result<(Vec<String>, bool)> {
        let page = self
            .quote(&Caller::system_for_partner(partner_id))?
            .list_quotes(qpb::ListQuotesRequest {
                page_size: 3,
                filter: format!(r#"project_id = "{project_id}""#),
                ..Default::default()
            })
            .await
            .map_err(|s| downstream("quote", s))?
            .into_inner();
        Ok((page.quotes.into_iter().map(|q| q.name).collect(), !page.next_page_token.is_empty()))
    }

    /// The vendor's WAPs in `currency`; none set yet counts as zero.
    pub async fn waps(&self, caller: &Caller, currency: &str) -> Result<Waps> {
        let reply = self
            .quote(caller)?
            .get_weighted_average_prices(qpb::GetWeightedAveragePricesRequest { currency_code: currency.into() })
            .await;
        let prices = match reply {
            Ok(r) => r.into_inner().prices.unwrap_or_default(),
            Err(s) if s.code() == tonic::Code::NotFound => return Ok(Waps::default()),
            Err(s) => return Err(downstream("quote", s)),
        };
        let amount = |field: &str, s: &str| {
            if s.is_empty() { Ok(Amount::ZERO) } else { Amount::parse(field, s) }
        };
        let bad = |e: Error| Error::Internal(anyhow::anyhow!("the quote service sent a bad WAP: {e}"));
        Ok(Waps {
            licenses: amount("licenses", &prices.licenses).map_err(bad)?,
            hwaas: amount("hwaas", &prices.hwaas).map_err(bad)?,
            classound: amount("classound", &prices.classound).map_err(bad)?,
        })
    }

    /// The project's primary quote, as the system sees it.
    /// The primary quote of a project of `partner_id`, as that partner sees
    /// it: a quote of another partner never counts.
    pub async fn primary_quote(&self, project_id: Uuid, partner_id: Uuid) -> Result<Option<qpb::Quote>> {
        let reply = self
            .quote(&Caller::system_for_partner(partner_id))?
            .get_primary_quote(qpb::GetPrimaryQuoteRequest { project_id: project_id.to_string() })
            .await
            .map_err(|s| downstream("quote", s))?;
        Ok(reply.into_inner().quote)
    }
}

/// A failure of another service: unavailable stays unavailable (the client
/// may retry), the rest keep their code and message.
pub(crate) fn downstream(service: &str, s: Status) -> Error {
    match s.code() {
        tonic::Code::Unavailable | tonic::Code::DeadlineExceeded | tonic::Code::Unknown => {
            Error::Unavailable(format!("the {service} service: {}", s.message()))
        }
        tonic::Code::InvalidArgument => Error::invalid(
            prm_kit::error::violated_field(&s).map(|(f, _)| f).unwrap_or_else(|| service.to_string()),
            s.message().to_string(),
        ),
        tonic::Code::NotFound => Error::NotFound,
        tonic::Code::PermissionDenied => Error::PermissionDenied(s.message().into()),
        tonic::Code::FailedPrecondition => Error::FailedPrecondition(s.message().into()),
        tonic::Code::AlreadyExists => Error::AlreadyExists(s.message().into()),
        tonic::Code::Aborted => Error::Aborted(s.message().into()),
        _ => Error::Internal(anyhow::anyhow!("the {service} service: {}", s.message())),
    }
}

pub struct ProjectApi {
    db: DatabaseConnection,
    clients: Clients,
}

impl ProjectApi {
    pub fn new(db: DatabaseConnection, clients: Clients) -> Self {
        ProjectApi { db, clients }
    }
}

/// Fields that lists filter and sort on, and list views show.
pub const PROJECT_FIELDS: &[Field<project::Column>] = &[
    Field { name: "name", column: project::Column::Name, kind: FieldKind::Text },
    Field { name: "record_type", column: project::Column::RecordType, kind: FieldKind::Enum(RecordType::NAMES) },
    Field { name: "stage", column: project::Column::Stage, kind: FieldKind::Enum(Stage::NAMES) },
    Field { name: "probability", column: project::Column::Probability, kind: FieldKind::Integer },
    Field { name: "close_date", column: project::Column::CloseDate, kind: FieldKind::Date },
    Field { name: "total_users", column: project::Column::TotalUsers, kind: FieldKind::Integer },
    Field { name: "currency_code", column: project::Column::Currency, kind: FieldKind::Text },
    Field { name: "expected_mrr", column: project::Column::ExpectedMrrUnits, kind: FieldKind::Money },
    Field { name: "mrr", column: project::Column::MrrUnits, kind: FieldKind::Money },
    Field { name: "weighted_pipeline", column: project::Column::WeightedPipelineUnits, kind: FieldKind::Money },
    Field { name: "next_step", column: project::Column::NextStep, kind: FieldKind::Text },
    Field { name: "account_id", column: project::Column::AccountId, kind: FieldKind::Uuid },
    Field { name: "owner_id", column: project::Column::OwnerId, kind: FieldKind::Uuid },
    Field { name: "partner_id", column: project::Column::PartnerId, kind: FieldKind::Uuid },
    Field { name: "create_time", column: project::Column::CreateTime, kind: FieldKind::Timestamp },
    Field { name: "update_time", column: project::Column::UpdateTime, kind: FieldKind::Timestamp },
];

/// Columns a list view may show beyond the listed fields.
const DISPLAY_ONLY: &[&str] = &[
    "users_of_poc",
    "interested_solutions",
    "amount_mrr",
    "capex",
    "verbal_agreement",
    "pipeline_mrr",
    "demo_done",
    "demo_date",
    "approved_by_am",
    "bonus_pipeline_satisfied",
    "description",
];

fn sort_key(p: &project::Model, field: &str) -> (SortValue, Uuid) {
    let v: SortValue = match field {
        "name" => p.name.as_str().into(),
        "record_type" => p.record_type.as_str().into(),
        "stage" => p.stage.as_str().into(),
        "probability" => i64::from(p.probability).into(),
        "close_date" => p.close_date.as_str().into(),
        "total_users" => i64::from(p.total_users).into(),
        "currency_code" => p.currency.as_str().into(),
        "expected_mrr" => p.expected_mrr_units.into(),
        "mrr" => p.mrr_units.into(),
        "weighted_pipeline" => p.weighted_pipeline_units.into(),
        "next_step" => p.next_step.as_str().into(),
        "account_id" => p.account_id.into(),
        "owner_id" => p.owner_id.into(),
        "partner_id" => p.partner_id.into(),
        "update_time" => p.update_time.into(),
        _ => p.create_time.into(),
    };
    (v, p.id)
}

const DEFAULT_ORDER: &str = "close_date";

// --- wire mapping ------------------------------------------------------------

fn record_type_in(v: i32, field: &str) -> Result<Option<RecordType>> {
    match pb::RecordType::try_from(v) {
        Ok(pb::RecordType::Unspecified) => Ok(None),
        Ok(pb::RecordType::NewBusiness) => Ok(Some(RecordType::NewBusiness)),
        Ok(pb::RecordType::ExistingCustomer) => Ok(Some(RecordType::ExistingCustomer)),
        Err(_) => Err(Error::invalid(field, "is not a record type")),
    }
}

fn record_type_out(rt: RecordType) -> pb::RecordType {
    match rt {
        RecordType::NewBusiness => pb::RecordType::NewBusiness,
        RecordType::ExistingCustomer => pb::RecordType::ExistingCustomer,
    }
}

fn stage_in(v: i32, field: &str) -> Result<Stage> {
    Ok(match pb::Stage::try_from(v).map_err(|_| Error::invalid(field, "is not a stage"))? {
        pb::Stage::Unspecified => return Err(Error::invalid(field, "is required")),
        pb::Stage::IntroQualification => Stage::IntroQualification,
        pb::Stage::Demo => Stage::Demo,
        pb::Stage::ProjectPresentation => Stage::ProjectPresentation,
        pb::Stage::Presentation => Stage::Presentation,
        pb::Stage::Proposal => Stage::Proposal,
        pb::Stage::ContractOut => Stage::ContractOut,
        pb::Stage::OrderManagement => Stage::OrderManagement,
        pb::Stage::ClosedWon => Stage::ClosedWon,
        pb::Stage::ClosedLost => Stage::ClosedLost,
    })
}

fn stage_out(s: Stage) -> pb::Stage {
    match s {
        Stage::IntroQualification => pb::Stage::IntroQualification,
        Stage::Demo => pb::Stage::Demo,
        Stage::ProjectPresentation => pb::Stage::ProjectPresentation,
        Stage::Presentation => pb::Stage::Presentation,
        Stage::Proposal => pb::Stage::Proposal,
        Stage::ContractOut => pb::Stage::ContractOut,
        Stage::OrderManagement => pb::Stage::OrderManagement,
        Stage::ClosedWon => pb::Stage::ClosedWon,
        Stage::ClosedLost => pb::Stage::ClosedLost,
    }
}

fn solutions_in(values: &[i32]) -> Result<InterestedSolutions> {
    values
        .iter()
        .map(|v| match pb::Solution::try_from(*v) {
            Ok(pb::Solution::Licenses) => Ok(Solution::Licenses),
            Ok(pb::Solution::Hwaas) => Ok(Solution::Hwaas),
            Ok(pb::Solution::Classound) => Ok(Solution::Classound),
            _ => Err(Error::invalid("interested_solutions", "holds a value that is not a solution")),
        })
        .collect()
}

fn solution_out(s: Solution) -> i32 {
    match s {
        Solution::Licenses => pb::Solution::Licenses as i32,
        Solution::Hwaas => pb::Solution::Hwaas as i32,
        Solution::Classound => pb::Solution::Classound as i32,
    }
}

fn date_in(field: &str, s: &str) -> Result<String> {
    Ok(time::date(field, s)?.format("%Y-%m-%d").to_string())
}

/// An amount typed in the project's currency: no finer than its minor unit.
fn optional_amount(field: &str, s: &str, currency: &str) -> Result<Option<i64>> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let amount = Amount::parse(field, s.trim())?.get();
    let minor = Currency::parse("currency_code", currency).map(|c| c.minor_unit()).unwrap_or(2);
    if amount.normalize().scale() > minor {
        return Err(Error::invalid(field, format!("has more decimal places than {currency} has ({minor})")));
    }
    Ok(Some(to_units(field, amount)?))
}

fn optional_money(currency: &str, units: Option<i64>) -> String {
    units.map(|u| write_units(currency, u)).unwrap_or_default()
}

pub fn project_out(m: &project::Model) -> pb::Project {
    let stage = Stage::from_str(&m.stage).unwrap_or(Stage::IntroQualification);
    let rt = RecordType::from_str(&m.record_type).unwrap_or(RecordType::NewBusiness);
    let bonus = m.bonus().unwrap_or_default();
    let answers: Vec<pb::DemoAnswer> = m
        .answers()
        .map(|a| {
            a.iter().map(|(id, text)| pb::DemoAnswer { question_id: id.to_string(), answer: text.into() }).collect()
        })
        .unwrap_or_default();
    pb::Project {
        id: m.id.to_string(),
        partner_id: m.partner_id.to_string(),
        owner_id: m.owner_id.to_string(),
        account_id: m.account_id.to_string(),
        name: m.name.clone(),
        record_type: record_type_out(rt) as i32,
        stage: stage_out(stage) as i32,
        probability: m.probability,
        close_date: m.close_date.clone(),
        total_users: m.total_users,
        users_of_poc: m.users_of_poc,
        interested_solutions: m.interested().selected().into_iter().map(solution_out).collect(),
        amount_mrr: optional_money(&m.currency, m.amount_mrr_units),
        capex: optional_money(&m.currency, m.capex_units),
        verbal_agreement: m.verbal_agreement,
        currency_code: m.currency.clone(),
        description: m.description.clone(),
        next_step: m.next_step.clone(),
        cost_info: Some(pb::CostInfo {
            expected_mrr: write_units(&m.currency, m.expected_mrr_units),
            mrr: write_units(&m.currency, m.mrr_units),
            weighted_pipeline: write_units(&m.currency, m.weighted_pipeline_units),
            pipeline_mrr: optional_money(&m.currency, m.pipeline_mrr_units),
        }),
        primary_quote_id: m.primary_quote_id.map(|q| q.to_string()).unwrap_or_default(),
        demo_answers: answers,
        demo_done: bonus.demo_done(),
        demo_date: m.demo_date.clone().unwrap_or_default(),
        approved_by_am: bonus.approved_by_am(),
        bonus_pipeline_satisfied: bonus.satisfied(),
        lost_reason: m.lost_reason.clone(),
        held_event: held_out(m),
        create_time: Some(time::to_proto(m.create_time)),
        update_time: Some(time::to_proto(m.update_time)),
    }
}

/// The held event, with what it waits for.
fn held_out(m: &project::Model) -> String {
    let Ok(event) = crate::domain::AutoEvent::from_str(&m.held_event) else {
        return String::new();
    };
    match m.facts().map(|f| crate::domain::apply_event(&f, event)) {
        Ok(outcome @ crate::domain::Outcome::Held { .. }) => outcome.explain(),
        _ => event.to_string(),
    }
}

/// Fields a client may set on create and change with an update mask.
const EDITABLE: &[&str] = &[
    "name",
    "close_date",
    "total_users",
    "users_of_poc",
    "interested_solutions",
    "amount_mrr",
    "capex",
    "verbal_agreement",
    "description",
    "next_step",
    "probability",
    "demo_answers",
];

/// Why a field cannot be written by an update.
fn read_only(field: &str) -> Option<&'static str> {
    Some(match field {
        "id" | "partner_id" | "create_time" | "update_time" => "is output only",
        "owner_id" => "changes with ChangeProjectOwner",
        "stage" | "lost_reason" => "changes with MoveProject",
        "record_type" | "account_id" | "currency_code" => "is set on create",
        "approved_by_am" => "changes with SetApprovedByAm",
        "cost_info"
        | "cost_info.expected_mrr"
        | "cost_info.mrr"
        | "cost_info.weighted_pipeline"
        | "cost_info.pipeline_mrr" => "is computed, never written",
        "primary_quote_id" => "follows the quote service's primary quote",
        "demo_done" | "demo_date" | "bonus_pipeline_satisfied" => "is set when the project moves on from Demo",
        "held_event" => "is output only",
        _ => return None,
    })
}

/// Writes the masked fields of `raw` into `m`, validating each.
fn apply_fields(m: &mut project::Model, raw: &pb::Project, mask: &[String], settings: &Settings) -> Result<()> {
    for path in mask {
        match path.as_str() {
            "name" => m.name = required_line("name", &raw.name, 255)?,
            "close_date" => m.close_date = date_in("close_date", &raw.close_date)?,
            "total_users" => {
                m.total_users = UserCount::parse("total_users", raw.total_users.into())?.get() as i32;
            }
            "users_of_poc" => {
                m.users_of_poc = raw
                    .users_of_poc
                    .map(|n| UserCount::parse("users_of_poc", n.into()).map(|c| c.get() as i32))
                    .transpose()?;
            }
            "interested_solutions" => m.set_interested(solutions_in(&raw.interested_solutions)?),
            "amount_mrr" => m.amount_mrr_units = optional_amount("amount_mrr", &raw.amount_mrr, &m.currency)?,
            "capex" => m.capex_units = optional_amount("capex", &raw.capex, &m.currency)?,
            "verbal_agreement" => m.verbal_agreement = raw.verbal_agreement,
            "description" => m.description = paragraph("description", &raw.description, 32_000)?,
            "next_step" => m.next_step = line("next_step", &raw.next_step, 255)?,
            "probability" => m.probability = Percent::parse("probability", raw.probability.into())?.get().into(),
            "demo_answers" => {
                if !shows_demo_answers(m.position()?) {
                    return Err(Error::FailedPrecondition(
                        "Demo Answers are given from the Demo stage of a new business project on".into(),
                    ));
                }
                let mut answers = m.answers()?;
                for (i, a) in raw.demo_answers.iter().enumerate() {
                    let id = parse_id(&a.question_id, &format!("demo_answers[{i}].question_id"))?;
                    answers.answer(&settings.questions, id, &a.answer).map_err(|e| match e {
                        Error::Invalid { message, .. } => Error::invalid(format!("demo_answers[{i}]"), message),
                        other => other,
                    })?;
                }
                m.set_answers(&answers);
            }
            other => {
                return Err(match read_only(other) {
                    Some(why) => Error::invalid(other, why),
                    None => Error::invalid("update_mask", format!("`{other}` is not a field of a project")),
                });
            }
        }
    }
    Ok(())
}

/// Does a change of these fields need the WAPs (Expected MRR inputs)?
fn touches_cost(mask: &[String]) -> bool {
    mask.iter().any(|p| p == "total_users" || p == "interested_solutions")
}

fn today() -> NaiveDate {
    time::now().date_naive()
}

fn mask_paths(mask: Option<&prost_types::FieldMask>) -> Vec<String> {
    mask.map(|m| m.paths.clone()).unwrap_or_default()
}

// --- list views ----------------------------------------------------------------

prm_kit::text_enum!(
    /// The list views every user has.
    BuiltInView {
        AllOpen => "all_open",
        MyProjects => "my_projects",
        ClosingThisMonth => "closing_this_month",
        RecentlyViewed => "recently_viewed",
    }
);

const OPEN: &str = r#"stage != "closed_won" AND stage != "closed_lost""#;
const DEFAULT_COLUMNS: &[&str] = &["name", "account_id", "stage", "close_date", "mrr", "owner_id"];
/// How many projects "recently viewed" shows.
const RECENT: u64 = 50;

impl BuiltInView {
    fn view(self, caller: &Caller) -> pb::ListView {
        let (name, filter, order_by) = match self {
            BuiltInView::AllOpen => ("All open projects", OPEN.to_string(), DEFAULT_ORDER),
            BuiltInView::MyProjects => ("My projects", format!(r#"owner_id = "{}""#, caller.user_id), DEFAULT_ORDER),
            BuiltInView::ClosingThisMonth => {
                let (first, last) = this_month();
                (
                    "Closing this month",
                    format!(r#"{OPEN} AND close_date >= "{first}" AND close_date <= "{last}""#),
                    DEFAULT_ORDER,
                )
            }
            BuiltInView::RecentlyViewed => ("Recently viewed", String::new(), ""),
        };
        pb::ListView {
            id: self.to_string(),
            name: name.into(),
            filter,
            order_by: order_by.into(),
            columns: DEFAULT_COLUMNS.iter().map(|c| c.to_string()).collect(),
            built_in: true,
        }
    }
}

/// The first and last day of the current month (UTC).
fn this_month() -> (NaiveDate, NaiveDate) {
    let today = today();
    let first = today.with_day(1).expect("day 1 exists");
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .expect("a valid month");
    (first, next.pred_opt().expect("a day before"))
}

/// Saved views of projects, kept by the kit.
static PROJECT_VIEWS: &dyn views::ViewCollection = &views::Collection {
    name: "projects",
    fields: PROJECT_FIELDS,
    id_column: project::Column::Id,
    default_order: DEFAULT_ORDER,
    display_only: DISPLAY_ONLY,
    default_columns: DEFAULT_COLUMNS,
    // Answered by ListListViews, which the project list resolves itself.
    built_ins: views::no_built_ins,
};

fn view_out(v: views::SavedView) -> pb::ListView {
    pb::ListView {
        id: v.id.to_string(),
        name: v.name,
        filter: v.filter,
        order_by: v.order_by,
        columns: v.columns,
        built_in: false,
    }
}

fn view_in(v: pb::ListView) -> views::ViewInput {
    views::ViewInput { name: v.name, filter: v.filter, order_by: v.order_by, columns: v.columns }
}

/// What a view asks for.
enum ViewQuery {
    Filtered { filter: String, order_by: String },
    Recent,
}

impl ProjectApi {
    async fn resolve_view(&self, caller: &Caller, view: &str) -> Result<ViewQuery> {
        if view.is_empty() {
            return Ok(ViewQuery::Filtered { filter: String::new(), order_by: String::new() });
        }
        if let Ok(b) = BuiltInView::from_str(view) {
            if b == BuiltInView::RecentlyViewed {
                return Ok(ViewQuery::Recent);
            }
            let v = b.view(caller);
            return Ok(ViewQuery::Filtered { filter: v.filter, order_by: v.order_by });
        }
        let id = Uuid::parse_str(view).map_err(|_| Error::invalid("view", "names no list view"))?;
        let v =
            PROJECT_VIEWS.get(&self.db, caller, id).await.map_err(|_| Error::invalid("view", "names no list view"))?;
        Ok(ViewQuery::Filtered { filter: v.filter, order_by: v.order_by })
    }

    /// The projects the caller opened last, newest first.
    async fn recently_viewed(&self, caller: &Caller) -> Result<Vec<project::Model>> {
        let seen: Vec<Uuid> = project_view::Entity::find()
            .select_only()
            .column(project_view::Column::ProjectId)
            .filter(project_view::Column::UserId.eq(caller.user_id))
            .order_by_desc(project_view::Column::ViewTime)
            .limit(RECENT)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut rows = owned::visible::<project::Entity>(caller)
            .filter(project::Column::Id.is_in(seen.iter().copied()))
            .all(&self.db)
            .await?;
        // Newest view first; a project no longer visible drops out.
        rows.sort_by_key(|p| seen.iter().position(|id| *id == p.id));
        Ok(rows)
    }

    /// A page of projects: the view's filter and the request's, ANDed, and
    /// the request's order or else the view's.
    async fn page(
        &self,
        caller: &Caller,
        view: &str,
        filter: &str,
        order_by: &str,
        page_size: i32,
        page_token: &str,
    ) -> Result<(Vec<project::Model>, String)> {
        let (view_filter, view_order) = match self.resolve_view(caller, view).await? {
            ViewQuery::Filtered { filter, order_by } => (filter, order_by),
            ViewQuery::Recent => {
                let mut rows = self.recently_viewed(caller).await?;
                if !filter.trim().is_empty() || !order_by.trim().is_empty() || !page_token.is_empty() {
                    return Err(Error::invalid("view", "recently_viewed takes no filter, order or page token"));
                }
                rows.truncate(usize::try_from(page_size).ok().filter(|n| *n > 0).unwrap_or(RECENT as usize));
                return Ok((rows, String::new()));
            }
        };
        let filter = and(&view_filter, filter);
        let order_by = if order_by.trim().is_empty() { view_order.as_str() } else { order_by };
        let listing = Listing::parse(
            ListParams { page_size, page_token, filter: &filter, order_by },
            PROJECT_FIELDS,
            project::Column::Id,
            DEFAULT_ORDER,
        )?;
        let rows = listing.apply(owned::visible::<project::Entity>(caller)).all(&self.db).await?;
        Ok(listing.page(rows, sort_key))
    }

    /// The board's filter: the view's and the request's, with the record type.
    async fn board_filter(&self, caller: &Caller, view: &str, filter: &str) -> Result<String> {
        match self.resolve_view(caller, view).await? {
            ViewQuery::Filtered { filter: f, .. } => Ok(and(&f, filter)),
            ViewQuery::Recent => Err(Error::invalid("view", "recently_viewed cannot be shown as a board")),
        }
    }
}

fn record_type_condition(rt: Option<RecordType>) -> Condition {
    match rt {
        Some(rt) => Condition::all().add(project::Column::RecordType.eq(rt.to_string())),
        None => Condition::all(),
    }
}

/// A board column's cards: the column's stage joins the filter, so a page
/// token of one column is refused by another.
fn column_filter(filter: &str, stage: Stage) -> String {
    and(filter, &format!(r#"stage = "{stage}""#))
}

#[derive(Debug, FromQueryResult)]
struct ColumnTotal {
    stage: String,
    currency: String,
    count: i64,
    mrr_units: Option<i64>,
}

// --- the service -----------------------------------------------------------------

#[tonic::async_trait]
impl ProjectService for ProjectApi {
    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_project(&self, req: Request<pb::GetProjectRequest>) -> Reply<pb::GetProjectResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let m = owned::find::<project::Entity, _>(&self.db, &caller, id).await?;
        // Remembered for the "recently viewed" list view.
        let seen = project_view::ActiveModel {
            user_id: Set(caller.user_id),
            project_id: Set(id),
            view_time: Set(time::now()),
        };
        project_view::Entity::insert(seen)
            .on_conflict(
                OnConflict::columns([project_view::Column::UserId, project_view::Column::ProjectId])
                    .update_column(project_view::Column::ViewTime)
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(Error::from)?;
        Ok(Response::new(pb::GetProjectResponse { project: Some(project_out(&m)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_projects(&self, req: Request<pb::ListProjectsRequest>) -> Reply<pb::ListProjectsResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let (rows, next_page_token) =
            self.page(&caller, &r.view, &r.filter, &r.order_by, r.page_size, &r.page_token).await?;
        Ok(Response::new(pb::ListProjectsResponse {
            projects: rows.iter().map(project_out).collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_project(&self, req: Request<pb::CreateProjectRequest>) -> Reply<pb::CreateProjectResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let raw = r.project.as_ref().ok_or_else(|| Error::invalid("project", "is required"))?;
        let partner_id = caller.creating_partner()?;
        let id = if r.project_id.is_empty() { Uuid::now_v7() } else { parse_id(&r.project_id, "project_id")? };
        // A retried create answers what the first one made.
        if let Some(existing) = owned::created_before::<project::Entity, _>(&self.db, partner_id, id).await? {
            return Ok(Response::new(pb::CreateProjectResponse { project: Some(project_out(&existing)) }));
        }
        let rt = record_type_in(raw.record_type, "record_type")?
            .ok_or_else(|| Error::invalid("record_type", "is required: new_business or existing_customer"))?;
        let account_id = parse_id(&raw.account_id, "account_id")?;
        let currency = if raw.currency_code.is_empty() { "EUR".to_string() } else { raw.currency_code.clone() };
        let currency = Currency::parse("currency_code", &currency)?;
        if raw.close_date.trim().is_empty() {
            return Err(Error::invalid("close_date", "is required").into());
        }
        let settings = Settings::load(&self.db).await?;
        let stage = rt.first_stage();
        let now = time::now();
        let mut m = project::Model {
            id,
            partner_id,
            owner_id: caller.user_id,
            account_id,
            name: String::new(),
            record_type: rt.to_string(),
            stage: stage.to_string(),
            probability: settings.probabilities.of(stage).get().into(),
            close_date: String::new(),
            total_users: 0,
            users_of_poc: None,
            solution_licenses: false,
            solution_hwaas: false,
            solution_classound: false,
            amount_mrr_units: None,
            capex_units: None,
            verbal_agreement: false,
            currency: currency.as_str().to_string(),
            description: String::new(),
            next_step: String::new(),
            expected_mrr_units: 0,
            mrr_units: 0,
            weighted_pipeline_units: 0,
            primary_quote_id: None,
            primary_quote_mrr_units: None,
            demo_answers: "{}".into(),
            demo_date: None,
            pipeline_mrr_units: None,
            approved_by_am: false,
            lost_reason: String::new(),
            held_event: String::new(),
            create_time: now,
            update_time: now,
        };
        let fields: Vec<String> =
            EDITABLE.iter().filter(|f| !matches!(**f, "probability" | "demo_answers")).map(|f| f.to_string()).collect();
        apply_fields(&mut m, raw, &fields, &settings)?;
        if !raw.demo_answers.is_empty() {
            return Err(Error::invalid("demo_answers", "are given once the project is in Demo").into());
        }
        // The account must be one the caller sees, of the same partner, both
        // before the project is stored and after (an account deleted
        // meanwhile takes the new project with it).
        let references = &self.clients.references;
        references.check(&caller, Kind::Account, account_id, partner_id, "account_id").await?;
        let waps = self.clients.waps(&caller, &m.currency).await?;
        m.recompute(Some(&waps))?;
        let m = owned::insert_once::<project::Entity>(&self.db, m).await?;
        let db = self.db.clone();
        references
            .confirm(&caller, Kind::Account, account_id, partner_id, "account_id", move || async move {
                owned::remove_new::<project::Entity>(&db, m.id).await
            })
            .await?;
        tracing::info!(project_id = %m.id, partner_id = %m.partner_id, "project created");
        Ok(Response::new(pb::CreateProjectResponse { project: Some(project_out(&m)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_project(&self, req: Request<pb::UpdateProjectRequest>) -> Reply<pb::UpdateProjectResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let raw = r.project.ok_or_else(|| Error::invalid("project", "is required"))?;
        let id = parse_id(&raw.id, "id")?;
        let mask = mask_paths(r.update_mask.as_ref());
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field to change").into());
        }
        let settings = Settings::load(&self.db).await?;
        let waps = if touches_cost(&mask) {
            let current = owned::find::<project::Entity, _>(&self.db, &caller, id).await?;
            Some(self.clients.waps(&caller, &current.currency).await?)
        } else {
            None
        };
        let updated = owned::edit::<project::Entity>(&self.db, &caller, id, |current| {
            let mut next = current.clone();
            apply_fields(&mut next, &raw, &mask, &settings)?;
            next.recompute(waps.as_ref())?;
            // A gate field may have opened the way for a held event.
            next.retry_held(&settings, today())?;
            next.update_time = time::now();
            let changes = next.changes_since(current);
            let other_change = next.description != current.description || next.demo_answers != current.demo_answers;
            if changes.is_empty() && !other_change {
                return Ok(None);
            }
            Ok(Some((next, changes)))
        })
        .await?;
        Ok(Response::new(pb::UpdateProjectResponse { project: Some(project_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn delete_project(&self, req: Request<pb::DeleteProjectRequest>) -> Reply<pb::DeleteProjectResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        // Quotes name their project: a project with quotes is not deleted.
        // The fence keeps a quote created meanwhile from naming it once it
        // is gone.
        let dependents = |current: &project::Model| {
            let partner_id = current.partner_id;
            async move {
                let (quotes, more) = self.clients.quotes_of(partner_id, id).await?;
                crate::domain::delete_refusal(&quotes, more).map_or(Ok(()), |why| Err(Error::FailedPrecondition(why)))
            }
        };
        owned::delete_fenced::<project::Entity, _, _, _>(&self.db, &caller, id, dependents, |txn| {
            Box::pin(async move {
                project_contact::Entity::delete_many()
                    .filter(project_contact::Column::ProjectId.eq(id))
                    .exec(txn)
                    .await?;
                project_view::Entity::delete_many().filter(project_view::Column::ProjectId.eq(id)).exec(txn).await?;
                Ok(())
            })
        })
        .await?;
        Ok(Response::new(pb::DeleteProjectResponse {}))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn change_project_owner(
        &self,
        req: Request<pb::ChangeProjectOwnerRequest>,
    ) -> Reply<pb::ChangeProjectOwnerResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let new_owner = parse_id(&req.get_ref().new_owner_id, "new_owner_id")?;
        let updated = owned::change_owner::<project::Entity>(&self.db, &caller, id, new_owner).await?;
        Ok(Response::new(pb::ChangeProjectOwnerResponse { project: Some(project_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id, stage = req.get_ref().stage))]
    async fn move_project(&self, req: Request<pb::MoveProjectRequest>) -> Reply<pb::MoveProjectResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let id = parse_id(&r.id, "id")?;
        let to = stage_in(r.stage, "stage")?;
        let reason = if to == Stage::ClosedLost {
            Some(LostReason::parse("lost_reason", &r.lost_reason)?)
        } else if !r.lost_reason.is_empty() {
            return Err(Error::invalid("lost_reason", "is given only when closing as lost").into());
        } else {
            None
        };
        let settings = Settings::load(&self.db).await?;
        let updated = owned::edit::<project::Entity>(&self.db, &caller, id, |current| {
            let facts = current.facts()?;
            let mv = match &reason {
                Some(reason) => close_lost(&facts, reason)?,
                None => move_by_user(&facts, to)?,
            };
            let mut next = current.clone();
            next.apply_move(mv, &settings, today())?;
            if let Some(reason) = &reason {
                next.lost_reason = reason.as_str().to_string();
                next.held_event.clear();
            }
            next.update_time = time::now();
            let changes = next.changes_since(current);
            Ok(Some((next, changes)))
        })
        .await?;
        tracing::info!(project_id = %id, stage = %updated.stage, "project moved");
        Ok(Response::new(pb::MoveProjectResponse { project: Some(project_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn clone_project(&self, req: Request<pb::CloneProjectRequest>) -> Reply<pb::CloneProjectResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let id = parse_id(&r.id, "id")?;
        let source = owned::find::<project::Entity, _>(&self.db, &caller, id).await?;
        if caller.creating_partner()? != source.partner_id {
            return Err(Error::NotFound.into());
        }
        let name = if r.name.trim().is_empty() {
            let mut n = format!("{} (copy)", source.name);
            if n.chars().count() > 255 {
                n = n.chars().take(255).collect();
            }
            n
        } else {
            required_line("name", &r.name, 255)?
        };
        let settings = Settings::load(&self.db).await?;
        let rt = source.position()?.record_type();
        let stage = rt.first_stage();
        let now = time::now();
        // A copy of what people typed: no quotes (so no primary quote MRR),
        // no history, no Bonus Pipeline state, back at the first stage.
        let mut copy = project::Model {
            id: Uuid::now_v7(),
            owner_id: caller.user_id,
            name,
            stage: stage.to_string(),
            probability: settings.probabilities.of(stage).get().into(),
            primary_quote_id: None,
            primary_quote_mrr_units: None,
            demo_answers: "{}".into(),
            demo_date: None,
            pipeline_mrr_units: None,
            approved_by_am: false,
            lost_reason: String::new(),
            held_event: String::new(),
            create_time: now,
            update_time: now,
            ..source.clone()
        };
        copy.recompute(None)?;
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let copy = copy.into_active_model().reset_all().insert(&txn).await.map_err(Error::from)?;
        crate::store::index(&txn, &copy).await?;
        let contacts = project_contact::Entity::find()
            .filter(project_contact::Column::ProjectId.eq(id))
            .all(&txn)
            .await
            .map_err(Error::from)?;
        for c in contacts {
            project_contact::ActiveModel {
                project_id: Set(copy.id),
                contact_id: Set(c.contact_id),
                role: Set(c.role),
                create_time: Set(now),
            }
            .insert(&txn)
            .await
            .map_err(Error::from)?;
        }
        txn.commit().await.map_err(Error::from)?;
        tracing::info!(project_id = %copy.id, from = %id, "project cloned");
        Ok(Response::new(pb::CloneProjectResponse { project: Some(project_out(&copy)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn set_approved_by_am(&self, req: Request<pb::SetApprovedByAmRequest>) -> Reply<pb::SetApprovedByAmResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let approved = req.get_ref().approved;
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let current = owned::find_for_update::<project::Entity, _>(&txn, &caller, id).await?;
        let mut bonus = current.bonus()?;
        bonus.set_approved_by_am(&caller, current.partner_id, approved)?;
        let mut next = current.clone();
        next.approved_by_am = bonus.approved_by_am();
        let changes = next.changes_since(&current);
        if changes.is_empty() {
            return Ok(Response::new(pb::SetApprovedByAmResponse { project: Some(project_out(&current)) }));
        }
        next.update_time = time::now();
        let next = next.into_active_model().reset_all().update(&txn).await.map_err(Error::from)?;
        record::write_history(&txn, Kind::Project, id, next.partner_id, caller.user_id, &changes).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::SetApprovedByAmResponse { project: Some(project_out(&next)) }))
    }

    #[tracing::instrument(skip_all, fields(project_id = %req.get_ref().project_id))]
    async fn create_project_quote(
        &self,
        req: Request<pb::CreateProjectQuoteRequest>,
    ) -> Reply<pb::CreateProjectQuoteResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let id = parse_id(&r.project_id, "project_id")?;
        let p = owned::find::<project::Entity, _>(&self.db, &caller, id).await?;
        if p.position()?.stage().is_closed() {
            return Err(Error::FailedPrecondition(format!("the project is {}: it takes no new quote", p.stage)).into());
        }
        let mut quote = r.quote.clone().unwrap_or_default();
        for (field, given, own) in [
            ("quote.project_id", &quote.project_id, p.id.to_string()),
            ("quote.account_id", &quote.account_id, p.account_id.to_string()),
            ("quote.currency_code", &quote.currency_code, p.currency.clone()),
        ] {
            if !given.is_empty() && *given != own {
                return Err(Error::invalid(field, "is the project's").into());
            }
        }
        quote.project_id = p.id.to_string();
        quote.account_id = p.account_id.to_string();
        quote.currency_code = p.currency.clone();
        if quote.name.trim().is_empty() {
            quote.name = p.name.clone();
        }
        let created = self
            .clients
            .quote(&caller)?
            .create_quote(qpb::CreateQuoteRequest { quote: Some(quote) })
            .await
            .map_err(|s| downstream("quote", s))?
            .into_inner();
        Ok(Response::new(pb::CreateProjectQuoteResponse { quote: created.quote }))
    }

    #[tracing::instrument(skip_all, fields(project_id = %req.get_ref().project_id))]
    async fn list_project_contacts(
        &self,
        req: Request<pb::ListProjectContactsRequest>,
    ) -> Reply<pb::ListProjectContactsResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().project_id, "project_id")?;
        owned::find::<project::Entity, _>(&self.db, &caller, id).await?;
        let rows = project_contact::Entity::find()
            .filter(project_contact::Column::ProjectId.eq(id))
            .order_by_asc(project_contact::Column::CreateTime)
            .order_by_asc(project_contact::Column::ContactId)
            .all(&self.db)
            .await
            .map_err(Error::from)?;
        Ok(Response::new(pb::ListProjectContactsResponse { contacts: rows.iter().map(contact_out).collect() }))
    }

    #[tracing::instrument(skip_all, fields(project_id = %req.get_ref().project_id))]
    async fn set_project_contact(
        &self,
        req: Request<pb::SetProjectContactRequest>,
    ) -> Reply<pb::SetProjectContactResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let id = parse_id(&r.project_id, "project_id")?;
        let c = r.contact.as_ref().ok_or_else(|| Error::invalid("contact", "is required"))?;
        let contact_id = parse_id(&c.contact_id, "contact.contact_id")?;
        let role = required_line("contact.role", &c.role, 100)?;
        let p = owned::find::<project::Entity, _>(&self.db, &caller, id).await?;
        if !caller.may_edit(p.partner_id, p.owner_id) {
            return Err(Error::PermissionDenied(format!("a {} may not change this project", caller.role)).into());
        }
        let contact = self
            .clients
            .account(&caller)?
            .get_contact(apb::GetContactRequest { id: contact_id.to_string() })
            .await
            .map_err(|s| match s.code() {
                tonic::Code::NotFound => Error::invalid("contact.contact_id", "names no contact of this partner"),
                _ => downstream("account", s),
            })?
            .into_inner()
            .contact
            .unwrap_or_default();
        if contact.partner_id != p.partner_id.to_string() {
            return Err(Error::invalid("contact.contact_id", "names no contact of this partner").into());
        }
        if contact.account_id != p.account_id.to_string() {
            return Err(Error::invalid("contact.contact_id", "is not a contact of the project's account").into());
        }
        let row = project_contact::ActiveModel {
            project_id: Set(id),
            contact_id: Set(contact_id),
            role: Set(role),
            create_time: Set(time::now()),
        };
        project_contact::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([project_contact::Column::ProjectId, project_contact::Column::ContactId])
                    .update_column(project_contact::Column::Role)
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(Error::from)?;
        // A contact deleted meanwhile leaves its roles through an event that
        // may have come and gone already: look again, now the role is stored.
        let db = self.db.clone();
        let undo = move || async move {
            project_contact::Entity::delete_by_id((id, contact_id)).exec(&db).await?;
            Ok(())
        };
        self.clients
            .references
            .confirm(&caller, Kind::Contact, contact_id, p.partner_id, "contact.contact_id", undo)
            .await?;
        let saved = project_contact::Entity::find_by_id((id, contact_id))
            .one(&self.db)
            .await
            .map_err(Error::from)?
            .ok_or(Error::NotFound)?;
        Ok(Response::new(pb::SetProjectContactResponse { contact: Some(contact_out(&saved)) }))
    }

    #[tracing::instrument(skip_all, fields(project_id = %req.get_ref().project_id))]
    async fn remove_project_contact(
        &self,
        req: Request<pb::RemoveProjectContactRequest>,
    ) -> Reply<pb::RemoveProjectContactResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let id = parse_id(&r.project_id, "project_id")?;
        let contact_id = parse_id(&r.contact_id, "contact_id")?;
        let p = owned::find::<project::Entity, _>(&self.db, &caller, id).await?;
        if !caller.may_edit(p.partner_id, p.owner_id) {
            return Err(Error::PermissionDenied(format!("a {} may not change this project", caller.role)).into());
        }
        let gone = project_contact::Entity::delete_by_id((id, contact_id)).exec(&self.db).await.map_err(Error::from)?;
        if gone.rows_affected == 0 {
            return Err(Error::NotFound.into());
        }
        Ok(Response::new(pb::RemoveProjectContactResponse {}))
    }

    #[tracing::instrument(skip_all)]
    async fn get_project_board(&self, req: Request<pb::GetProjectBoardRequest>) -> Reply<pb::GetProjectBoardResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let rt = record_type_in(r.record_type, "record_type")?;
        let filter = self.board_filter(&caller, &r.view, &r.filter).await?;
        let listing = Listing::parse(
            ListParams { page_size: 1, page_token: "", filter: &filter, order_by: DEFAULT_ORDER },
            PROJECT_FIELDS,
            project::Column::Id,
            DEFAULT_ORDER,
        )?;
        // Counts and MRR totals of every column in one grouped query.
        let totals: Vec<ColumnTotal> = listing
            .filter_only(owned::visible::<project::Entity>(&caller).filter(record_type_condition(rt)))
            .select_only()
            .column(project::Column::Stage)
            .column(project::Column::Currency)
            .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "count")
            // PostgreSQL sums bigints into numeric: cast back to a bigint.
            .column_as(
                Expr::from(Func::cast_as(Func::sum(Expr::col(project::Column::MrrUnits)), Alias::new("BIGINT"))),
                "mrr_units",
            )
            .group_by(project::Column::Stage)
            .group_by(project::Column::Currency)
            .into_model::<ColumnTotal>()
            .all(&self.db)
            .await
            .map_err(Error::from)?;
        let stages: Vec<Stage> = match rt {
            Some(rt) => rt.stages().collect(),
            None => Stage::ALL.to_vec(),
        };
        let mut columns = Vec::with_capacity(stages.len());
        for stage in stages {
            let mut count = 0;
            let mut mrr_total = BTreeMap::new();
            for t in totals.iter().filter(|t| t.stage == stage.as_str()) {
                count += t.count;
                // SQL sums stay exact: integer units on every backend.
                mrr_total.insert(t.currency.clone(), write_units(&t.currency, t.mrr_units.unwrap_or(0)));
            }
            let (cards, next_page_token) = if count == 0 {
                (vec![], String::new())
            } else {
                self.column_page(&caller, rt, &filter, stage, r.page_size, "").await?
            };
            columns.push(pb::BoardColumn {
                stage: stage_out(stage) as i32,
                count,
                mrr_total: mrr_total.into_iter().collect(),
                projects: cards.iter().map(project_out).collect(),
                next_page_token,
            });
        }
        Ok(Response::new(pb::GetProjectBoardResponse { columns }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_board_column(&self, req: Request<pb::ListBoardColumnRequest>) -> Reply<pb::ListBoardColumnResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let rt = record_type_in(r.record_type, "record_type")?;
        let stage = stage_in(r.stage, "stage")?;
        if let Some(rt) = rt
            && !rt.has(stage)
        {
            return Err(Error::invalid("stage", format!("is not a stage of {} projects", rt.label())).into());
        }
        let filter = self.board_filter(&caller, &r.view, &r.filter).await?;
        let (cards, next_page_token) =
            self.column_page(&caller, rt, &filter, stage, r.page_size, &r.page_token).await?;
        Ok(Response::new(pb::ListBoardColumnResponse {
            projects: cards.iter().map(project_out).collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_list_views(&self, req: Request<pb::ListListViewsRequest>) -> Reply<pb::ListListViewsResponse> {
        let caller = Caller::of(&req)?;
        let mut views: Vec<pb::ListView> =
            BuiltInView::NAMES.iter().filter_map(|n| BuiltInView::from_str(n).ok()).map(|b| b.view(&caller)).collect();
        views.extend(PROJECT_VIEWS.list(&self.db, &caller).await?.into_iter().map(view_out));
        Ok(Response::new(pb::ListListViewsResponse { views }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_list_view(&self, req: Request<pb::CreateListViewRequest>) -> Reply<pb::CreateListViewResponse> {
        let caller = Caller::of(&req)?;
        let v = req.into_inner().view.ok_or_else(|| Error::invalid("view", "is required"))?;
        let saved = PROJECT_VIEWS.create(&self.db, &caller, view_in(v)).await?;
        Ok(Response::new(pb::CreateListViewResponse { view: Some(view_out(saved)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_list_view(&self, req: Request<pb::UpdateListViewRequest>) -> Reply<pb::UpdateListViewResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let v = r.view.ok_or_else(|| Error::invalid("view", "is required"))?;
        if BuiltInView::from_str(&v.id).is_ok() {
            return Err(Error::FailedPrecondition("built-in list views cannot be changed".into()).into());
        }
        let id = parse_id(&v.id, "view.id")?;
        let mask = mask_paths(r.update_mask.as_ref());
        let saved = PROJECT_VIEWS.update(&self.db, &caller, id, view_in(v), &mask).await?;
        Ok(Response::new(pb::UpdateListViewResponse { view: Some(view_out(saved)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn delete_list_view(&self, req: Request<pb::DeleteListViewRequest>) -> Reply<pb::DeleteListViewResponse> {
        let caller = Caller::of(&req)?;
        if BuiltInView::from_str(&req.get_ref().id).is_ok() {
            return Err(Error::FailedPrecondition("built-in list views cannot be deleted".into()).into());
        }
        let id = parse_id(&req.get_ref().id, "id")?;
        PROJECT_VIEWS.delete(&self.db, &caller, id).await?;
        Ok(Response::new(pb::DeleteListViewResponse {}))
    }

    #[tracing::instrument(skip_all)]
    async fn get_project_settings(
        &self,
        req: Request<pb::GetProjectSettingsRequest>,
    ) -> Reply<pb::GetProjectSettingsResponse> {
        Caller::of(&req)?;
        let settings = Settings::load(&self.db).await?;
        Ok(Response::new(pb::GetProjectSettingsResponse { settings: Some(settings_out(&settings)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_project_settings(
        &self,
        req: Request<pb::UpdateProjectSettingsRequest>,
    ) -> Reply<pb::UpdateProjectSettingsResponse> {
        let caller = Caller::of(&req)?;
        if !matches!(caller.role, Role::VendorAdmin | Role::Ops) {
            return Err(Error::PermissionDenied("only a vendor admin changes the project settings".into()).into());
        }
        let r = req.get_ref();
        let given = r.settings.clone().unwrap_or_default();
        let mask = mask_paths(r.update_mask.as_ref());
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no setting to change").into());
        }
        let txn = self.db.begin().await.map_err(Error::from)?;
        let mut settings = Settings::load(&txn).await?;
        for path in &mask {
            match path.as_str() {
                "probabilities" => {
                    let mut table = settings.probabilities.clone();
                    for (i, sp) in given.probabilities.iter().enumerate() {
                        let stage = stage_in(sp.stage, &format!("settings.probabilities[{i}].stage"))?;
                        let p =
                            Percent::parse(&format!("settings.probabilities[{i}].probability"), sp.probability.into())?;
                        table = table.with(stage, p)?;
                    }
                    settings.probabilities = table;
                }
                "demo_questions" => {
                    let questions = given.demo_questions.iter().enumerate().map(|(i, q)| {
                        let id = if q.id.is_empty() {
                            Ok(Uuid::now_v7())
                        } else {
                            parse_id(&q.id, &format!("settings.demo_questions[{i}].id"))
                        };
                        id.map(|id| (id, q.text.clone()))
                    });
                    settings.questions = DemoQuestions::new(questions.collect::<Result<Vec<_>>>()?)?;
                }
                other => {
                    return Err(Error::invalid("update_mask", format!("`{other}` is not a project setting")).into());
                }
            }
        }
        settings.save(&txn).await?;
        txn.commit().await.map_err(Error::from)?;
        tracing::info!("project settings changed");
        Ok(Response::new(pb::UpdateProjectSettingsResponse { settings: Some(settings_out(&settings)) }))
    }
}

impl ProjectApi {
    /// A page of one board column, by close date.
    async fn column_page(
        &self,
        caller: &Caller,
        rt: Option<RecordType>,
        filter: &str,
        stage: Stage,
        page_size: i32,
        page_token: &str,
    ) -> Result<(Vec<project::Model>, String)> {
        let filter = column_filter(filter, stage);
        let listing = Listing::parse(
            ListParams {
                page_size: if page_size == 0 { 20 } else { page_size },
                page_token,
                filter: &filter,
                order_by: DEFAULT_ORDER,
            },
            PROJECT_FIELDS,
            project::Column::Id,
            DEFAULT_ORDER,
        )?;
        let rows = listing
            .apply(owned::visible::<project::Entity>(caller).filter(record_type_condition(rt)))
            .all(&self.db)
            .await?;
        Ok(listing.page(rows, sort_key))
    }
}

fn contact_out(c: &project_contact::Model) -> pb::ProjectContact {
    pb::ProjectContact {
        contact_id: c.contact_id.to_string(),
        role: c.role.clone(),
        create_time: Some(time::to_proto(c.create_time)),
    }
}

fn settings_out(s: &Settings) -> pb::ProjectSettings {
    pb::ProjectSettings {
        probabilities: s
            .probabilities
            .iter()
            .map(|(stage, p)| pb::StageProbability { stage: stage_out(stage) as i32, probability: p.get().into() })
            .collect(),
        demo_questions: s
            .questions
            .iter()
            .map(|q| pb::DemoQuestion { id: q.id().to_string(), text: q.text().to_string() })
            .collect(),
    }
}
