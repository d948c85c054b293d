//! `/api/v1/home`: the news & updates, and the statistics of DOMAIN.md for
//! the caller's scope. Each figure is an aggregate computed by the database
//! of the service that owns the records (`prm.record.v1.AggregateService`),
//! asked concurrently; a service that does not answer leaves its figures
//! empty and is listed as missing. `/api/v1/news`: vendor admins post, edit
//! and retire news; everyone reads the current ones.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use futures::future::join;
use prm_proto::record::v1::{self as rpb, AggregateFunction, AggregateRequest, Grouping, Measure};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::split_verb;
use crate::{
    app::AppState,
    auth::Auth,
    fanout::{self, Missing},
    identity::Role,
    news::{self, NewsItem},
    problem::{ApiJson, ApiQuery, Problem},
    services::Acting,
};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewsJson {
    pub id: String,
    pub title: String,
    pub body: String,
    pub author_id: String,
    pub publish_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    /// Set once retired; retired news is shown to vendor admins only.
    pub retire_time: Option<DateTime<Utc>>,
}

impl From<NewsItem> for NewsJson {
    fn from(n: NewsItem) -> Self {
        NewsJson {
            id: n.id.to_string(),
            title: n.title,
            body: n.body,
            author_id: n.author_id.to_string(),
            publish_time: n.publish_time,
            update_time: n.update_time,
            retire_time: n.retire_time,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StageCountJson {
    /// A stage of the project stage machine, in its order.
    #[schema(schema_with = super::projects::stage_schema)]
    pub stage: String,
    pub count: i64,
}

/// Money of open projects in one currency (sums never mix currencies).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PipelineJson {
    pub currency_code: String,
    /// Sum of MRR, exact decimal.
    pub mrr: String,
    /// Sum of weighted pipeline, exact decimal.
    pub weighted_pipeline: String,
}

/// The caller's figures; `null` where the owning service did not answer.
#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct StatisticsJson {
    /// Leads neither converted nor unqualified.
    pub open_leads: Option<i64>,
    /// Projects not closed (won or lost).
    pub open_projects: Option<i64>,
    pub open_projects_by_stage: Option<Vec<StageCountJson>>,
    /// Total MRR and weighted pipeline of the open projects, per currency.
    pub pipeline: Option<Vec<PipelineJson>>,
    /// Open projects whose close date falls in this calendar month (UTC).
    pub projects_closing_this_month: Option<i64>,
    /// Cases not solved or closed.
    pub open_cases: Option<i64>,
    /// The caller's own open tasks due today, and due before today.
    pub tasks_due_today: Option<i64>,
    pub tasks_overdue: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HomeJson {
    /// The newest current news, newest first.
    pub news: Vec<NewsJson>,
    pub statistics: StatisticsJson,
    /// Services that did not answer: their figures are `null`.
    pub missing: Vec<Missing>,
}

const OPEN_PROJECTS: &str = r#"stage != "closed_won" AND stage != "closed_lost""#;

fn count() -> Measure {
    Measure { function: AggregateFunction::Count as i32, field: String::new() }
}

fn sum(field: &str) -> Measure {
    Measure { function: AggregateFunction::Sum as i32, field: field.into() }
}

fn by(field: &str) -> Grouping {
    Grouping { field: field.into(), bucket: 0 }
}

fn aggregate(collection: &str, filter: String, group_by: Vec<Grouping>, measures: Vec<Measure>) -> AggregateRequest {
    AggregateRequest { collection: collection.into(), filter, group_by, measures }
}

/// The single count of an ungrouped count.
fn total(r: &rpb::AggregateResponse) -> i64 {
    r.rows.first().and_then(|row| row.values.first()).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// First and last day of `today`'s month.
fn month_of(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = today.with_day(1).expect("day 1 exists");
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .expect("a valid month");
    (first, next.pred_opt().expect("a day before"))
}

/// Stage keys of the aggregate in the stage machine's order.
fn stage_rank(stage: &str) -> i32 {
    super::projects::STAGE.value("stage", stage).ok().filter(|v| *v != 0).unwrap_or(i32::MAX)
}

/// Adds decimal text exactly.
fn add(a: &str, b: &str) -> String {
    let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap_or_default();
    (d(a) + d(b)).to_string()
}

#[utoipa::path(get, path = "/api/v1/home", tag = "home",
    responses((status = 200, body = HomeJson)))]
pub async fn home(acting: Acting, State(auth): State<Auth>) -> Result<Json<HomeJson>, Problem> {
    let today = Utc::now().date_naive();
    let (first, last) = month_of(today);
    let services = acting.services().clone();
    let me = acting.caller.user_id;

    let leads = {
        let client = acting.aggregates(&services.lead)?;
        let req =
            aggregate("leads", r#"status != "converted" AND status != "unqualified""#.into(), vec![], vec![count()]);
        async move { fanout::call("lead", { client }.aggregate(fanout::request(req))).await }
    };
    let projects = {
        let (c1, c2) = (acting.aggregates(&services.project)?, acting.aggregates(&services.project)?);
        let board = aggregate(
            "projects",
            OPEN_PROJECTS.into(),
            vec![by("stage"), by("currency_code")],
            vec![count(), sum("mrr"), sum("weighted_pipeline")],
        );
        let closing = aggregate(
            "projects",
            format!(r#"{OPEN_PROJECTS} AND close_date >= "{first}" AND close_date <= "{last}""#),
            vec![],
            vec![count()],
        );
        async move {
            let (b, c) = join(
                fanout::call("project", { c1 }.aggregate(fanout::request(board))),
                fanout::call("project", { c2 }.aggregate(fanout::request(closing))),
            )
            .await;
            Ok::<_, Missing>((b?, c?))
        }
    };
    let cases = {
        let client = acting.aggregates(&services.case)?;
        let req = aggregate("cases", r#"status != "solved" AND status != "closed""#.into(), vec![], vec![count()]);
        async move { fanout::call("case", { client }.aggregate(fanout::request(req))).await }
    };
    let tasks = {
        let (c1, c2) = (acting.aggregates(&services.task)?, acting.aggregates(&services.task)?);
        let mine = format!(r#"owner_id = "{me}" AND status != "completed""#);
        let due_today = aggregate("tasks", format!(r#"{mine} AND due_date = "{today}""#), vec![], vec![count()]);
        let overdue = aggregate("tasks", format!(r#"{mine} AND due_date < "{today}""#), vec![], vec![count()]);
        async move {
            let (t, o) = join(
                fanout::call("task", { c1 }.aggregate(fanout::request(due_today))),
                fanout::call("task", { c2 }.aggregate(fanout::request(overdue))),
            )
            .await;
            Ok::<_, Missing>((t?, o?))
        }
    };
    let news_items = news::list(auth.identity().connection(), false, news::HOME_ITEMS, None);

    let (((leads, projects), (cases, tasks)), news_items) =
        join(join(join(leads, projects), join(cases, tasks)), news_items).await;

    let mut stats = StatisticsJson::default();
    let mut missing = vec![];
    match leads {
        Ok(r) => stats.open_leads = Some(total(&r)),
        Err(m) => missing.push(m),
    }
    match projects {
        Ok((board, closing)) => {
            let mut by_stage: Vec<StageCountJson> = vec![];
            let mut pipeline: Vec<PipelineJson> = vec![];
            for row in &board.rows {
                let [stage, currency] = [&row.keys[0], &row.keys[1]];
                let n: i64 = row.values[0].parse().unwrap_or(0);
                match by_stage.iter_mut().find(|s| &s.stage == stage) {
                    Some(s) => s.count += n,
                    None => by_stage.push(StageCountJson { stage: stage.clone(), count: n }),
                }
                match pipeline.iter_mut().find(|p| &p.currency_code == currency) {
                    Some(p) => {
                        p.mrr = add(&p.mrr, &row.values[1]);
                        p.weighted_pipeline = add(&p.weighted_pipeline, &row.values[2]);
                    }
                    None => pipeline.push(PipelineJson {
                        currency_code: currency.clone(),
                        mrr: add("0.00", &row.values[1]),
                        weighted_pipeline: add("0.00", &row.values[2]),
                    }),
                }
            }
            by_stage.sort_by_key(|s| stage_rank(&s.stage));
            pipeline.sort_by(|a, b| a.currency_code.cmp(&b.currency_code));
            stats.open_projects = Some(by_stage.iter().map(|s| s.count).sum());
            stats.open_projects_by_stage = Some(by_stage);
            stats.pipeline = Some(pipeline);
            stats.projects_closing_this_month = Some(total(&closing));
        }
        Err(m) => missing.push(m),
    }
    match cases {
        Ok(r) => stats.open_cases = Some(total(&r)),
        Err(m) => missing.push(m),
    }
    match tasks {
        Ok((t, o)) => {
            stats.tasks_due_today = Some(total(&t));
            stats.tasks_overdue = Some(total(&o));
        }
        Err(m) => missing.push(m),
    }
    let news = news_items.map_err(Problem::from)?.into_iter().map(NewsJson::from).collect();
    Ok(Json(HomeJson { news, statistics: stats, missing }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct NewsQuery {
    /// Items per page (default 20, at most 100).
    pub page_size: i32,
    pub page_token: String,
    /// Vendor admins only: retired items too.
    pub include_retired: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewsPage {
    pub items: Vec<NewsJson>,
    pub next_page_token: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewsInput {
    pub title: Option<String>,
    pub body: Option<String>,
}

fn vendor_admin(acting: &Acting) -> Result<(), Problem> {
    if acting.user.role == Role::VendorAdmin {
        Ok(())
    } else {
        Err(Problem::new(StatusCode::FORBIDDEN, "Only vendor admins post and change news."))
    }
}

/// A page token: the last item's publish time and id.
fn token(n: &NewsItem) -> String {
    format!("{}_{}", n.publish_time.timestamp_micros(), n.id)
}

fn parse_token(s: &str) -> Result<Option<(DateTime<Utc>, Uuid)>, Problem> {
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || Problem::bad_request_field("page_token", "is not a token of this list");
    let (t, id) = s.split_once('_').ok_or_else(bad)?;
    let t = DateTime::from_timestamp_micros(t.parse().map_err(|_| bad())?).ok_or_else(bad)?;
    Ok(Some((t, Uuid::parse_str(id).map_err(|_| bad())?)))
}

#[utoipa::path(get, path = "/api/v1/news", tag = "home", params(NewsQuery),
    responses((status = 200, body = NewsPage), (status = 400)))]
pub async fn list(
    acting: Acting,
    State(auth): State<Auth>,
    ApiQuery(q): ApiQuery<NewsQuery>,
) -> Result<Json<NewsPage>, Problem> {
    if q.include_retired {
        vendor_admin(&acting)?;
    }
    let size = match q.page_size {
        0 => 20,
        n if n < 0 => return Err(Problem::bad_request_field("page_size", "must not be negative")),
        n => (n as u64).min(100),
    };
    let mut items = news::list(auth.identity().connection(), q.include_retired, size + 1, parse_token(&q.page_token)?)
        .await
        .map_err(Problem::from)?;
    let next = if items.len() as u64 > size {
        items.truncate(size as usize);
        items.last().map(token).unwrap_or_default()
    } else {
        String::new()
    };
    Ok(Json(NewsPage { items: items.into_iter().map(NewsJson::from).collect(), next_page_token: next }))
}

#[utoipa::path(post, path = "/api/v1/news", tag = "home", request_body = NewsInput,
    responses((status = 201, body = NewsJson), (status = 400), (status = 403, description = "not a vendor admin")))]
pub async fn create(
    acting: Acting,
    State(auth): State<Auth>,
    ApiJson(i): ApiJson<NewsInput>,
) -> Result<Response, Problem> {
    vendor_admin(&acting)?;
    let n = news::post(
        auth.identity().connection(),
        acting.user.user_id,
        i.title.as_deref().unwrap_or(""),
        i.body.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(NewsJson::from(n))).into_response())
}

fn news_id(s: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(s).map_err(|_| Problem::not_found())
}

#[utoipa::path(get, path = "/api/v1/news/{id}", tag = "home",
    responses((status = 200, body = NewsJson), (status = 404)))]
pub async fn read(acting: Acting, State(auth): State<Auth>, Path(id): Path<String>) -> Result<Json<NewsJson>, Problem> {
    let n = news::get(auth.identity().connection(), news_id(&id)?).await?;
    if n.retire_time.is_some() && acting.user.role != Role::VendorAdmin {
        return Err(Problem::not_found());
    }
    Ok(Json(n.into()))
}

#[utoipa::path(patch, path = "/api/v1/news/{id}", tag = "home", request_body = NewsInput,
    responses((status = 200, body = NewsJson), (status = 400), (status = 403), (status = 404)))]
pub async fn update(
    acting: Acting,
    State(auth): State<Auth>,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<NewsInput>,
) -> Result<Json<NewsJson>, Problem> {
    vendor_admin(&acting)?;
    let n = news::edit(auth.identity().connection(), news_id(&id)?, i.title.as_deref(), i.body.as_deref()).await?;
    Ok(Json(n.into()))
}

/// `POST /api/v1/news/{id}:retire` takes an item off the home page.
#[utoipa::path(post, path = "/api/v1/news/{id}:retire", tag = "home",
    responses((status = 200, body = NewsJson), (status = 403), (status = 404)))]
pub async fn custom(
    acting: Acting,
    State(auth): State<Auth>,
    Path(seg): Path<String>,
) -> Result<Json<NewsJson>, Problem> {
    match split_verb(&seg) {
        (id, Some("retire")) => {
            vendor_admin(&acting)?;
            Ok(Json(news::retire(auth.identity().connection(), news_id(id)?).await?.into()))
        }
        _ => Err(Problem::not_found()),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/home", get(home))
        .route("/api/v1/news", get(list).post(create))
        .route("/api/v1/news/{id}", get(read).patch(update).post(custom))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_end_on_their_last_day() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(month_of(d(2026, 11, 25)), (d(2026, 11, 1), d(2026, 11, 30)));
        assert_eq!(month_of(d(2028, 2, 10)), (d(2028, 2, 1), d(2028, 2, 29)));
        assert_eq!(month_of(d(2026, 12, 31)), (d(2026, 12, 1), d(2026, 12, 31)));
    }

    #[test]
    fn stages_keep_the_machine_order() {
        let mut s = vec!["proposal", "demo", "intro_qualification", "contract_out"];
        s.sort_by_key(|s| stage_rank(s));
        assert_eq!(s, ["intro_qualification", "demo", "proposal", "contract_out"]);
    }

    #[test]
    fn money_adds_exactly() {
        assert_eq!(add("0.1", "0.2"), "0.3");
        assert_eq!(add("1234.5678", "0.0001"), "1234.5679");
    }

    #[test]
    fn page_tokens_round_trip() {
        assert!(parse_token("x").is_err());
        assert_eq!(parse_token("").unwrap(), None);
    }
}
