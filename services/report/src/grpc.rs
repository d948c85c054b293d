//! `prm.report.v1.ReportService`: proto ⇄ domain translation, the store,
//! and the owning services' `AggregateService`, called as the caller.

use std::{collections::BTreeMap, time::Duration};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use prm_kit::{
    Caller, Error, Result,
    auth::{CallerInterceptor, InternalKey},
    error::violated_field,
    listing::filter_ids,
    references::References,
    scope::Scope,
    server::{PrmService, ServiceContext},
    time,
};
use prm_proto::{
    common::v1::RecordType,
    record::v1::{self as rpb, aggregate_service_client::AggregateServiceClient},
    report::v1::{self as pb, report_service_server::ReportService},
};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

use crate::{
    domain::{
        Bucket, ChartType, Definition, Function, Grouping, Measure, Reference, Sort, Source, access, builtin,
        csv as csv_out,
        fields::{self, Kind, SourceField},
        reference_of, svg,
        table::{self, Row, Table},
    },
    store::{self, Saved},
};

type Reply<T> = std::result::Result<Response<T>, Status>;

/// How long a report waits for the owning service's figures.
pub const AGGREGATE_DEADLINE: Duration = Duration::from_secs(10);
const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 200;

/// The record services whose collections reports run over, and whose
/// records a filter may name.
#[derive(Clone)]
pub struct Owners {
    channels: BTreeMap<&'static str, Channel>,
    references: References,
    key: InternalKey,
}

impl Owners {
    pub fn new(ctx: &ServiceContext) -> anyhow::Result<Owners> {
        let mut channels = BTreeMap::new();
        for name in crate::ReportService::DOWNSTREAM {
            channels.insert(*name, ctx.channel(name)?);
        }
        let references = References::new(ctx, crate::ReportService::DOWNSTREAM)?;
        Ok(Owners { channels, references, key: ctx.key.clone() })
    }

    /// Every id the filter of `def` names, checked in the caller's scope by
    /// the service that owns it (a partner against the caller's scope): one
    /// the caller does not see is bad input naming `report.filter`, as a
    /// random one is.
    pub async fn check_references(&self, caller: &Caller, def: &Definition) -> Result<()> {
        let ids = filter_ids(&def.filter).map_err(|e| match e {
            Error::Invalid { message, .. } => Error::invalid("report.filter", message),
            other => other,
        })?;
        for (field, id) in ids {
            let seen = match reference_of(&field) {
                None => continue,
                Some(Reference::Partner) => {
                    let scope = if def.source == Source::Cases { Scope::cases(caller) } else { Scope::records(caller) };
                    scope.contains(id)
                }
                Some(r) => {
                    let kind = match r {
                        Reference::Account => RecordType::Account,
                        Reference::Project => RecordType::Project,
                        Reference::Quote => RecordType::Quote,
                        Reference::Partner => unreachable!("answered above"),
                    };
                    match self.references.info(caller, kind, id).await {
                        Ok(_) => true,
                        Err(Error::NotFound) => false,
                        Err(e) => return Err(e),
                    }
                }
            };
            if !seen {
                return Err(Error::invalid(
                    "report.filter",
                    format!("`{field}` names {id}, which is nothing you can see"),
                ));
            }
        }
        Ok(())
    }

    /// The aggregated rows of `def` (as run) from its owning service, in
    /// the caller's scope: the call goes out as the caller.
    pub async fn aggregate(&self, caller: &Caller, def: &Definition) -> Result<Vec<(Vec<String>, Vec<String>)>> {
        let service = def.source.service();
        let mut client = self.aggregates(caller, service)?;
        let mut request = Request::new(rpb::AggregateRequest {
            collection: def.source.to_string(),
            filter: def.filter.clone(),
            group_by: def
                .group_by
                .iter()
                .map(|g| rpb::Grouping { field: g.field.clone(), bucket: bucket_out(g.bucket) as i32 })
                .collect(),
            measures: def
                .measures
                .iter()
                .map(|m| rpb::Measure { function: function_out(m.function) as i32, field: m.field.clone() })
                .collect(),
        });
        request.set_timeout(AGGREGATE_DEADLINE);
        let reply = client.aggregate(request).await.map_err(|s| owner_error(service, s))?.into_inner();
        let (keys, values) = (def.group_by.len(), def.measures.len());
        reply
            .rows
            .into_iter()
            .map(|r| {
                if r.keys.len() != keys || r.values.len() != values {
                    return Err(Error::Internal(anyhow::anyhow!("the {service} service sent a row of another shape")));
                }
                Ok((r.keys, r.values))
            })
            .collect()
    }

