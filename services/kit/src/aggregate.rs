//! Counts, sums and averages over one of a service's collections, grouped by
//! fields or by periods of a date, computed by its database in the caller's
//! scope: the home statistics and the reports are made of these, and no
//! record leaves the service.
//!
//! A collection offers its list fields (the same filter as its list) plus
//! any computed fields; money is summed in exact integer units and averages
//! are divided here, in decimal, so no figure goes through a float.

use std::str::FromStr;

use prm_proto::record::v1::{
    self as rpb, AggregateFunction, AggregateRequest, AggregateResponse, AggregateRow, CollectionField, DateBucket,
    DescribeCollectionResponse,
};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IdenStatic, QueryResult, QuerySelect, QueryTrait, Select,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    Error, Result,
    listing::{self, FieldKind, ListParams, Listing},
};

pub const MAX_GROUPINGS: usize = 3;
pub const MAX_MEASURES: usize = 10;
/// More groups than this is not a report but a list: the answer is an error
/// that asks for a filter or a coarser grouping.
pub const MAX_GROUPS: usize = 2_000;

/// How an aggregated field is grouped and measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Uuid,
    /// `YYYY-MM-DD` text.
    Date,
    Timestamp,
    Integer,
    /// Integer units of money (`crate::money`).
    Money,
    /// A yes/no condition: grouped as "true"/"false", summed as 1/0.
    Flag,
}

impl Kind {
    /// How a list field is aggregated: an enum is its words, text.
    fn of_listed(kind: FieldKind) -> Kind {
        match kind {
            FieldKind::Text | FieldKind::Enum(_) => Kind::Text,
            FieldKind::Timestamp => Kind::Timestamp,
            FieldKind::Uuid => Kind::Uuid,
            FieldKind::Date => Kind::Date,
            FieldKind::Integer => Kind::Integer,
            FieldKind::Money => Kind::Money,
        }
    }

    /// The kind on the wire.
    pub fn proto(self) -> rpb::FieldKind {
        match self {
            Kind::Text => rpb::FieldKind::Text,
            Kind::Uuid => rpb::FieldKind::Uuid,
            Kind::Date => rpb::FieldKind::Date,
            Kind::Timestamp => rpb::FieldKind::Timestamp,
            Kind::Integer => rpb::FieldKind::Integer,
            Kind::Money => rpb::FieldKind::Money,
            Kind::Flag => rpb::FieldKind::Flag,
        }
    }
}

/// A field that can be grouped or measured: a column, or an SQL expression
/// over the collection's columns (static text of the service, never input).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub sql: &'static str,
    pub kind: Kind,
}

/// One collection of a service: its list fields (for the filter, and to
/// group and measure by) and its computed fields.
pub struct Source<E: EntityTrait> {
    pub name: &'static str,
    pub fields: &'static [listing::Field<E::Column>],
    pub id_column: E::Column,
    pub computed: &'static [Field],
}

impl<E: EntityTrait> Source<E> {
    fn field(&self, name: &str) -> Option<Field> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| Field { name: f.name, sql: f.column.as_str(), kind: Kind::of_listed(f.kind) })
            .or_else(|| self.computed.iter().find(|f| f.name == name).copied())
    }
}

/// The answer for an unknown collection name.
pub fn unknown_collection(known: &[&str]) -> Error {
    Error::invalid("collection", format!("must be one of {}", known.join(", ")))
}

/// Every field of `source` a grouping or a measure may name, with its kind
/// and an enum's words: its list fields, then its computed fields (one a
/// list field already names is that field, as [`run`] reads it).
pub fn describe<E: EntityTrait>(source: &Source<E>) -> DescribeCollectionResponse {
    let listed = source.fields.iter().map(|f| CollectionField {
        name: f.name.to_string(),
        kind: Kind::of_listed(f.kind).proto() as i32,
        values: match f.kind {
            FieldKind::Enum(words) => words.iter().map(|w| w.to_string()).collect(),
            _ => vec![],
        },
    });
    let computed = source
        .computed
        .iter()
        .filter(|c| !source.fields.iter().any(|f| f.name == c.name))
        .map(|c| CollectionField { name: c.name.to_string(), kind: c.kind.proto() as i32, values: vec![] });
    DescribeCollectionResponse { fields: listed.chain(computed).collect() }
}

