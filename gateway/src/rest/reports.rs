//! `/api/v1/reports`: saved report definitions and the built-ins, run in
//! the caller's scope by the report service, as JSON, CSV and an SVG chart.
//! Where a report groups by a person or a partner (owner_id, partner_id…)
//! the gateway, which owns identity, puts their names in the row labels
//! before the table, the CSV or the chart is made.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use prm_proto::{record::v1 as rpb, report::v1 as pb};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::words::{Table, table, words};
use uuid::Uuid;

use super::{
    Page, object, refuse_server_owned,
    status::{OrProblem, problem},
    time, update_mask,
};
use crate::{
    app::AppState,
    problem::{ApiQuery, Problem, parse_json},
    services::Acting,
};

const SERVER_OWNED: &[&str] = &["id", "partner_id", "owner_id", "built_in", "editable", "create_time", "update_time"];

/// One grouping: a field, and for dates a period.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GroupingJson {
    pub field: String,
    /// For date fields: `day`, `week`, `month`, `quarter`, `year` or `age`
    /// ("0-7 days", "8-30 days", "31-90 days", "over 90 days"); empty (or `none`) for the value itself.
    #[schema(schema_with = bucket_schema)]
    pub bucket: String,
}

/// One figure per group.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MeasureJson {
    /// `count`, `sum`, `avg`, `min` or `max`.
    #[schema(schema_with = function_schema)]
    pub function: String,
    /// A numeric field (money, a count, a yes/no); empty for a count of rows.
    pub field: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SortJson {
    /// A column key (`stage`, `sum_mrr`); empty for the groupings' natural order.
    pub column: String,
    pub descending: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReportJson {
    /// A UUID, or the fixed id of a built-in report (`pipeline-by-stage`…).
    pub id: String,
    /// The owner's partner; empty for vendor staff and built-ins.
    pub partner_id: String,
    pub owner_id: String,
    pub name: String,
    pub description: String,
    /// `leads`, `projects`, `quotes`, `orders`, `cases` or `tasks`.
    #[schema(schema_with = source_schema)]
    pub source: String,
    /// The source's list filter, e.g. `stage != closed_lost AND currency_code = EUR`.
    pub filter: String,
    pub group_by: Vec<GroupingJson>,
    pub measures: Vec<MeasureJson>,
    pub sort: SortJson,
    /// `bar`, `line`, `pie` or `funnel`.
    #[schema(schema_with = chart_schema)]
    pub chart_type: String,
    /// The measure the chart plots (index into `measures`).
    pub chart_measure: i32,
    /// Seen by everyone of the owner's partner (vendor staff: by vendor staff).
    pub shared: bool,
    pub built_in: bool,
    /// Whether the caller may change or delete it.
    pub editable: bool,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
}

/// A new report or a preview (every field), or a PATCH (the fields that change).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReportInput {
    pub name: String,
    pub description: String,
    #[schema(schema_with = source_schema)]
    pub source: String,
    pub filter: String,
    #[schema(max_items = 3)]
    pub group_by: Vec<GroupingJson>,
    #[schema(min_items = 1, max_items = 10)]
    pub measures: Vec<MeasureJson>,
    pub sort: SortJson,
    /// Bar when empty.
    #[schema(schema_with = chart_schema)]
    pub chart_type: String,
    pub chart_measure: i32,
    pub shared: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ColumnJson {
    /// `stage`, `close_date_month`; `count`, `sum_mrr`.
    pub key: String,
    /// `Stage`; `Sum of MRR`.
    pub label: String,
    /// `key` (a grouping) or `measure`.
    #[schema(schema_with = column_kind_schema)]
    pub kind: String,
    pub field: String,
    /// An amount of money, in the row's `currency_code`.
    pub money: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RowJson {
    /// One per key column, as stored ("" for none).
    pub keys: Vec<String>,
    /// One per key column, as shown: names for people and partners, "(none)" for no value.
    pub labels: Vec<String>,
    /// One per measure column, exact decimal text ("" for none).
    pub values: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SeriesJson {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChartJson {
    #[serde(rename = "type")]
    #[schema(schema_with = chart_schema)]
    pub chart_type: String,
    pub title: String,
    pub value_label: String,
    pub categories: Vec<String>,
    pub series: Vec<SeriesJson>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResultJson {
    /// The definition as run (currency_code appended when money is measured).
    pub report: ReportJson,
    pub columns: Vec<ColumnJson>,
    pub rows: Vec<RowJson>,
    /// Counts and sums added up, exact minima and maxima; averages and money
    /// over several currencies empty. Absent without groupings.
    pub totals: Option<RowJson>,
    pub chart: ChartJson,
    pub run_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct ReportListQuery {
    /// Saved reports per page (default 50, at most 200); the built-ins come first, on the first page.
    pub page_size: i32,
    pub page_token: String,
    /// Only reports over this source.
    #[param(schema_with = source_schema)]
    pub source: String,
}

/// `?source=`: a missing one reads as empty, so the refusal names `source`
/// (serde's own error for a missing field would name none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldsQuery {
    pub source: String,
}

// By hand: the derive drops `required` and the description of a parameter
// whose schema is given by a function.
impl utoipa::IntoParams for FieldsQuery {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![
            utoipa::openapi::path::ParameterBuilder::new()
                .name("source")
                .parameter_in(utoipa::openapi::path::ParameterIn::Query)
                .required(utoipa::openapi::Required::True)
                .description(Some("The source whose fields to describe."))
                .schema(Some(named_source_schema()))
                .build(),
        ]
    }
}

/// One field of a source, as its owning service describes it, and what a
/// definition may do with it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SourceFieldJson {
    /// What `group_by[].field` and `measures[].field` name, e.g. `close_date`.
    pub name: String,
    /// How reports label it: `Close date`, `Amount MRR`.
    pub label: String,
    /// What it holds.
    #[schema(schema_with = field_kind_schema)]
    pub kind: String,
    /// Whether a grouping may name it (every field may; people and partners are named in the result).
    pub groupable: bool,
    /// Whether a `sum`, `avg`, `min` or `max` may take it (numbers, money, yes/no); any field may be counted.
    pub measurable: bool,
    /// Whether measuring it is measuring money, which groups the report by `currency_code` too.
    pub money: bool,
    /// The periods a grouping by it may take (dates and times); empty for other fields.
    #[schema(schema_with = bucket_list_schema)]
    pub buckets: Vec<String>,
    /// The words an enum field holds (a filter compares with these); empty for other fields.
    pub values: Vec<String>,
}

/// The fields of a source: its list fields, then those computed for reports.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SourceFieldsJson {
    #[schema(schema_with = named_source_schema)]
    pub source: String,
    pub fields: Vec<SourceFieldJson>,
}

// --- words ⇄ proto enums -----------------------------------------------------

table!(SOURCE, source_schema, pb::ReportSource, "REPORT_SOURCE_", empty: true);
static BUCKET: Table = Table::new(|| words!(rpb::DateBucket, "DATE_BUCKET_"));
table!(FIELD_KIND, field_kind_schema, rpb::FieldKind, "FIELD_KIND_", empty: false);

/// A source that must be given.
fn named_source_schema() -> utoipa::openapi::schema::Object {
    SOURCE.schema(false)
}

fn bucket_list_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    BUCKET.list_schema()
}

/// A grouping's period: `none`, as the empty word, groups by the value itself.
fn bucket_schema() -> utoipa::openapi::schema::Object {
    let mut schema = BUCKET.schema(true);
    schema.enum_values.get_or_insert_with(Vec::new).push("none".into());
    schema
}
table!(FUNCTION, function_schema, rpb::AggregateFunction, "AGGREGATE_FUNCTION_", empty: true);
table!(CHART, chart_schema, pb::ChartType, "CHART_TYPE_", empty: true);
table!(COLUMN_KIND, column_kind_schema, pb::ColumnKind, "COLUMN_KIND_", empty: false);

fn input_to_proto(id: String, i: ReportInput) -> Result<pb::Report, Problem> {
    let mut group_by = vec![];
    for (n, g) in i.group_by.into_iter().enumerate() {
        // `none` says "the value itself" as the empty word does.
        let bucket = if g.bucket == "none" { 0 } else { BUCKET.value(&format!("group_by[{n}].bucket"), &g.bucket)? };
        group_by.push(rpb::Grouping { field: g.field, bucket });
    }
    let mut measures = vec![];
    for (n, m) in i.measures.into_iter().enumerate() {
        let function = FUNCTION.value(&format!("measures[{n}].function"), &m.function)?;
        measures.push(rpb::Measure { function, field: m.field });
    }
    let chart = CHART.value("chart_type", &i.chart_type)?;
    Ok(pb::Report {
        id,
        name: i.name,
        description: i.description,
        source: SOURCE.value("source", &i.source)?,
        filter: i.filter,
        group_by,
        measures,
        sort: Some(pb::ReportSort { column: i.sort.column, descending: i.sort.descending }),
        chart_type: chart,
        chart_measure: i.chart_measure,
        shared: i.shared,
        ..Default::default()
    })
}

pub fn to_json(r: pb::Report) -> ReportJson {
    ReportJson {
        source: SOURCE.word(r.source),
        group_by: r
            .group_by
            .into_iter()
            .map(|g| GroupingJson { field: g.field, bucket: BUCKET.word(g.bucket) })
            .collect(),
        measures: r
            .measures
            .into_iter()
            .map(|m| MeasureJson { function: FUNCTION.word(m.function), field: m.field })
            .collect(),
        sort: r.sort.map(|s| SortJson { column: s.column, descending: s.descending }).unwrap_or_default(),
        chart_type: CHART.word(r.chart_type),
        id: r.id,
        partner_id: r.partner_id,
        owner_id: r.owner_id,
        name: r.name,
        description: r.description,
        filter: r.filter,
        chart_measure: r.chart_measure,
        shared: r.shared,
        built_in: r.built_in,
        editable: r.editable,
        create_time: time(r.create_time),
        update_time: time(r.update_time),
    }
}

fn row_json(r: pb::ReportRow) -> RowJson {
    RowJson { keys: r.keys, labels: r.labels, values: r.values }
}

fn result_json(r: pb::ReportResult) -> ResultJson {
    let chart = r.chart.unwrap_or_default();
    ResultJson {
        report: to_json(r.report.unwrap_or_default()),
        columns: r
            .columns
            .into_iter()
            .map(|c| ColumnJson {
                kind: COLUMN_KIND.word(c.kind),
                key: c.key,
                label: c.label,
                field: c.field,
                money: c.money,
            })
            .collect(),
        rows: r.rows.into_iter().map(row_json).collect(),
        totals: r.totals.map(row_json),
        chart: ChartJson {
            chart_type: CHART.word(chart.r#type),
            title: chart.title,
            value_label: chart.value_label,
            categories: chart.categories,
            series: chart.series.into_iter().map(|s| SeriesJson { name: s.name, values: s.values }).collect(),
        },
        run_time: time(r.run_time),
    }
}

/// The fields whose keys are people, and those whose keys are partners.
const PERSON_FIELDS: &[&str] = &["owner_id", "submitter_id", "assignee_id"];
const PARTNER_FIELDS: &[&str] = &["partner_id", "distributed_partner_id"];

/// Puts names in place of the ids of people and partners in a result's
/// labels and chart (ids the identity store does not know stay as they are).
async fn name_people(acting: &Acting, r: &mut pb::ReportResult) {
    let key_fields: Vec<String> =
        r.columns.iter().filter(|c| c.kind == pb::ColumnKind::Key as i32).map(|c| c.field.clone()).collect();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (i, field) in key_fields.iter().enumerate() {
        let (person, partner) = (PERSON_FIELDS.contains(&field.as_str()), PARTNER_FIELDS.contains(&field.as_str()));
        if !person && !partner {
            continue;
        }
        for row in &mut r.rows {
            let Ok(id) = Uuid::parse_str(&row.keys[i]) else { continue };
            if !names.contains_key(&row.keys[i]) {
                let identity = acting.auth.identity();
                let name = if person {
                    identity.get_user(id).await.ok().map(|u| u.display_name)
                } else {
                    identity.get_partner(id).await.ok().map(|p| p.name)
                };
                if let Some(n) = name {
                    names.insert(row.keys[i].clone(), n);
                }
            }
            if let Some(n) = names.get(&row.keys[i]) {
                row.labels[i] = n.clone();
            }
        }
    }
    if names.is_empty() {
        return;
    }
    if let Some(chart) = r.chart.as_mut() {
        for c in &mut chart.categories {
            if let Some(n) = names.get(c) {
                *c = n.clone();
            }
        }
        for s in &mut chart.series {
            s.name = s
                .name
                .split(" / ")
                .map(|part| names.get(part).map_or(part, String::as_str))
                .collect::<Vec<_>>()
                .join(" / ");
        }
    }
}

/// Runs report `id` as the caller, with names for people and partners.
async fn run(acting: &Acting, id: String) -> Result<pb::ReportResult, Problem> {
    let mut r = acting
        .reports()?
        .run_report(pb::RunReportRequest { id, definition: None })
        .await
        .or_problem()?
        .result
        .unwrap_or_default();
    name_people(acting, &mut r).await;
    Ok(r)
}

/// Runs the unsaved definition a body holds (a new report's body) as the
/// caller, with names for people and partners; errors name the body's fields.
async fn run_definition(acting: &Acting, body: &Bytes) -> Result<pb::ReportResult, Problem> {
    let map = object(body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let input: ReportInput = parse_json(body)?;
    let definition = input_to_proto(String::new(), input)?;
    let mut r = acting
        .reports()?
        .run_report(pb::RunReportRequest { id: String::new(), definition: Some(definition) })
        .await
        .map_err(|s| problem(s).without_prefix("report."))?
        .into_inner()
        .result
        .unwrap_or_default();
    name_people(acting, &mut r).await;
    Ok(r)
}

/// The chart of a result already run (and named), drawn by the report service.
async fn draw(acting: &Acting, result: pb::ReportResult) -> Result<Response, Problem> {
    let r = acting
        .reports()?
        .render_chart(pb::RenderChartRequest { result: Some(result), ..Default::default() })
        .await
        .or_problem()?;
    Ok(([(header::CONTENT_TYPE, r.content_type)], r.svg).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports", get(list).post(create))
        .route("/api/v1/reports:run", post(preview))
        .route("/api/v1/reports:renderChart", post(preview_chart))
        .route("/api/v1/reports/fields", get(fields))
        .route("/api/v1/reports/{id}", get(read).patch(update).delete(delete))
        .route("/api/v1/reports/{id}/result", get(result))
        .route("/api/v1/reports/{id}/export.csv", get(export_csv))
        .route("/api/v1/reports/{id}/chart.svg", get(chart_svg))
}

/// The caller's reports, the reports shared with them and the built-ins that apply to them.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportListQuery), responses((status = 200, body = Page<ReportJson>), (status = 400)))]
pub async fn list(acting: Acting, ApiQuery(q): ApiQuery<ReportListQuery>) -> Result<Json<Page<ReportJson>>, Problem> {
    let r = acting
        .reports()?
        .list_reports(pb::ListReportsRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            source: SOURCE.value("source", &q.source)?,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.reports.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

/// Saves a definition; the owning service checks its fields and filter, so a saved report always runs.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = ReportInput,
    responses((status = 201, body = ReportJson), (status = 400, description = "names the field"), (status = 503, description = "the owning service is unavailable")))]
pub async fn create(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let input: ReportInput = parse_json(&body)?;
    let report = input_to_proto(String::new(), input)?;
    let r = acting
        .reports()?
        .create_report(pb::CreateReportRequest { report: Some(report) })
        .await
        .map_err(|s| problem(s).without_prefix("report."))?
        .into_inner()
        .report
        .unwrap_or_default();
    let location = format!("/api/v1/reports/{}", r.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(to_json(r))).into_response())
}

#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = String, Path)), responses((status = 200, body = ReportJson), (status = 404)))]
pub async fn read(acting: Acting, Path(id): Path<String>) -> Result<Json<ReportJson>, Problem> {
    let r = acting.reports()?.get_report(pb::GetReportRequest { id }).await.or_problem()?;
    Ok(Json(to_json(r.report.unwrap_or_default())))
}

/// Changes the fields the body names; the owner, or a partner admin for a shared report of the partner.
#[utoipa::path(patch, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = String, Path)), request_body = ReportInput,
    responses((status = 200, body = ReportJson), (status = 400), (status = 403, description = "someone else's shared report"), (status = 409, description = "a built-in report"), (status = 404)))]
pub async fn update(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Json<ReportJson>, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let mask = update_mask(&map, &[]);
    if mask.is_empty() {
        return Err(Problem::bad_request("The body names no field to update."));
    }
    let input: ReportInput = parse_json(&body)?;
    let r = acting
        .reports()?
        .update_report(pb::UpdateReportRequest {
            report: Some(input_to_proto(id, input)?),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .map_err(|s| problem(s).without_prefix("report."))?
        .into_inner();
    Ok(Json(to_json(r.report.unwrap_or_default())))
}

#[utoipa::path(delete, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "a built-in report")))]
pub async fn delete(acting: Acting, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    acting.reports()?.delete_report(pb::DeleteReportRequest { id }).await.or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs an unsaved definition (a preview): the same body as a new report.
#[utoipa::path(post, path = "/api/v1/reports:run", tag = "reports", request_body = ReportInput,
    responses((status = 200, body = ResultJson), (status = 400, description = "names the field"), (status = 503)))]
pub async fn preview(acting: Acting, body: Bytes) -> Result<Json<ResultJson>, Problem> {
    Ok(Json(result_json(run_definition(&acting, &body).await?)))
}

/// The chart of an unsaved definition (a preview's), drawn by the report
/// service: the same body as `reports:run`.
#[utoipa::path(post, path = "/api/v1/reports:renderChart", tag = "reports", request_body = ReportInput,
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 400, description = "names the field"), (status = 503)))]
pub async fn preview_chart(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let result = run_definition(&acting, &body).await?;
    draw(&acting, result).await
}