    /// The fields of `source` as its owning service describes them, asked
    /// as the caller, with what a definition may do with each.
    pub async fn describe(&self, caller: &Caller, source: Source) -> Result<Vec<SourceField>> {
        let service = source.service();
        let mut client = self.aggregates(caller, service)?;
        let mut request = Request::new(rpb::DescribeCollectionRequest { collection: source.to_string() });
        request.set_timeout(AGGREGATE_DEADLINE);
        let reply = client.describe_collection(request).await.map_err(|s| match owner_error(service, s) {
            Error::Invalid { message, .. } => Error::invalid("source", message),
            other => other,
        })?;
        reply
            .into_inner()
            .fields
            .into_iter()
            .map(|f| {
                let kind = kind_in(f.kind).ok_or_else(|| {
                    Error::Internal(anyhow::anyhow!("the {service} service described `{}` as kind {}", f.name, f.kind))
                })?;
                Ok(fields::describe(source, &f.name, kind, f.values))
            })
            .collect()
    }

    /// The `AggregateService` of the service that owns a source, called as `caller`.
    fn aggregates(
        &self,
        caller: &Caller,
        service: &str,
    ) -> Result<AggregateServiceClient<InterceptedService<Channel, CallerInterceptor>>> {
        let channel = self
            .channels
            .get(service)
            .cloned()
            .ok_or_else(|| Error::Unavailable(format!("the {service} service is not deployed here")))?;
        Ok(AggregateServiceClient::with_interceptor(channel, CallerInterceptor::new(&self.key, caller)?))
    }
}

/// The owning service's answer in the report's terms: its field errors
/// name the definition's fields; down, slow or not serving aggregates is
/// UNAVAILABLE naming it.
fn owner_error(service: &str, s: Status) -> Error {
    use tonic::Code;
    match s.code() {
        Code::InvalidArgument => {
            let (field, message) = violated_field(&s).unwrap_or_else(|| (String::new(), s.message().to_string()));
            let field = match field.as_str() {
                "collection" => "report.source".to_string(),
                f if f.starts_with("group_by") || f.starts_with("measures") => format!("report.{f}"),
                _ => "report.filter".to_string(),
            };
            Error::invalid(field, message)
        }
        Code::PermissionDenied => Error::PermissionDenied(s.message().to_string()),
        Code::Internal => Error::Internal(anyhow::anyhow!("the {service} service: {}", s.message())),
        _ => Error::Unavailable(format!("the {service} service is unavailable ({:?}: {})", s.code(), s.message())),
    }
}

pub struct ReportApi {
    db: DatabaseConnection,
    owners: Owners,
}

impl ReportApi {
    pub fn new(db: DatabaseConnection, owners: Owners) -> Self {
        ReportApi { db, owners }
    }
}

// --- wire mapping ------------------------------------------------------------

fn source_in(v: i32, field: &str) -> Result<Source> {
    Ok(match pb::ReportSource::try_from(v) {
        Ok(pb::ReportSource::Leads) => Source::Leads,
        Ok(pb::ReportSource::Projects) => Source::Projects,
        Ok(pb::ReportSource::Quotes) => Source::Quotes,
        Ok(pb::ReportSource::Orders) => Source::Orders,
        Ok(pb::ReportSource::Cases) => Source::Cases,
        Ok(pb::ReportSource::Tasks) => Source::Tasks,
        Ok(pb::ReportSource::Unspecified) => return Err(Error::invalid(field, "is required")),
        Err(_) => return Err(Error::invalid(field, "is not one of its values")),
    })
}

fn source_out(s: Source) -> pb::ReportSource {
    match s {
        Source::Leads => pb::ReportSource::Leads,
        Source::Projects => pb::ReportSource::Projects,
        Source::Quotes => pb::ReportSource::Quotes,
        Source::Orders => pb::ReportSource::Orders,
        Source::Cases => pb::ReportSource::Cases,
        Source::Tasks => pb::ReportSource::Tasks,
    }
}