/// A [`Source`] of whatever entity, as [`describe_collection`] takes it.
pub trait Described {
    fn name(&self) -> &'static str;
    fn describe(&self) -> DescribeCollectionResponse;
}

impl<E: EntityTrait> Described for Source<E> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn describe(&self) -> DescribeCollectionResponse {
        describe(self)
    }
}

/// What a service's `DescribeCollection` answers for `collection`, one of
/// its `sources` (an unknown one is refused as [`run`]'s callers refuse it).
pub fn describe_collection(sources: &[&dyn Described], collection: &str) -> Result<DescribeCollectionResponse> {
    match sources.iter().find(|s| s.name() == collection) {
        Some(s) => Ok(s.describe()),
        None => Err(unknown_collection(&sources.iter().map(|s| s.name()).collect::<Vec<_>>())),
    }
}

/// How a grouping key is read back.
#[derive(Debug, Clone, Copy)]
enum KeyRead {
    Text,
    Uuid,
    Int,
    Money,
    /// The age buckets, sorted by age rather than by text.
    Age,
}

struct Grouping {
    sql: String,
    read: KeyRead,
}

enum MeasureSql {
    /// One text value.
    Value { sql: String, money: bool },
    /// An exact average: sum and count, divided here.
    Avg { sum: String, count: String, money: bool },
}

const AGE_BUCKETS: [&str; 4] = ["0-7 days", "8-30 days", "31-90 days", "over 90 days"];

/// `YYYY-MM-DD` text of a date or time field.
fn date_text(backend: DbBackend, f: &Field) -> String {
    match (f.kind, backend) {
        (Kind::Timestamp, DbBackend::Postgres) => format!("to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD')", f.sql),
        (Kind::Timestamp, _) => format!("substr({}, 1, 10)", f.sql),
        _ => f.sql.to_string(),
    }
}

fn bucket_sql(backend: DbBackend, f: &Field, bucket: DateBucket) -> String {
    let d = date_text(backend, f);
    let pg = backend == DbBackend::Postgres;
    match bucket {
        DateBucket::Unspecified | DateBucket::Day => d,
        DateBucket::Month => format!("substr({d}, 1, 7)"),
        DateBucket::Year => format!("substr({d}, 1, 4)"),
        DateBucket::Quarter => {
            format!("substr({d}, 1, 4) || '-Q' || CAST((CAST(substr({d}, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)")
        }
        DateBucket::Week if pg => format!(
            "to_char(CAST({d} AS date) - (CAST(extract(isodow FROM CAST({d} AS date)) AS integer) - 1), 'YYYY-MM-DD')"
        ),
        DateBucket::Week => format!("date({d}, '-6 days', 'weekday 1')"),
        DateBucket::Age => {
            let days = if pg {
                format!("(CURRENT_DATE - CAST({d} AS date))")
            } else {
                format!("CAST(julianday('now') - julianday({d}) AS INTEGER)")
            };
            format!(
                "CASE WHEN {d} IS NULL THEN NULL WHEN {days} <= 7 THEN '{}' WHEN {days} <= 30 THEN '{}' \
                 WHEN {days} <= 90 THEN '{}' ELSE '{}' END",
                AGE_BUCKETS[0], AGE_BUCKETS[1], AGE_BUCKETS[2], AGE_BUCKETS[3]
            )
        }
    }
}

fn flag_int(f: &Field) -> String {
    format!("CASE WHEN {} THEN 1 ELSE 0 END", f.sql)
}