/// The fields a definition over a source may group and measure, as the
/// service that owns the source describes them.
#[utoipa::path(get, path = "/api/v1/reports/fields", tag = "reports", params(FieldsQuery),
    responses((status = 200, body = SourceFieldsJson), (status = 400, description = "names `source`"), (status = 503, description = "the owning service is unavailable")))]
pub async fn fields(acting: Acting, ApiQuery(q): ApiQuery<FieldsQuery>) -> Result<Json<SourceFieldsJson>, Problem> {
    let source = SOURCE.required("source", &q.source)?;
    let r = acting.reports()?.describe_source(pb::DescribeSourceRequest { source }).await.or_problem()?;
    let fields = r
        .fields
        .into_iter()
        .map(|f| SourceFieldJson {
            kind: FIELD_KIND.word(f.kind),
            buckets: f.buckets.iter().map(|b| BUCKET.word(*b)).collect(),
            name: f.name,
            label: f.label,
            groupable: f.groupable,
            measurable: f.measurable,
            money: f.money,
            values: f.values,
        })
        .collect();
    Ok(Json(SourceFieldsJson { source: SOURCE.word(source), fields }))
}

/// Runs a saved or built-in report in the caller's scope.
#[utoipa::path(get, path = "/api/v1/reports/{id}/result", tag = "reports", params(("id" = String, Path)),
    responses((status = 200, body = ResultJson), (status = 404), (status = 503, description = "the owning service is unavailable")))]
pub async fn result(acting: Acting, Path(id): Path<String>) -> Result<Json<ResultJson>, Problem> {
    Ok(Json(result_json(run(&acting, id).await?)))
}

/// The result as CSV (RFC 4180, CRLF), to download.
#[utoipa::path(get, path = "/api/v1/reports/{id}/export.csv", tag = "reports", params(("id" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404)))]
pub async fn export_csv(acting: Acting, Path(id): Path<String>) -> Result<Response, Problem> {
    let result = run(&acting, id).await?;
    let r = acting
        .reports()?
        .export_report(pb::ExportReportRequest { result: Some(result), ..Default::default() })
        .await
        .or_problem()?;
    let disposition = format!("attachment; filename=\"{}\"", r.filename.replace('"', ""));
    Ok(([(header::CONTENT_TYPE, r.content_type), (header::CONTENT_DISPOSITION, disposition)], r.content)
        .into_response())
}

/// The result's chart, drawn by the report service.
#[utoipa::path(get, path = "/api/v1/reports/{id}/chart.svg", tag = "reports", params(("id" = String, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404)))]
pub async fn chart_svg(acting: Acting, Path(id): Path<String>) -> Result<Response, Problem> {
    let result = run(&acting, id).await?;
    draw(&acting, result).await
}