fn bucket_in(v: i32, field: &str) -> Result<Bucket> {
    Ok(match rpb::DateBucket::try_from(v) {
        Ok(rpb::DateBucket::Unspecified) => Bucket::None,
        Ok(rpb::DateBucket::Day) => Bucket::Day,
        Ok(rpb::DateBucket::Week) => Bucket::Week,
        Ok(rpb::DateBucket::Month) => Bucket::Month,
        Ok(rpb::DateBucket::Quarter) => Bucket::Quarter,
        Ok(rpb::DateBucket::Year) => Bucket::Year,
        Ok(rpb::DateBucket::Age) => Bucket::Age,
        Err(_) => return Err(Error::invalid(field, "is not one of its values")),
    })
}

fn bucket_out(b: Bucket) -> rpb::DateBucket {
    match b {
        Bucket::None => rpb::DateBucket::Unspecified,
        Bucket::Day => rpb::DateBucket::Day,
        Bucket::Week => rpb::DateBucket::Week,
        Bucket::Month => rpb::DateBucket::Month,
        Bucket::Quarter => rpb::DateBucket::Quarter,
        Bucket::Year => rpb::DateBucket::Year,
        Bucket::Age => rpb::DateBucket::Age,
    }
}

fn function_in(v: i32, field: &str) -> Result<Function> {
    Ok(match rpb::AggregateFunction::try_from(v) {
        Ok(rpb::AggregateFunction::Count) => Function::Count,
        Ok(rpb::AggregateFunction::Sum) => Function::Sum,
        Ok(rpb::AggregateFunction::Avg) => Function::Avg,
        Ok(rpb::AggregateFunction::Min) => Function::Min,
        Ok(rpb::AggregateFunction::Max) => Function::Max,
        Ok(rpb::AggregateFunction::Unspecified) => return Err(Error::invalid(field, "is required")),
        Err(_) => return Err(Error::invalid(field, "is not one of its values")),
    })
}

fn function_out(f: Function) -> rpb::AggregateFunction {
    match f {
        Function::Count => rpb::AggregateFunction::Count,
        Function::Sum => rpb::AggregateFunction::Sum,
        Function::Avg => rpb::AggregateFunction::Avg,
        Function::Min => rpb::AggregateFunction::Min,
        Function::Max => rpb::AggregateFunction::Max,
    }
}

/// A kind the owning service sends; `None` for one this service does not know.
fn kind_in(v: i32) -> Option<Kind> {
    Some(match rpb::FieldKind::try_from(v).ok()? {
        rpb::FieldKind::Text => Kind::Text,
        rpb::FieldKind::Uuid => Kind::Uuid,
        rpb::FieldKind::Date => Kind::Date,
        rpb::FieldKind::Timestamp => Kind::Timestamp,
        rpb::FieldKind::Integer => Kind::Integer,
        rpb::FieldKind::Money => Kind::Money,
        rpb::FieldKind::Flag => Kind::Flag,
        rpb::FieldKind::Unspecified => return None,
    })
}

fn kind_out(k: Kind) -> rpb::FieldKind {
    match k {
        Kind::Text => rpb::FieldKind::Text,
        Kind::Uuid => rpb::FieldKind::Uuid,
        Kind::Date => rpb::FieldKind::Date,
        Kind::Timestamp => rpb::FieldKind::Timestamp,
        Kind::Integer => rpb::FieldKind::Integer,
        Kind::Money => rpb::FieldKind::Money,
        Kind::Flag => rpb::FieldKind::Flag,
    }
}

fn field_out(f: SourceField) -> pb::SourceField {
    pb::SourceField {
        kind: kind_out(f.kind) as i32,
        buckets: f.buckets.into_iter().map(|b| bucket_out(b) as i32).collect(),
        name: f.name,
        label: f.label,
        groupable: f.groupable,
        measurable: f.measurable,
        money: f.money,
        values: f.values,
    }
}

