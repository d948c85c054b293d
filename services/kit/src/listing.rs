//! List requests: an AIP-160 style filter, an order on one listed field, and
//! opaque keyset page tokens.
//!
//! Pages are keyset pages on (sort field, id): a token holds the last row's
//! sort value and id, so rows inserted while a client pages through never make
//! it skip or repeat a row. A token is bound to the filter and order it was
//! issued for.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select,
    sea_query::{Expr, ExprTrait, Func, SimpleExpr},
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Error, Result};

pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 500;

/// How a listed field is compared and carried in page tokens.
#[derive(Debug, Clone, Copy)]
pub enum FieldKind {
    Text,
    /// Text restricted to these values (stored enums).
    Enum(&'static [&'static str]),
    Timestamp,
    Uuid,
    /// An ISO 8601 date held as `YYYY-MM-DD` text, which sorts as dates do.
    Date,
    /// A whole number (counts, percentages).
    Integer,
    /// An exact amount of money, stored in units (`crate::money::to_units`);
    /// filters name it as a decimal, "1500.50".
    Money,
}

/// A field that clients may filter and sort on, and its column.
#[derive(Debug, Clone, Copy)]
pub struct Field<C> {
    pub name: &'static str,
    pub column: C,
    pub kind: FieldKind,
}

/// The value of the sort field of one row, as carried in a page token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Time(DateTime<Utc>),
    Int(i64),
    Text(String),
}

impl From<String> for SortValue {
    fn from(s: String) -> Self {
        SortValue::Text(s)
    }
}
impl From<&str> for SortValue {
    fn from(s: &str) -> Self {
        SortValue::Text(s.to_string())
    }
}
impl From<DateTime<Utc>> for SortValue {
    fn from(t: DateTime<Utc>) -> Self {
        SortValue::Time(t)
    }
}
impl From<i64> for SortValue {
    fn from(n: i64) -> Self {
        SortValue::Int(n)
    }
}
impl From<Uuid> for SortValue {
    fn from(u: Uuid) -> Self {
        SortValue::Text(u.to_string())
    }
}

#[derive(Serialize, Deserialize)]
struct Token {
    /// Fingerprint of filter + order.
    f: String,
    v: SortValue,
    id: Uuid,
}

/// A parsed, validated list request for one entity.
pub struct Listing<C> {
    conditions: Condition,
    sort: Field<C>,
    descending: bool,
    id_column: C,
    after: Option<(SortValue, Uuid)>,
    page_size: u64,
    fingerprint: String,
}

/// The raw list parameters of a `List…Request`.
pub struct ListParams<'a> {
    pub page_size: i32,
    pub page_token: &'a str,
    pub filter: &'a str,
    pub order_by: &'a str,
}

impl<C: ColumnTrait + Copy> Listing<C> {
    /// Validates the parameters against `fields`; `default_order` is used when
    /// `order_by` is empty (e.g. `"create_time desc"`).
    pub fn parse(params: ListParams<'_>, fields: &[Field<C>], id_column: C, default_order: &str) -> Result<Self> {
        let page_size = match params.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n if n < 0 => return Err(Error::invalid("page_size", "must not be negative")),
            n => std::cmp::Ord::min(n as u64, MAX_PAGE_SIZE),
        };
        let order_by = if params.order_by.trim().is_empty() { default_order } else { params.order_by };
        let (sort, descending) = parse_order_by(order_by, fields)?;
        let conditions = parse_filter(params.filter, fields)?;
        let fingerprint = {
            let mut h = Sha256::new();
            h.update(params.filter.trim().as_bytes());
            h.update([0]);
            h.update(order_by.trim().as_bytes());
            hex8(&h.finalize())
        };
        let after = if params.page_token.is_empty() {
            None
        } else {
            let bad = || Error::invalid("page_token", "is not a token of this list");
            let bytes = URL_SAFE_NO_PAD.decode(params.page_token).map_err(|_| bad())?;
            let t: Token = serde_json::from_slice(&bytes).map_err(|_| bad())?;
            if t.f != fingerprint {
                return Err(Error::invalid("page_token", "was issued for another filter or order_by"));
            }
            Some((t.v, t.id))
        };
        Ok(Listing { conditions, sort, descending, id_column, after, page_size, fingerprint })
    }

    /// The sort field's name, for building page tokens from rows.
    pub fn sort_field(&self) -> &'static str {
        self.sort.name
    }

    /// Adds the filter, the keyset position, the order and the limit (one row
    /// more than the page, to know whether another page follows).
    pub fn apply<E: EntityTrait<Column = C>>(&self, select: Select<E>) -> Select<E> {
        let mut select = select.filter(self.conditions.clone());
        if let Some((v, id)) = &self.after {
            let col = self.sort_expr();
            let idc = Expr::col(self.id_column.as_column_ref());
            let v = sort_value_expr(v);
            let cond = if self.descending {
                Condition::any().add(col.clone().lt(v.clone())).add(Condition::all().add(col.eq(v)).add(idc.lt(*id)))
            } else {
                Condition::any().add(col.clone().gt(v.clone())).add(Condition::all().add(col.eq(v)).add(idc.gt(*id)))
            };
            select = select.filter(cond);
        }
        let order = if self.descending { Order::Desc } else { Order::Asc };
        select.order_by(self.sort_expr(), order.clone()).order_by(self.id_column, order).limit(self.page_size + 1)
    }

    /// Adds only the filter: for counts and totals over the same rows.
    pub fn filter_only<E: EntityTrait<Column = C>>(&self, select: Select<E>) -> Select<E> {
        select.filter(self.conditions.clone())
    }

    /// Text sorts as people read it, ignoring case, on every database and collation.
    fn sort_expr(&self) -> SimpleExpr {
        let col = Expr::col(self.sort.column.as_column_ref());
        match self.sort.kind {
            FieldKind::Text => Func::lower(col).into(),
            _ => col,
        }
    }

    /// Cuts the extra row and makes the next page token from the last row.
    pub fn page<M>(&self, mut rows: Vec<M>, key: impl Fn(&M, &str) -> (SortValue, Uuid)) -> (Vec<M>, String) {
        if rows.len() as u64 <= self.page_size {
            return (rows, String::new());
        }
        rows.truncate(self.page_size as usize);
        let token = rows.last().map_or_else(String::new, |last| {
            let (v, id) = key(last, self.sort.name);
            let v = match (self.sort.kind, v) {
                (FieldKind::Text, SortValue::Text(s)) => SortValue::Text(s.to_lowercase()),
                (_, v) => v,
            };
            let t = Token { f: self.fingerprint.clone(), v, id };
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&t).expect("token serialises"))
        });
        (rows, token)
    }
}