/// Runs `req` over `base` (the caller's visible rows of the source).
pub async fn run<E, C>(
    conn: &C,
    source: &Source<E>,
    base: Select<E>,
    req: &AggregateRequest,
) -> Result<AggregateResponse>
where
    E: EntityTrait,
    E::Column: ColumnTrait + Copy,
    C: ConnectionTrait,
{
    let backend = conn.get_database_backend();
    let listing = Listing::parse(
        ListParams { page_size: 0, page_token: "", filter: &req.filter, order_by: "" },
        source.fields,
        source.id_column,
        source.fields.first().map(|f| f.name).unwrap_or("id"),
    )?;

    if req.group_by.len() > MAX_GROUPINGS {
        return Err(Error::invalid("group_by", format!("at most {MAX_GROUPINGS} groupings")));
    }
    let mut groupings = vec![];
    for (i, g) in req.group_by.iter().enumerate() {
        let at = format!("group_by[{i}]");
        let f = source
            .field(&g.field)
            .ok_or_else(|| Error::invalid(format!("{at}.field"), format!("cannot group by `{}`", g.field)))?;
        let bucket = DateBucket::try_from(g.bucket)
            .map_err(|_| Error::invalid(format!("{at}.bucket"), "is not a known bucket"))?;
        let dated = matches!(f.kind, Kind::Date | Kind::Timestamp);
        if bucket != DateBucket::Unspecified && !dated {
            return Err(Error::invalid(format!("{at}.bucket"), format!("`{}` is not a date", f.name)));
        }
        groupings.push(match f.kind {
            _ if dated => Grouping {
                sql: bucket_sql(backend, &f, bucket),
                read: if bucket == DateBucket::Age { KeyRead::Age } else { KeyRead::Text },
            },
            Kind::Uuid => Grouping { sql: f.sql.to_string(), read: KeyRead::Uuid },
            Kind::Integer => Grouping { sql: format!("CAST({} AS BIGINT)", f.sql), read: KeyRead::Int },
            Kind::Money => Grouping { sql: format!("CAST({} AS BIGINT)", f.sql), read: KeyRead::Money },
            Kind::Flag => {
                Grouping { sql: format!("CASE WHEN {} THEN 'true' ELSE 'false' END", f.sql), read: KeyRead::Text }
            }
            _ => Grouping { sql: f.sql.to_string(), read: KeyRead::Text },
        });
    }

    if req.measures.is_empty() || req.measures.len() > MAX_MEASURES {
        return Err(Error::invalid("measures", format!("needs 1 to {MAX_MEASURES} measures")));
    }
    let mut measures = vec![];
    for (i, m) in req.measures.iter().enumerate() {
        let at = format!("measures[{i}]");
        let function = AggregateFunction::try_from(m.function)
            .ok()
            .filter(|f| *f != AggregateFunction::Unspecified)
            .ok_or_else(|| Error::invalid(format!("{at}.function"), "is required"))?;
        if function == AggregateFunction::Count && m.field.is_empty() {
            measures.push(MeasureSql::Value { sql: "CAST(COUNT(*) AS TEXT)".into(), money: false });
            continue;
        }
        let f = source
            .field(&m.field)
            .ok_or_else(|| Error::invalid(format!("{at}.field"), format!("cannot measure `{}`", m.field)))?;
        let money = f.kind == Kind::Money;
        let numeric = match f.kind {
            Kind::Integer | Kind::Money => f.sql.to_string(),
            Kind::Flag => flag_int(&f),
            _ if function == AggregateFunction::Count => f.sql.to_string(),
            _ => return Err(Error::invalid(format!("{at}.field"), format!("`{}` is not a number", f.name))),
        };
        measures.push(match function {
            AggregateFunction::Count => {
                let counted = if f.kind == Kind::Flag { format!("NULLIF({numeric}, 0)") } else { numeric };
                MeasureSql::Value { sql: format!("CAST(COUNT({counted}) AS TEXT)"), money: false }
            }
            AggregateFunction::Sum => MeasureSql::Value { sql: format!("CAST(SUM({numeric}) AS TEXT)"), money },
            AggregateFunction::Min => MeasureSql::Value { sql: format!("CAST(MIN({numeric}) AS TEXT)"), money },
            AggregateFunction::Max => MeasureSql::Value { sql: format!("CAST(MAX({numeric}) AS TEXT)"), money },
            AggregateFunction::Avg => MeasureSql::Avg {
                sum: format!("CAST(SUM({numeric}) AS TEXT)"),
                count: format!("CAST(COUNT({numeric}) AS TEXT)"),
                money,
            },
            AggregateFunction::Unspecified => unreachable!("checked above"),
        });
    }

    let mut select = listing.filter_only(base).select_only();
    for (i, g) in groupings.iter().enumerate() {
        select = select.expr_as(Expr::cust(g.sql.clone()), format!("k{i}")).group_by(Expr::cust(g.sql.clone()));
    }
    for (j, m) in measures.iter().enumerate() {
        select = match m {
            MeasureSql::Value { sql, .. } => select.expr_as(Expr::cust(sql.clone()), format!("m{j}")),
            MeasureSql::Avg { sum, count, .. } => select
                .expr_as(Expr::cust(sum.clone()), format!("m{j}"))
                .expr_as(Expr::cust(count.clone()), format!("c{j}")),
        };
    }
    let select = select.limit(MAX_GROUPS as u64 + 1);
    let found = conn.query_all_raw(select.build(backend)).await?;
    if found.len() > MAX_GROUPS {
        return Err(Error::invalid(
            "group_by",
            format!("makes more than {MAX_GROUPS} groups: add a filter or group by a coarser period"),
        ));
    }

    let mut rows = vec![];
    for r in &found {
        let mut keys = vec![];
        for (i, g) in groupings.iter().enumerate() {
            keys.push(read_key(r, &format!("k{i}"), g.read)?);
        }
        let mut values = vec![];
        for (j, m) in measures.iter().enumerate() {
            values.push(match m {
                MeasureSql::Value { money, .. } => {
                    read_decimal(r, &format!("m{j}"))?.map(|d| show(d, *money)).unwrap_or_default()
                }
                MeasureSql::Avg { money, .. } => {
                    let sum = read_decimal(r, &format!("m{j}"))?;
                    let count = read_decimal(r, &format!("c{j}"))?.unwrap_or_default();
                    match sum {
                        Some(s) if !count.is_zero() => show(s / count, *money),
                        _ => String::new(),
                    }
                }
            });
        }
        rows.push((sort_key(&keys, &groupings), AggregateRow { keys, values }));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(AggregateResponse { rows: rows.into_iter().map(|(_, r)| r).collect() })
}

/// Numbers sort as numbers and ages by age; the rest as text.
fn sort_key(keys: &[String], groupings: &[Grouping]) -> Vec<(u8, i128, String)> {
    keys.iter()
        .zip(groupings)
        .map(|(k, g)| match g.read {
            KeyRead::Age => (0, AGE_BUCKETS.iter().position(|b| b == k).unwrap_or(9) as i128, k.clone()),
            KeyRead::Int | KeyRead::Money => (
                0,
                Decimal::from_str(k).map(|d| (d * Decimal::from(10_000)).trunc().mantissa()).unwrap_or(0),
                k.clone(),
            ),
            // Empty keys last.
            _ => (u8::from(k.is_empty()), 0, k.clone()),
        })
        .collect()
}

fn read_key(r: &QueryResult, col: &str, read: KeyRead) -> Result<String> {
    Ok(match read {
        KeyRead::Uuid => r.try_get::<Option<Uuid>>("", col)?.map(|u| u.to_string()).unwrap_or_default(),
        KeyRead::Int => r.try_get::<Option<i64>>("", col)?.map(|n| n.to_string()).unwrap_or_default(),
        KeyRead::Money => r.try_get::<Option<i64>>("", col)?.map(|n| show(Decimal::from(n), true)).unwrap_or_default(),
        KeyRead::Text | KeyRead::Age => r.try_get::<Option<String>>("", col)?.unwrap_or_default(),
    })
}

fn read_decimal(r: &QueryResult, col: &str) -> Result<Option<Decimal>> {
    match r.try_get::<Option<String>>("", col)? {
        None => Ok(None),
        Some(s) => Decimal::from_str(s.trim())
            .map(Some)
            .map_err(|e| Error::Internal(anyhow::anyhow!("aggregate `{col}` gave `{s}`: {e}"))),
    }
}

/// Money from units; every figure exact to 4 places, half to even.
fn show(d: Decimal, money: bool) -> String {
    let d = if money { d / Decimal::from(10_000) } else { d };
    let d = d.round_dp_with_strategy(crate::money::MAX_SCALE, RoundingStrategy::MidpointNearestEven).normalize();
    if money && d.scale() < 2 {
        let mut d = d;
        d.rescale(2);
        d.to_string()
    } else {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::search_document as doc;

    const STATUSES: &[&str] = &["open", "closed"];

    /// A collection with a field of each listed kind, and computed fields
    /// (one of them named as a list field is).
    const DOCS: Source<doc::Entity> = Source {
        name: "docs",
        fields: &[
            listing::Field { name: "title", column: doc::Column::Title, kind: FieldKind::Text },
            listing::Field { name: "status", column: doc::Column::Subtitle, kind: FieldKind::Enum(STATUSES) },
            listing::Field { name: "partner_id", column: doc::Column::PartnerId, kind: FieldKind::Uuid },
            listing::Field { name: "due", column: doc::Column::TitleKey, kind: FieldKind::Date },
            listing::Field { name: "seen", column: doc::Column::Terms, kind: FieldKind::Timestamp },
            listing::Field { name: "pages", column: doc::Column::Digits, kind: FieldKind::Integer },
            listing::Field { name: "price", column: doc::Column::RecordType, kind: FieldKind::Money },
        ],
        id_column: doc::Column::RecordId,
        computed: &[
            Field { name: "open", sql: "subtitle = 'open'", kind: Kind::Flag },
            Field { name: "partner_id", sql: "partner_id", kind: Kind::Uuid },
            Field { name: "cost", sql: "cost_units", kind: Kind::Money },
        ],
    };

    #[test]
    fn a_collection_is_described_by_its_list_fields_then_its_computed_ones() {
        let fields = describe(&DOCS).fields;
        let described: Vec<(&str, rpb::FieldKind, Vec<String>)> =
            fields.iter().map(|f| (f.name.as_str(), f.kind(), f.values.clone())).collect();
        let none = Vec::<String>::new;
        assert_eq!(
            described,
            [
                ("title", rpb::FieldKind::Text, none()),
                ("status", rpb::FieldKind::Text, vec!["open".to_string(), "closed".to_string()]),
                ("partner_id", rpb::FieldKind::Uuid, none()),
                ("due", rpb::FieldKind::Date, none()),
                ("seen", rpb::FieldKind::Timestamp, none()),
                ("pages", rpb::FieldKind::Integer, none()),
                ("price", rpb::FieldKind::Money, none()),
                ("open", rpb::FieldKind::Flag, none()),
                ("cost", rpb::FieldKind::Money, none()),
            ]
        );
        // Every field described is one a grouping may name, of the kind described.
        for f in &fields {
            assert_eq!(DOCS.field(&f.name).map(|k| k.kind.proto()), Some(f.kind()), "{}", f.name);
        }
    }

    #[test]
    fn an_unknown_collection_is_not_described() {
        assert_eq!(describe_collection(&[&DOCS], "docs").unwrap(), describe(&DOCS));
        match describe_collection(&[&DOCS], "widgets") {
            Err(Error::Invalid { field, message }) => {
                assert_eq!((field.as_str(), message.as_str()), ("collection", "must be one of docs"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn money_shows_exactly_with_cents() {
        assert_eq!(show(Decimal::from(15_000_000), true), "1500.00");
        assert_eq!(show(Decimal::from(12_345), true), "1.2345");
        assert_eq!(show(Decimal::from(7), false), "7");
        // An average of units: 10 / 3 units = 0.000333… → 0.0003.
        assert_eq!(show(Decimal::from(10) / Decimal::from(3), true), "0.0003");
        assert_eq!(show(Decimal::from(5) / Decimal::from(2), false), "2.5");
    }

    #[test]
    fn ages_sort_by_age_and_empty_keys_last() {
        let g = [Grouping { sql: String::new(), read: KeyRead::Age }];
        let mut keys = ["over 90 days", "8-30 days", "0-7 days", "31-90 days"].map(|k| vec![k.to_string()]).to_vec();
        keys.sort_by_key(|k| sort_key(k, &g));
        assert_eq!(keys.concat(), ["0-7 days", "8-30 days", "31-90 days", "over 90 days"]);
        let t = [Grouping { sql: String::new(), read: KeyRead::Text }];
        let mut keys = [vec![String::new()], vec!["b".to_string()], vec!["a".to_string()]];
        keys.sort_by_key(|k| sort_key(k, &t));
        assert_eq!(keys.concat(), ["a", "b", ""]);
    }
}