fn chart_in(v: i32) -> Result<ChartType> {
    Ok(match pb::ChartType::try_from(v) {
        Ok(pb::ChartType::Unspecified | pb::ChartType::Bar) => ChartType::Bar,
        Ok(pb::ChartType::Line) => ChartType::Line,
        Ok(pb::ChartType::Pie) => ChartType::Pie,
        Ok(pb::ChartType::Funnel) => ChartType::Funnel,
        Err(_) => return Err(Error::invalid("report.chart_type", "is not one of its values")),
    })
}

fn chart_out(c: ChartType) -> pb::ChartType {
    match c {
        ChartType::Bar => pb::ChartType::Bar,
        ChartType::Line => pb::ChartType::Line,
        ChartType::Pie => pb::ChartType::Pie,
        ChartType::Funnel => pb::ChartType::Funnel,
    }
}

/// A definition from the wire; the shape is checked by [`Definition::check`].
fn definition_in(r: &pb::Report) -> Result<Definition> {
    let mut group_by = vec![];
    for (i, g) in r.group_by.iter().enumerate() {
        group_by.push(Grouping {
            field: g.field.clone(),
            bucket: bucket_in(g.bucket, &format!("report.group_by[{i}].bucket"))?,
        });
    }
    let mut measures = vec![];
    for (i, m) in r.measures.iter().enumerate() {
        measures.push(Measure {
            function: function_in(m.function, &format!("report.measures[{i}].function"))?,
            field: m.field.clone(),
        });
    }
    let sort = r.sort.as_ref().map(|s| Sort { column: s.column.clone(), descending: s.descending }).unwrap_or_default();
    Ok(Definition {
        name: r.name.clone(),
        description: r.description.clone(),
        source: source_in(r.source, "report.source")?,
        filter: r.filter.clone(),
        group_by,
        measures,
        sort,
        chart_type: chart_in(r.chart_type)?,
        chart_measure: usize::try_from(r.chart_measure)
            .map_err(|_| Error::invalid("report.chart_measure", "is not the index of a measure"))?,
    })
}

fn definition_out(d: &Definition) -> pb::Report {
    pb::Report {
        name: d.name.clone(),
        description: d.description.clone(),
        source: source_out(d.source) as i32,
        filter: d.filter.clone(),
        group_by: d
            .group_by
            .iter()
            .map(|g| rpb::Grouping { field: g.field.clone(), bucket: bucket_out(g.bucket) as i32 })
            .collect(),
        measures: d
            .measures
            .iter()
            .map(|m| rpb::Measure { function: function_out(m.function) as i32, field: m.field.clone() })
            .collect(),
        sort: Some(pb::ReportSort { column: d.sort.column.clone(), descending: d.sort.descending }),
        chart_type: chart_out(d.chart_type) as i32,
        chart_measure: d.chart_measure as i32,
        ..Default::default()
    }
}

fn builtin_out(b: &builtin::BuiltIn) -> pb::Report {
    pb::Report { id: b.id.to_string(), built_in: true, ..definition_out(&b.definition) }
}

fn saved_out(caller: &Caller, s: &Saved) -> pb::Report {
    pb::Report {
        id: s.id.to_string(),
        partner_id: s.ownership.partner_id.map(|p| p.to_string()).unwrap_or_default(),
        owner_id: s.ownership.owner_id.to_string(),
        shared: s.ownership.shared,
        editable: access::may_edit(caller, &s.ownership),
        create_time: Some(time::to_proto(s.create_time)),
        update_time: Some(time::to_proto(s.update_time)),
        ..definition_out(&s.definition)
    }
}

fn row_out(r: &Row) -> pb::ReportRow {
    pb::ReportRow { keys: r.keys.clone(), labels: r.labels.clone(), values: r.values.clone() }
}

fn result_out(report: pb::Report, t: &Table) -> pb::ReportResult {
    pb::ReportResult {
        report: Some(report),
        columns: t
            .columns
            .iter()
            .map(|c| pb::ReportColumn {
                key: c.key.clone(),
                label: c.label.clone(),
                kind: if c.measure { pb::ColumnKind::Measure } else { pb::ColumnKind::Key } as i32,
                field: c.field.clone(),
                money: c.money,
            })
            .collect(),
        rows: t.rows.iter().map(row_out).collect(),
        totals: t.totals.as_ref().map(row_out),
        chart: Some(pb::ReportChart {
            r#type: chart_out(t.chart.kind) as i32,
            title: t.chart.title.clone(),
            value_label: t.chart.value_label.clone(),
            categories: t.chart.categories.clone(),
            series: t
                .chart
                .series
                .iter()
                .map(|s| pb::ChartSeries { name: s.name.clone(), values: s.values.clone() })
                .collect(),
        }),
        run_time: Some(time::to_proto(time::now())),
    }
}