fn sort_value_expr(v: &SortValue) -> SimpleExpr {
    match v {
        SortValue::Time(t) => Expr::val(*t),
        SortValue::Int(n) => Expr::val(*n),
        SortValue::Text(s) => Expr::val(s.clone()),
    }
}

fn hex8(bytes: &[u8]) -> String {
    bytes[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_order_by<C: Copy>(order_by: &str, fields: &[Field<C>]) -> Result<(Field<C>, bool)> {
    let mut words = order_by.split_whitespace();
    let name = words.next().ok_or_else(|| Error::invalid("order_by", "names no field"))?;
    let descending = match words.next().map(|w| w.to_ascii_lowercase()) {
        None => false,
        Some(w) if w == "asc" => false,
        Some(w) if w == "desc" => true,
        Some(w) => {
            return Err(Error::invalid("order_by", format!("expected `asc` or `desc`, found `{w}`")));
        }
    };
    if words.next().is_some() || name.contains(',') {
        return Err(Error::invalid("order_by", "sorts on one field only"));
    }
    let field = fields
        .iter()
        .find(|f| f.name == name)
        .copied()
        .ok_or_else(|| Error::invalid("order_by", format!("cannot sort on `{name}`")))?;
    Ok((field, descending))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Has,
}

/// One `field op value` term.
#[derive(Debug, PartialEq)]
struct Term {
    field: String,
    op: Op,
    value: String,
}

/// The ids a filter compares fields with (`field = id`, `field != id`), as
/// written: what a service that stores the filter checks as references.
/// Terms whose value is not an id are left to the owning service's parse.
pub fn filter_ids(filter: &str) -> Result<Vec<(String, Uuid)>> {
    Ok(tokenize(filter)?
        .into_iter()
        .filter(|t| matches!(t.op, Op::Eq | Op::Ne))
        .filter_map(|t| Uuid::parse_str(&t.value).ok().map(|id| (t.field, id)))
        .collect())
}

fn parse_filter<C: ColumnTrait + Copy>(filter: &str, fields: &[Field<C>]) -> Result<Condition> {
    let mut cond = Condition::all();
    for term in tokenize(filter)? {
        let field = fields
            .iter()
            .find(|f| f.name == term.field)
            .ok_or_else(|| Error::invalid("filter", format!("cannot filter on `{}`", term.field)))?;
        cond = cond.add(term_condition(field, &term)?);
    }
    Ok(cond)
}

fn term_condition<C: ColumnTrait + Copy>(field: &Field<C>, term: &Term) -> Result<Condition> {
    let col = Expr::col(field.column.as_column_ref());
    let bad = |m: String| Error::invalid("filter", format!("`{}`: {m}", field.name));
    let value: SimpleExpr = match field.kind {
        FieldKind::Text => {
            if term.op == Op::Has {
                let pattern = format!("%{}%", escape_like(&term.value.to_lowercase()));
                return Ok(Condition::all().add(
                    SimpleExpr::from(Func::lower(col)).like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
                ));
            }
            Expr::val(term.value.clone())
        }
        FieldKind::Enum(allowed) => {
            if !allowed.contains(&term.value.as_str()) {
                return Err(bad(format!("must be one of {}", allowed.join(", "))));
            }
            if !matches!(term.op, Op::Eq | Op::Ne) {
                return Err(bad("compares with = or != only".into()));
            }
            Expr::val(term.value.clone())
        }
        FieldKind::Timestamp => {
            let t = DateTime::parse_from_rfc3339(&term.value)
                .map_err(|_| bad("expects an RFC 3339 time".into()))?
                .with_timezone(&Utc);
            Expr::val(t)
        }
        FieldKind::Uuid => {
            let u = Uuid::parse_str(&term.value).map_err(|_| bad("expects an id".into()))?;
            if !matches!(term.op, Op::Eq | Op::Ne) {
                return Err(bad("compares with = or != only".into()));
            }
            Expr::val(u)
        }
        FieldKind::Date => {
            chrono::NaiveDate::parse_from_str(&term.value, "%Y-%m-%d")
                .map_err(|_| bad("expects a date, e.g. 2026-12-31".into()))?;
            Expr::val(term.value.clone())
        }
        FieldKind::Integer => {
            let n: i64 = term.value.parse().map_err(|_| bad("expects a whole number".into()))?;
            Expr::val(n)
        }
        FieldKind::Money => {
            let amount = crate::money::parse_amount("filter", &term.value)
                .and_then(|d| crate::money::to_units("filter", d))
                .map_err(|_| bad("expects an amount, e.g. 1500.50".into()))?;
            Expr::val(amount)
        }
    };
    let e = match term.op {
        Op::Eq => col.eq(value),
        Op::Ne => col.ne(value),
        Op::Lt => col.lt(value),
        Op::Le => col.lte(value),
        Op::Gt => col.gt(value),
        Op::Ge => col.gte(value),
        Op::Has => return Err(bad("`:` applies to text fields".into())),
    };
    Ok(Condition::all().add(e))
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn tokenize(filter: &str) -> Result<Vec<Term>> {
    let bad = |m: &str| Error::invalid("filter", m.to_string());
    let mut terms = Vec::new();
    let mut rest = filter.trim();
    while !rest.is_empty() {
        let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).unwrap_or(rest.len());
        if name_len == 0 {
            return Err(bad("expected a field name"));
        }
        let field = rest[..name_len].to_string();
        rest = rest[name_len..].trim_start();
        let (op, len) = [
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
            (":", Op::Has),
        ]
        .iter()
        .find(|(s, _)| rest.starts_with(s))
        .map(|(s, op)| (*op, s.len()))
        .ok_or_else(|| bad(&format!("expected an operator after `{field}`")))?;
        rest = rest[len..].trim_start();
        let value;
        if let Some(q) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = q.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, n)) => out.push(n),
                        None => break,
                    },
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => out.push(c),
                }
            }
            let end = end.ok_or_else(|| bad("unterminated string"))?;
            value = out;
            rest = q[end + 1..].trim_start();
        } else {
            let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            if len == 0 {
                return Err(bad(&format!("expected a value for `{field}`")));
            }
            value = rest[..len].to_string();
            rest = rest[len..].trim_start();
        }
        terms.push(Term { field, op, value });
        if rest.is_empty() {
            break;
        }
        let (word, after) = rest.split_at(rest.find(char::is_whitespace).unwrap_or(rest.len()));
        if !word.eq_ignore_ascii_case("AND") {
            return Err(bad("terms are joined with AND"));
        }
        rest = after.trim_start();
        if rest.is_empty() {
            return Err(bad("expected a term after AND"));
        }
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ids_of_a_filter_are_its_id_comparisons() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let f = format!("account_id = {a} AND stage != closed_lost AND owner_id != \"{b}\" AND name : \"{a}\"");
        assert_eq!(filter_ids(&f).unwrap(), [("account_id".to_string(), a), ("owner_id".to_string(), b)]);
        assert!(filter_ids("").unwrap().is_empty());
        assert!(filter_ids("account_id =").is_err());
    }

    #[test]
    fn filters_are_tokenized() {
        let t = tokenize(r#"name : "Acme \"Tel\"" AND type=customer"#).unwrap();
        assert_eq!(
            t,
            vec![
                Term { field: "name".into(), op: Op::Has, value: "Acme \"Tel\"".into() },
                Term { field: "type".into(), op: Op::Eq, value: "customer".into() },
            ]
        );
    }

    #[test]
    fn malformed_filters_name_the_filter() {
        for f in ["name", "name =", "= x", "a = 1 OR b = 2", "a = \"x", "a = 1 AND"] {
            match tokenize(f) {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "filter", "{f}"),
                other => panic!("{f}: {other:?}"),
            }
        }
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}
