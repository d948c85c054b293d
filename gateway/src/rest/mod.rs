//! The REST API over the services: JSON in and out, snake_case names of the
//! proto fields, problem+json errors naming the field.

pub mod accounts;
pub mod cases;
pub mod catalogue;
pub mod contacts;
pub mod dates;
pub mod home;
pub mod leads;
pub mod orders;
pub mod projects;
pub mod quotes;
pub mod records;
pub mod reports;
pub mod search;
pub mod status;
pub mod tasks;
pub mod views;
pub mod words;

use chrono::{DateTime, Utc};
use prm_proto::common::v1::Address;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::problem::Problem;

/// The most a request body may hold, unless its route allows more.
pub const BODY_LIMIT: usize = 2 << 20;

/// The most a file upload's body may hold: twice the attachment limit, so a
/// file a little too large reaches the service, which names the field.
pub const UPLOAD_BODY_LIMIT: usize = 2 * prm_kit::record::MAX_ATTACHMENT_BYTES;

/// The body limit of the route `path` names: the router applies it to the
/// handler, and anything that reads a body before the handler (the
/// idempotency layer) reads no more than it.
pub fn body_limit(path: &str) -> usize {
    if is_upload(path) { UPLOAD_BODY_LIMIT } else { BODY_LIMIT }
}

/// Whether `path` is a record's file upload, whose body is the file itself.
pub fn is_upload(path: &str) -> bool {
    path.starts_with("/api/") && path.ends_with("/files")
}

/// A postal address.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AddressJson {
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub region: String,
    pub country: String,
}

impl From<Option<Address>> for AddressJson {
    fn from(a: Option<Address>) -> Self {
        let a = a.unwrap_or_default();
        AddressJson { street: a.street, city: a.city, postal_code: a.postal_code, region: a.region, country: a.country }
    }
}

/// The proto address of an optional JSON one.
pub fn address(a: Option<AddressJson>) -> Option<Address> {
    a.map(|a| Address {
        street: a.street,
        city: a.city,
        postal_code: a.postal_code,
        region: a.region,
        country: a.country,
    })
}

pub fn time(t: Option<prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    t.as_ref().and_then(prm_kit::time::from_proto)
}

/// A body of bytes that is not JSON (a file, a PDF): a binary string, as a
/// client generator wants it (a `Vec<u8>` would read as an array of numbers).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Binary(pub Vec<u8>);

/// A list page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Empty when this is the last page.
    pub next_page_token: String,
}

impl<T> Page<T> {
    /// A list small enough to answer whole (a partner's users, the partners).
    pub fn all(items: Vec<T>) -> Self {
        Page { items, next_page_token: String::new() }
    }
}

/// List parameters of every collection.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Rows per page (default 50, at most 500).
    pub page_size: i32,
    /// `next_page_token` of the previous page.
    pub page_token: String,
    /// Conjunction of `field op value` terms, op one of `= != < <= > >= :`
    /// (`:` is "contains"), joined with `AND`; e.g. `type = customer AND name : "tel"`.
    pub filter: String,
    /// One listed field, optionally followed by `desc`.
    pub order_by: String,
}

/// Splits `{id}:{verb}` (Google AIP custom methods) into its parts.
pub fn split_verb(segment: &str) -> (&str, Option<&str>) {
    match segment.split_once(':') {
        Some((id, verb)) => (id, Some(verb)),
        None => (segment, None),
    }
}

/// Fields that the server computes or owns: a client that sends one is told so.
pub fn refuse_server_owned(body: &Map<String, Value>, owned: &[&str]) -> Result<(), Problem> {
    for f in owned {
        if body.contains_key(*f) {
            return Err(Problem::bad_request_field(*f, format!("`{f}` is set by the server and cannot be written")));
        }
    }
    Ok(())
}

/// The update mask a PATCH body implies: its keys, and for nested objects
/// (addresses) the keys inside them, as `billing_address.city`.
pub fn update_mask(body: &Map<String, Value>, nested: &[&str]) -> Vec<String> {
    let mut paths = Vec::new();
    for (k, v) in body {
        match v {
            Value::Object(inner) if nested.contains(&k.as_str()) => {
                paths.extend(inner.keys().map(|sub| format!("{k}.{sub}")));
            }
            _ => paths.push(k.clone()),
        }
    }
    paths
}

/// Parses a JSON object body.
pub fn object(bytes: &[u8]) -> Result<Map<String, Value>, Problem> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Problem::bad_request("The body must be a JSON object.")),
        Err(e) => Err(Problem::bad_request(format!("The body is not valid JSON: {e}"))),
    }
}

/// `null` in a PATCH clears a field: it becomes the empty value.
pub fn nulls_to_empty(body: &mut Map<String, Value>, nested: &[&str]) {
    for (k, v) in body.iter_mut() {
        if v.is_null() {
            *v = if nested.contains(&k.as_str()) { Value::Object(Map::new()) } else { Value::String(String::new()) };
        } else if let Value::Object(inner) = v {
            for iv in inner.values_mut() {
                if iv.is_null() {
                    *iv = Value::String(String::new());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_follow_the_body() {
        let body = object(br#"{"name":"A","billing_address":{"city":"B"}}"#).unwrap();
        let mut m = update_mask(&body, &["billing_address"]);
        m.sort();
        assert_eq!(m, vec!["billing_address.city", "name"]);
    }

    #[test]
    fn custom_verbs_split() {
        assert_eq!(split_verb("abc:follow"), ("abc", Some("follow")));
        assert_eq!(split_verb("abc"), ("abc", None));
    }
}