/// A result sent back to be exported or drawn: its definition and rows,
/// in their order and with their labels (the totals and chart are made
/// again from them).
fn result_in(r: &pb::ReportResult) -> Result<(Definition, Table)> {
    let report = r.report.as_ref().ok_or_else(|| Error::invalid("result.report", "is required"))?;
    let def = definition_in(report).and_then(Definition::check).map_err(|e| match e {
        Error::Invalid { field, message } => Error::invalid(format!("result.{field}"), message),
        other => other,
    })?;
    let (keys, values) = (def.group_by.len(), def.measures.len());
    let mut rows = vec![];
    for (i, r) in r.rows.iter().enumerate() {
        if r.keys.len() != keys || r.labels.len() != keys || r.values.len() != values {
            return Err(Error::invalid(
                format!("result.rows[{i}]"),
                "does not have a key and label per grouping and a value per measure",
            ));
        }
        rows.push(Row { keys: r.keys.clone(), labels: r.labels.clone(), values: r.values.clone() });
    }
    let table = table::from_rows(&def, rows);
    Ok((def, table))
}

/// Which parts of a report an update may change.
const MASKABLE: &[&str] = &[
    "name",
    "description",
    "source",
    "filter",
    "group_by",
    "measures",
    "sort",
    "sort.column",
    "sort.descending",
    "chart_type",
    "chart_measure",
    "shared",
];

/// A report as a caller may read it.
enum Found {
    BuiltIn(builtin::BuiltIn),
    Saved(Saved),
}

impl Found {
    fn definition(&self) -> &Definition {
        match self {
            Found::BuiltIn(b) => &b.definition,
            Found::Saved(s) => &s.definition,
        }
    }

    fn out(&self, caller: &Caller) -> pb::Report {
        match self {
            Found::BuiltIn(b) => builtin_out(b),
            Found::Saved(s) => saved_out(caller, s),
        }
    }
}

fn caller_of<T>(req: &Request<T>) -> Result<Caller> {
    req.extensions().get::<Caller>().cloned().ok_or_else(|| Error::Unauthenticated("no caller".into()))
}

impl ReportApi {
    async fn find(&self, caller: &Caller, id: &str) -> Result<Found> {
        if id.is_empty() {
            return Err(Error::invalid("id", "is required"));
        }
        if let Some(b) = builtin::find(id, caller) {
            return Ok(Found::BuiltIn(b));
        }
        // Any other word is not a report (a built-in the caller may not see included).
        let Ok(uuid) = Uuid::parse_str(id) else { return Err(Error::NotFound) };
        Ok(Found::Saved(store::get(&self.db, caller, uuid).await?))
    }

    /// A saved report the caller may change.
    async fn editable(&self, caller: &Caller, id: &str) -> Result<Saved> {
        match self.find(caller, id).await? {
            // As built-in list views: the report is there, its nature refuses the change, whoever asks.
            Found::BuiltIn(_) => Err(Error::FailedPrecondition("built-in reports cannot be changed or deleted".into())),
            Found::Saved(s) if access::may_edit(caller, &s.ownership) => Ok(s),
            Found::Saved(_) => {
                Err(Error::PermissionDenied("only its owner or a partner admin of its partner changes a report".into()))
            }
        }
    }

    /// Checks a definition to be saved: its shape here, its fields and
    /// filter by the owning service (which runs it once, in the caller's scope).
    /// A definition fit to be saved: its shape, the owning service's parse
    /// of its fields and filter (a dry run), and the ids its filter names.
    async fn checked(&self, caller: &Caller, d: Definition) -> Result<Definition> {
        let d = d.check()?;
        self.owners.aggregate(caller, &d.effective()).await?;
        self.owners.check_references(caller, &d).await?;
        Ok(d)
    }

