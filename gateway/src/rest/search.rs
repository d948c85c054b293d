//! `GET /api/v1/search`: one query to every record service at once, each
//! searching its own database in the caller's scope; the answers merged,
//! grouped by record type, best first. A service that fails or is too slow
//! is listed as missing and the rest is answered.

use axum::{Json, Router, routing::get};
use futures::future::join_all;
use prm_proto::{common::v1::RecordType, record::v1 as rpb};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{records::COLLECTIONS, status::problem};
use crate::{
    app::AppState,
    fanout::{self, Missing},
    problem::{ApiQuery, Problem},
    services::Acting,
};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words of a name, company, e-mail or number, or a phone number in any
    /// format; 2 to 200 characters, case and accents ignored.
    pub q: String,
    /// Comma-separated record types to search (`account,contact,lead,project,
    /// quote,order,task,case`); all when empty.
    pub types: String,
    /// Results per record type, 10 by default, at most 50.
    pub page_size: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchHitJson {
    /// `account`, `contact`, `lead`, `project`, `quote`, `order`, `task` or `case`.
    pub r#type: String,
    pub id: String,
    pub title: String,
    pub subtitle: String,
    /// 0 to 1; 1 is an exact match of the title.
    pub score: f64,
    /// Where the record is read.
    pub href: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchGroupJson {
    pub r#type: String,
    pub results: Vec<SearchHitJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchJson {
    pub query: String,
    /// One group per record type with results, the group of the best result first.
    pub groups: Vec<SearchGroupJson>,
    /// Services that did not answer in time: their records are not in `groups`.
    pub missing: Vec<Missing>,
}

/// The service that owns each record type.
fn owner(kind: RecordType) -> &'static str {
    match kind {
        RecordType::Account | RecordType::Contact => "account",
        RecordType::Lead => "lead",
        RecordType::Project => "project",
        RecordType::Quote => "quote",
        RecordType::Order => "order",
        RecordType::Task => "task",
        RecordType::Case => "case",
        RecordType::Unspecified => "",
    }
}

fn parse_types(s: &str) -> Result<Vec<RecordType>, Problem> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match prm_kit::record::type_from_name(t) {
            RecordType::Unspecified => Err(Problem::bad_request_field(
                "types",
                format!("`{t}` is not a record type (account, contact, lead, project, quote, order, task, case)"),
            )),
            k => Ok(k),
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchJson), (status = 400, description = "`q` too short or too long, or an unknown type")))]
pub async fn search(acting: Acting, ApiQuery(p): ApiQuery<SearchQuery>) -> Result<Json<SearchJson>, Problem> {
    let query = prm_kit::search::Query::parse(&p.q).map_err(|e| problem(e.into()).renamed("query", "q"))?;
    if p.page_size < 0 {
        return Err(Problem::bad_request_field("page_size", "must not be negative"));
    }
    let types = parse_types(&p.types)?;
    let services = acting.services().clone();
    let asked: Vec<(&'static str, tonic::transport::Channel)> = services
        .record_services()
        .into_iter()
        .filter(|(name, _)| types.is_empty() || types.iter().any(|t| owner(*t) == *name))
        .map(|(name, ch)| (name, ch.clone()))
        .collect();
    let calls = asked.iter().map(|(name, channel)| {
        let req = rpb::SearchRecordsRequest {
            query: p.q.clone(),
            page_size: p.page_size,
            types: types.iter().filter(|t| owner(**t) == *name).map(|t| *t as i32).collect(),
        };
        let client = acting.search(channel);
        async move {
            let mut client = client.map_err(|_| Missing { service: name, reason: "error" })?;
            fanout::call(name, client.search_records(fanout::request(req))).await
        }
    });
    let mut missing = vec![];
    let mut hits = vec![];
    for answer in join_all(calls).await {
        match answer {
            Ok(r) => hits.extend(r.results),
            Err(m) => missing.push(m),
        }
    }
    Ok(Json(SearchJson { query: query.text, groups: group(hits), missing }))
}

/// Groups by type, best first within each group and the best group first.
fn group(mut hits: Vec<rpb::SearchResult>) -> Vec<SearchGroupJson> {
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.title.cmp(&b.title)));
    let mut groups: Vec<SearchGroupJson> = vec![];
    for h in hits {
        let Some(record) = h.record else { continue };
        let kind = RecordType::try_from(record.r#type).unwrap_or(RecordType::Unspecified);
        let type_name = prm_kit::record::type_name(kind).to_string();
        let path = COLLECTIONS.iter().find(|c| c.kind == kind).map(|c| c.path).unwrap_or_default();
        let hit = SearchHitJson {
            href: format!("/api/v1/{path}/{}", record.id),
            r#type: type_name.clone(),
            id: record.id,
            title: h.title,
            subtitle: h.subtitle,
            score: h.score,
        };
        match groups.iter_mut().find(|g| g.r#type == type_name) {
            Some(g) => g.results.push(hit),
            None => groups.push(SearchGroupJson { r#type: type_name, results: vec![hit] }),
        }
    }
    groups
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/search", get(search))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prm_proto::common::v1::RecordRef;

    fn hit(kind: RecordType, title: &str, score: f64) -> rpb::SearchResult {
        rpb::SearchResult {
            record: Some(RecordRef { r#type: kind as i32, id: title.to_string() }),
            title: title.into(),
            subtitle: String::new(),
            score,
        }
    }

    #[test]
    fn groups_are_ordered_by_their_best_result() {
        let groups = group(vec![
            hit(RecordType::Contact, "Acme contact", 0.5),
            hit(RecordType::Account, "Acme", 1.0),
            hit(RecordType::Contact, "Acme Jane", 0.9),
            hit(RecordType::Project, "Acme rollout", 0.8),
        ]);
        let order: Vec<_> = groups.iter().map(|g| g.r#type.as_str()).collect();
        assert_eq!(order, ["account", "contact", "project"]);
        let contacts: Vec<_> = groups[1].results.iter().map(|h| h.title.as_str()).collect();
        assert_eq!(contacts, ["Acme Jane", "Acme contact"]);
        assert_eq!(groups[0].results[0].href, "/api/v1/accounts/Acme");
    }

    #[test]
    fn types_are_checked() {
        assert_eq!(parse_types("account, case").unwrap(), [RecordType::Account, RecordType::Case]);
        assert!(parse_types("").unwrap().is_empty());
        assert_eq!(parse_types("account,planet").unwrap_err().field.as_deref(), Some("types"));
    }
}