    async fn run(&self, caller: &Caller, report: pb::Report, def: &Definition) -> Result<pb::ReportResult> {
        let effective = def.effective();
        let raw = self.owners.aggregate(caller, &effective).await?;
        let table = table::build(&effective, raw);
        let report = pb::Report { group_by: definition_out(&effective).group_by, ..report };
        Ok(result_out(report, &table))
    }

    /// The table of a request naming a report, a definition or a result.
    async fn table_of(
        &self,
        caller: &Caller,
        id: &str,
        definition: Option<&pb::Report>,
        result: Option<&pb::ReportResult>,
    ) -> Result<(Definition, Table)> {
        let given = usize::from(!id.is_empty()) + usize::from(definition.is_some()) + usize::from(result.is_some());
        if given != 1 {
            return Err(Error::invalid("id", "give exactly one of id, definition and result"));
        }
        if let Some(r) = result {
            return result_in(r);
        }
        let def = match definition {
            Some(d) => definition_in(d)?.check()?,
            None => self.find(caller, id).await?.definition().clone(),
        };
        let effective = def.effective();
        let raw = self.owners.aggregate(caller, &effective).await?;
        Ok((def, table::build(&effective, raw)))
    }
}

#[tonic::async_trait]
impl ReportService for ReportApi {
    #[tracing::instrument(skip_all)]
    async fn list_reports(&self, req: Request<pb::ListReportsRequest>) -> Reply<pb::ListReportsResponse> {
        let caller = caller_of(&req)?;
        let r = req.into_inner();
        let source = match r.source {
            0 => None,
            v => Some(source_in(v, "source")?),
        };
        let size = match r.page_size {
            n if n < 0 => return Err(Error::invalid("page_size", "must not be negative").into()),
            0 => DEFAULT_PAGE_SIZE,
            n => (n as usize).min(MAX_PAGE_SIZE),
        };
        let after = if r.page_token.is_empty() {
            None
        } else {
            let bad = || Error::invalid("page_token", "is not a token of this list");
            let bytes = URL_SAFE_NO_PAD.decode(&r.page_token).map_err(|_| bad())?;
            Some(Uuid::from_slice(&bytes).map_err(|_| bad())?)
        };
        let mut reports: Vec<pb::Report> = vec![];
        if after.is_none() {
            reports.extend(
                builtin::for_caller(&caller)
                    .iter()
                    .filter(|b| source.is_none_or(|s| s == b.definition.source))
                    .map(builtin_out),
            );
        }
        let mut saved = store::page(&self.db, &caller, source, after, size as u64).await?;
        let next_page_token = if saved.len() > size {
            saved.truncate(size);
            URL_SAFE_NO_PAD.encode(saved.last().expect("a full page").id.as_bytes())
        } else {
            String::new()
        };
        reports.extend(saved.iter().map(|s| saved_out(&caller, s)));
        Ok(Response::new(pb::ListReportsResponse { reports, next_page_token }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_report(&self, req: Request<pb::GetReportRequest>) -> Reply<pb::GetReportResponse> {
        let caller = caller_of(&req)?;
        let found = self.find(&caller, &req.get_ref().id).await?;
        Ok(Response::new(pb::GetReportResponse { report: Some(found.out(&caller)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_report(&self, req: Request<pb::CreateReportRequest>) -> Reply<pb::CreateReportResponse> {
        let caller = caller_of(&req)?;
        let r = req.into_inner().report.ok_or_else(|| Error::invalid("report", "is required"))?;
        let def = self.checked(&caller, definition_in(&r)?).await?;
        let saved = store::insert(&self.db, &caller, &def, r.shared).await?;
        tracing::info!(id = %saved.id, "report saved");
        Ok(Response::new(pb::CreateReportResponse { report: Some(saved_out(&caller, &saved)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_report(&self, req: Request<pb::UpdateReportRequest>) -> Reply<pb::UpdateReportResponse> {
        let caller = caller_of(&req)?;
        let r = req.into_inner();
        let given = r.report.ok_or_else(|| Error::invalid("report", "is required"))?;
        let mask = r.update_mask.map(|m| m.paths).unwrap_or_default();
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field to change").into());
        }
        if let Some(p) = mask.iter().find(|p| !MASKABLE.contains(&p.as_str())) {
            return Err(
                Error::invalid("update_mask", format!("`{p}` is not a field of a report that can change")).into()
            );
        }
        let current = self.editable(&caller, &given.id).await?;
        // The stored definition with the masked fields of the given one.
        let mut next = pb::Report { shared: current.ownership.shared, ..definition_out(&current.definition) };
        for path in &mask {
            match path.as_str() {
                "name" => next.name = given.name.clone(),
                "description" => next.description = given.description.clone(),
                "source" => next.source = given.source,
                "filter" => next.filter = given.filter.clone(),
                "group_by" => next.group_by = given.group_by.clone(),
                "measures" => next.measures = given.measures.clone(),
                "sort" => next.sort = given.sort.clone(),
                "sort.column" => {
                    next.sort.get_or_insert_default().column = given.sort.clone().unwrap_or_default().column;
                }
                "sort.descending" => {
                    next.sort.get_or_insert_default().descending = given.sort.clone().unwrap_or_default().descending;
                }
                "chart_type" => next.chart_type = given.chart_type,
                "chart_measure" => next.chart_measure = given.chart_measure,
                _ => next.shared = given.shared,
            }
        }
        let def = self.checked(&caller, definition_in(&next)?).await?;
        let saved = store::update(&self.db, current.id, &def, next.shared).await?;
        Ok(Response::new(pb::UpdateReportResponse { report: Some(saved_out(&caller, &saved)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn delete_report(&self, req: Request<pb::DeleteReportRequest>) -> Reply<pb::DeleteReportResponse> {
        let caller = caller_of(&req)?;
        let current = self.editable(&caller, &req.get_ref().id).await?;
        store::delete(&self.db, current.id).await?;
        Ok(Response::new(pb::DeleteReportResponse {}))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn run_report(&self, req: Request<pb::RunReportRequest>) -> Reply<pb::RunReportResponse> {
        let caller = caller_of(&req)?;
        let r = req.into_inner();
        let (report, def) = match (r.id.is_empty(), r.definition) {
            (false, Some(_)) => return Err(Error::invalid("id", "give an id or a definition, not both").into()),
            (true, None) => {
                return Err(Error::invalid("id", "give the id of a report or a definition to preview").into());
            }
            (true, Some(d)) => {
                let def = definition_in(&d)?.check()?;
                (definition_out(&def), def)
            }
            (false, None) => {
                let found = self.find(&caller, &r.id).await?;
                (found.out(&caller), found.definition().clone())
            }
        };
        let result = self.run(&caller, report, &def).await?;
        Ok(Response::new(pb::RunReportResponse { result: Some(result) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn export_report(&self, req: Request<pb::ExportReportRequest>) -> Reply<pb::ExportReportResponse> {
        let caller = caller_of(&req)?;
        let r = req.into_inner();
        let (def, table) = self.table_of(&caller, &r.id, r.definition.as_ref(), r.result.as_ref()).await?;
        let content = csv_out::render(&table).map_err(Error::Internal)?;
        Ok(Response::new(pb::ExportReportResponse {
            content,
            content_type: csv_out::CONTENT_TYPE.into(),
            filename: csv_out::filename(&def.name, "csv"),
        }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn render_chart(&self, req: Request<pb::RenderChartRequest>) -> Reply<pb::RenderChartResponse> {
        let caller = caller_of(&req)?;
        let r = req.into_inner();
        let (_, table) = self.table_of(&caller, &r.id, r.definition.as_ref(), r.result.as_ref()).await?;
        Ok(Response::new(pb::RenderChartResponse {
            svg: svg::render(&table.chart),
            content_type: svg::CONTENT_TYPE.into(),
        }))
    }

    #[tracing::instrument(skip_all, fields(source = req.get_ref().source))]
    async fn describe_source(&self, req: Request<pb::DescribeSourceRequest>) -> Reply<pb::DescribeSourceResponse> {
        let caller = caller_of(&req)?;
        let source = source_in(req.get_ref().source, "source")?;
        let fields = self.owners.describe(&caller, source).await?;
        Ok(Response::new(pb::DescribeSourceResponse { fields: fields.into_iter().map(field_out).collect() }))
    }
}
