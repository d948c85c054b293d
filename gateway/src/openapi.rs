//! The OpenAPI 3.1 document of the REST API, generated from the handlers.

use utoipa::OpenApi;

use crate::rest::{self, records::Collection};

#[derive(OpenApi)]
#[openapi(
    info(title = "prm REST API", description = "Partner relationship management: accounts, contacts, the price book and quotes, with notes, files, history and followers on every record."),
    paths(
        rest::accounts::list, rest::accounts::create, rest::accounts::read, rest::accounts::update,
        rest::accounts::delete, rest::accounts::custom,
        rest::contacts::list, rest::contacts::create, rest::contacts::read, rest::contacts::update,
        rest::contacts::delete, rest::contacts::custom,
        rest::leads::list, rest::leads::create, rest::leads::read, rest::leads::update, rest::leads::delete,
        rest::leads::search, rest::leads::find_duplicates, rest::leads::custom, rest::leads::distribute_doc,
        rest::leads::accept_doc, rest::leads::reject_doc, rest::leads::change_owner_doc,
        rest::catalogue::list_products, rest::catalogue::create_product, rest::catalogue::read_product,
        rest::catalogue::update_product, rest::catalogue::set_price, rest::catalogue::list_discounts,
        rest::catalogue::set_discount, rest::catalogue::read_wap, rest::catalogue::set_wap,
        rest::quotes::list, rest::quotes::create, rest::quotes::read, rest::quotes::update, rest::quotes::delete,
        rest::quotes::custom, rest::quotes::add_line, rest::quotes::update_line, rest::quotes::remove_line,
        rest::quotes::primary, rest::quotes::document, rest::quotes::set_primary_doc, rest::quotes::send_doc,
        rest::orders::list, rest::orders::create, rest::orders::read, rest::orders::custom, rest::orders::update_line,
        rest::projects::list, rest::projects::create, rest::projects::read, rest::projects::update,
        rest::projects::delete, rest::projects::custom, rest::projects::clone_doc, rest::projects::change_owner_doc,
        rest::projects::approve_doc, rest::projects::board, rest::projects::board_column,
        rest::projects::list_views, rest::projects::create_view, rest::projects::update_view,
        rest::projects::delete_view, rest::projects::read_settings, rest::projects::update_settings,
        rest::projects::list_contacts, rest::projects::set_contact, rest::projects::remove_contact,
        rest::projects::list_quotes, rest::projects::create_quote,
        rest::tasks::list, rest::tasks::create, rest::tasks::read, rest::tasks::update, rest::tasks::delete,
        rest::tasks::custom, rest::tasks::list_views, rest::tasks::create_view, rest::tasks::update_view,
        rest::tasks::delete_view, rest::views::list_views, rest::views::create_view, rest::views::update_view,
        rest::views::delete_view, rest::records::list_notes_doc, rest::records::create_note_doc,
        rest::records::list_files_doc, rest::records::upload_doc, rest::records::file_info_doc,
        rest::records::download_doc, rest::records::history_doc, rest::records::followers_doc,
        rest::records::follow_doc, rest::records::unfollow_doc, rest::tasks::activities_doc,
        rest::cases::list, rest::cases::create, rest::cases::read, rest::cases::update, rest::cases::search,
        rest::cases::custom, rest::cases::assign_doc, rest::cases::list_comments, rest::cases::add_comment,
        rest::reports::list, rest::reports::create, rest::reports::read, rest::reports::update,
        rest::reports::delete, rest::reports::preview, rest::reports::result, rest::reports::export_csv,
        rest::reports::chart_svg, rest::reports::preview_chart, rest::reports::fields,
        rest::home::home, rest::home::list, rest::home::create, rest::home::read, rest::home::update,
        rest::home::custom, rest::search::search,
        crate::auth::login, crate::auth::refresh, crate::auth::logout, crate::auth::me,
        crate::auth::session::sign_in, crate::auth::session::refresh, crate::auth::session::sign_out,
        crate::admin::list_users, crate::admin::create_user, crate::admin::get_user, crate::admin::update_user,
        crate::admin::list_partners, crate::admin::create_partner, crate::admin::get_partner,
        crate::admin::update_partner, crate::admin::assign_account_manager, crate::admin::unassign_account_manager,
    ),
    components(schemas(
        rest::AddressJson, rest::Binary, rest::accounts::AccountJson, rest::accounts::AccountInput, rest::accounts::ChangeOwnerInput,
        rest::contacts::ContactJson, rest::contacts::ContactInput,
        rest::leads::LeadJson, rest::leads::CreatedLeadJson, rest::leads::LeadInput, rest::leads::ConvertInput,
        rest::leads::DistributeInput, rest::leads::RejectInput, rest::leads::LeadHitJson, rest::leads::DuplicateQuery,
        rest::records::NoteJson, rest::records::NoteInput, rest::records::AttachmentJson,
        rest::records::FieldChangeJson, rest::records::FollowerJson, rest::records::FollowingJson,
        rest::catalogue::MoneyJson, rest::catalogue::ProductJson, rest::catalogue::ProductInput, rest::catalogue::PriceInput,
        rest::catalogue::DiscountJson, rest::catalogue::WapJson,
        rest::quotes::QuoteJson, rest::quotes::QuoteLineJson, rest::quotes::QuoteInput, rest::quotes::LineInput, rest::quotes::LinePatch,
        rest::quotes::TransitionInput, rest::quotes::SendInput, rest::quotes::SentJson,
        rest::orders::OrderJson, rest::orders::OrderLineJson, rest::orders::OrderInput, rest::orders::StockLineInput,
        rest::orders::OrderTransitionInput, rest::orders::OrderLinePatch,
        rest::projects::ProjectJson, rest::projects::ProjectInput, rest::projects::CostInfoJson,
        rest::projects::DemoAnswerJson, rest::projects::MoveInput, rest::projects::CloneInput,
        rest::projects::ApprovalInput, rest::projects::ProjectContactJson, rest::projects::RoleInput,
        rest::projects::BoardJson, rest::projects::BoardColumnJson, rest::projects::ListViewJson, rest::projects::ListViewInput,
        rest::projects::SettingsJson, rest::projects::StageProbabilityJson, rest::projects::DemoQuestionJson,
        rest::tasks::TaskJson, rest::tasks::TaskInput, rest::tasks::RelatedJson,
        rest::cases::CaseJson, rest::cases::CaseInput, rest::cases::PersonJson, rest::cases::CaseTransitionInput,
        rest::cases::AssignInput, rest::cases::CommentJson, rest::cases::CommentInput, rest::cases::CaseHitJson,
        rest::reports::ReportJson, rest::reports::ReportInput, rest::reports::GroupingJson, rest::reports::MeasureJson,
        rest::reports::SortJson, rest::reports::ResultJson, rest::reports::ColumnJson, rest::reports::RowJson,
        rest::reports::ChartJson, rest::reports::SeriesJson, rest::reports::SourceFieldJson,
        rest::reports::SourceFieldsJson,
        rest::home::HomeJson, rest::home::StatisticsJson, rest::home::StageCountJson, rest::home::PipelineJson,
        rest::home::NewsJson, rest::home::NewsInput, rest::home::NewsPage, crate::fanout::Missing,
        rest::search::SearchJson, rest::search::SearchGroupJson, rest::search::SearchHitJson,
        crate::auth::LoginRequest, crate::auth::RefreshRequest, crate::auth::LoginResponse, crate::auth::TokenPair,
        crate::auth::UserView, crate::auth::session::SessionResponse, crate::identity::Role, crate::identity::Partner,
        crate::identity::PostalAddress, crate::admin::CreateUserBody, crate::admin::UpdateUserBody,
        crate::admin::CreatePartnerBody, crate::admin::UpdatePartnerBody,
    )),
    tags((name = "auth", description = "Sign-in: a token pair for API clients, a cookie session for the browser"), (name = "admin", description = "Users, partners and account managers, which the gateway owns"), (name = "accounts"), (name = "contacts"), (name = "leads", description = "Prospects, the vendor's lead distribution, and conversion into an account, a contact and a project"), (name = "catalogue"), (name = "quotes"), (name = "orders"), (name = "projects", description = "Opportunities through the gated stage machine, the Kanban board and list views"), (name = "tasks", description = "Activities on any record; a record's open activities"), (name = "cases", description = "Support cases, their comment thread (internal comments for support only) and e-mail notifications"), (name = "reports", description = "Saved and built-in reports over any record collection, run in the caller's scope: a table, CSV and an SVG chart"), (name = "records", description = "Notes, files, history and followers of any record"), (name = "home", description = "News & updates and the statistics of the caller's scope, from every service at once"), (name = "search", description = "One query over every record the caller may see, grouped by type, best first"))
)]
struct ApiDoc;

/// The operations written once for `template` (a path starting
/// `/api/v1/{collection}/`) replaced by one copy for each of `collections`,
/// tagged with it and without the `collection` parameter: one definition
/// documents a route every collection serves alike.
pub(crate) fn copy_per_collection(doc: &mut utoipa::openapi::OpenApi, template: &str, collections: &[&Collection]) {
    let Some(item) = doc.paths.paths.remove(template) else { return };
    for c in collections {
        let mut copy = item.clone();
        for (_, op) in operations(&mut copy) {
            op.tags = Some(vec![c.path.to_string()]);
            if let Some(params) = op.parameters.as_mut() {
                params.retain(|p| !matches!(p, utoipa::openapi::RefOr::T(p) if p.name == "collection"));
            }
        }
        doc.paths.paths.insert(template.replace("{collection}", c.path), copy);
    }
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    // Before the per-collection copies, which then inherit it.
    declare_required(&mut doc);
    rest::views::document_each(&mut doc);
    rest::records::document_each(&mut doc);
    let mut bearer = utoipa::openapi::security::SecurityScheme::Http(
        utoipa::openapi::security::HttpBuilder::new()
            .scheme(utoipa::openapi::security::HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build(),
    );
    if let utoipa::openapi::security::SecurityScheme::Http(h) = &mut bearer {
        h.description = Some("Access token from /api/v1/auth/login".into());
    }
    doc.components.get_or_insert_with(Default::default).add_security_scheme("bearer", bearer);
    doc.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new())]);
    complete(&mut doc);
    unique_operation_ids(&mut doc);
    doc
}

/// The fields each create (a POST) refuses to go without: the services
/// answer 400 naming the field when one is missing, blank or only spaces.
/// The inputs are shared by create and PATCH (which takes any subset), so
/// Rust's types cannot say it; the document does, so a typed client or a
/// generated form knows before it sends. The e2e suite `required` holds
/// every line here to what the services enforce.
pub(crate) const REQUIRED: &[(&str, &[&str])] = &[
    ("/api/v1/accounts", &["name"]),
    ("/api/v1/contacts", &["account_id", "last_name"]),
    ("/api/v1/leads", &["company", "last_name"]),
    ("/api/v1/projects", &["name", "account_id", "record_type", "close_date"]),
    ("/api/v1/projects/views", &["name"]),
    ("/api/v1/quotes", &["name", "project_id", "account_id", "currency_code"]),
    ("/api/v1/quotes/{id}/lines", &["product_id", "quantity"]),
    ("/api/v1/quotes/{id}:send", &["contact_id"]),
    ("/api/v1/tasks", &["related", "subject", "type"]),
    ("/api/v1/tasks/views", &["name"]),
    ("/api/v1/cases", &["subject", "description", "product"]),
    ("/api/v1/cases/{id}/comments", &["body"]),
    ("/api/v1/reports", &["name", "source", "measures"]),
    ("/api/v1/reports:run", &["name", "source", "measures"]),
    ("/api/v1/reports:renderChart", &["name", "source", "measures"]),
    ("/api/v1/news", &["title", "body"]),
    ("/api/v1/products", &["sku", "name", "family", "billing"]),
    ("/api/v1/{collection}/views", &["name"]),
    ("/api/v1/{collection}/{id}/notes", &["body"]),
];

/// Declares [`REQUIRED`] on each create's body schema. A schema that other
/// operations share with other needs (a PATCH) is copied as
/// `<Name>Create` (`AccountInput` → `AccountCreate`) for the create alone.
/// A required string is at least one character that is not a space, as
/// the services trim before they check; a required word drops the empty
/// word; a required nullable object is the object.
fn declare_required(doc: &mut utoipa::openapi::OpenApi) {
    use std::collections::BTreeMap;
    use utoipa::openapi::{Ref, RefOr, path::Operation};
    fn body_schema(op: &mut Operation) -> Option<&mut Option<RefOr<utoipa::openapi::schema::Schema>>> {
        let RefOr::T(body) = op.request_body.as_mut()? else { return None };
        let RefOr::T(content) = body.content.get_mut("application/json")? else { return None };
        Some(&mut content.schema)
    }
    fn name_of(schema: &Option<RefOr<utoipa::openapi::schema::Schema>>) -> Option<String> {
        match schema {
            Some(RefOr::Ref(r)) => r.ref_location.rsplit('/').next().map(str::to_string),
            _ => None,
        }
    }
    let needs = |method: &str, path: &str| {
        REQUIRED.iter().find(|(p, _)| method == "post" && *p == path).map(|(_, fields)| *fields)
    };
    // What every operation that sends each schema needs of it.
    let mut uses: BTreeMap<String, Vec<Option<&[&str]>>> = BTreeMap::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in operations(item) {
            if let Some(name) = body_schema(op).and_then(|s| name_of(s)) {
                uses.entry(name).or_default().push(needs(method, path));
            }
        }
    }
    let schemas = &mut doc.components.get_or_insert_with(Default::default).schemas;
    let mut made: BTreeMap<String, &[&str]> = BTreeMap::new();
    for (path, fields) in REQUIRED {
        let op = doc
            .paths
            .paths
            .get_mut(*path)
            .and_then(|item| item.post.as_mut())
            .unwrap_or_else(|| panic!("REQUIRED names post {path}, which the document lacks"));
        let schema = body_schema(op).unwrap_or_else(|| panic!("post {path} takes no JSON body"));
        let name = name_of(schema).unwrap_or_else(|| panic!("post {path}: its body is no named schema"));
        let alone = uses[&name].iter().all(|u| *u == Some(*fields));
        let target = if alone { name.clone() } else { format!("{}Create", name.trim_end_matches("Input")) };
        match made.get(&target) {
            Some(done) => assert_eq!(done, fields, "{target} is required two ways"),
            None => {
                let mut value = serde_json::to_value(&schemas[&name]).expect("a schema serialises");
                require(&mut value, fields, &target);
                schemas.insert(target.clone(), serde_json::from_value(value).expect("a schema deserialises"));
                made.insert(target.clone(), fields);
            }
        }
        *schema = Some(RefOr::Ref(Ref::from_schema_name(target)));
    }
}

/// Makes `fields` of the object schema `schema` required, as
/// [`declare_required`] says.
fn require(schema: &mut serde_json::Value, fields: &[&str], name: &str) {
    use serde_json::{Value, json};
    let properties = schema["properties"].as_object_mut().unwrap_or_else(|| panic!("{name} has no properties"));
    for field in fields {
        let p = properties.get_mut(*field).unwrap_or_else(|| panic!("{name} has no field {field}"));
        let reference = p["oneOf"].as_array().and_then(|one| one.iter().find(|s| s.get("$ref").is_some())).cloned();
        if let Some(mut reference) = reference {
            if let Some(description) = p.get("description") {
                reference["description"] = description.clone();
            }
            *p = reference;
        }
        if let Some(types) = p["type"].as_array() {
            let types: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
            p["type"] = if types.len() == 1 { types[0].clone() } else { Value::Array(types) };
        }
        match p["type"].as_str() {
            Some("string") => {
                let patterned = p.get("pattern").is_some() || p.get("format").is_some();
                match p["enum"].as_array_mut() {
                    Some(words) => words.retain(|w| w != ""),
                    // A field with its own pattern or format says what it takes.
                    None if !patterned => {
                        p["minLength"] = json!(1);
                        p["pattern"] = json!("\\S");
                    }
                    None => {}
                }
            }
            Some("array") if p.get("minItems").is_none() => p["minItems"] = json!(1),
            _ => {}
        }
    }
    let required = schema.as_object_mut().expect("an object").entry("required").or_insert_with(|| json!([]));
    let list = required.as_array_mut().expect("required is a list");
    for field in fields {
        if !list.iter().any(|f| f == field) {
            list.push(json!(field));
        }
    }
}

/// Every operation's id is unique, as client generators key their types by
/// it: a handler name that several collections share (`list`, `read`,
/// `create`…) becomes `<tag>_<name>` (`accounts_list`), and one still
/// shared within a tag takes its method too.
fn unique_operation_ids(doc: &mut utoipa::openapi::OpenApi) {
    use std::collections::BTreeMap;
    fn ops(doc: &mut utoipa::openapi::OpenApi) -> Vec<(&'static str, &mut utoipa::openapi::path::Operation)> {
        doc.paths
            .paths
            .iter_mut()
            .flat_map(|(path, item)| {
                // An operation written by hand without an id gets one from
                // its method and path (`get /api/v1/users/{id}` → `get_users_id`).
                let slug: String = path
                    .trim_start_matches("/api/v1/")
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join("_");
                operations(item)
                    .map(move |(method, op)| {
                        if op.operation_id.as_deref().is_none_or(str::is_empty) {
                            op.operation_id = Some(format!("{method}_{slug}"));
                        }
                        (method, op)
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
    for round in 0..2 {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (_, op) in ops(doc) {
            *seen.entry(op.operation_id.clone().unwrap_or_default()).or_default() += 1;
        }
        for (method, op) in ops(doc) {
            let id = op.operation_id.clone().unwrap_or_default();
            if seen[&id] > 1 {
                let tag = op.tags.as_ref().and_then(|t| t.first()).cloned().unwrap_or_default();
                op.operation_id = Some(if round == 0 { format!("{tag}_{id}") } else { format!("{id}_{method}") });
            }
        }
    }
}

/// The operations of one path, with their methods.
pub(crate) fn operations(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = (&'static str, &mut utoipa::openapi::path::Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_mut().map(|op| (method, op)))
}

/// Routes anyone may call: signing in and refreshing a session.
const PUBLIC: &[&str] =
    &["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/session", "/api/v1/auth/session/refresh"];

/// What every operation shares, written once here rather than on each
/// handler: the parameters of its path template, the answers of the layers
/// in front of every handler (401, 403, 415, 429, 503, all problem+json),
/// the answers every handler of a kind may give (400 for input, 404 for a
/// path naming a record, 409 for a write the record refuses), and no
/// bearer requirement on the public routes.
fn complete(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{
        ContentBuilder, Ref, RefOr, Required, ResponseBuilder,
        path::{ParameterBuilder, ParameterIn},
        schema::{ObjectBuilder, Type},
    };
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.insert("Problem".into(), problem_schema());
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::problem::PROBLEM_JSON,
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let names: Vec<String> =
            path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string())).collect();
        let public = PUBLIC.contains(&path.as_str());
        for (method, op) in operations(item) {
            let params = op.parameters.get_or_insert_with(Vec::new);
            for name in &names {
                let declared = params
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == *name && p.parameter_in == ParameterIn::Path));
                if !declared {
                    params.push(RefOr::T(
                        ParameterBuilder::new()
                            .name(name)
                            .parameter_in(ParameterIn::Path)
                            .required(Required::True)
                            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                            .build(),
                    ));
                }
            }
            let takes_input = !params.is_empty() || matches!(method, "post" | "put" | "patch");
            if params.is_empty() {
                op.parameters = None;
            }
            let responses = &mut op.responses.responses;
            let mut add = |code: &str, description: &str| {
                responses.entry(code.to_string()).or_insert_with(|| problem(description).into());
            };
            if public {
                op.security = Some(vec![]);
                // Wrong credentials, or no session to refresh.
                add("401", "Not signed in: wrong e-mail or password, or no (or an ended) session");
                if path.starts_with("/api/v1/auth/session") {
                    add("403", "A cross-site request: the X-PRM-CSRF header is missing, or another origin");
                }
            } else {
                add("401", "No valid access token (problem+json, with WWW-Authenticate: Bearer)");
                // Nearly every handler checks the caller's role.
                add("403", "The caller's role may not do this");
            }
            if takes_input {
                add("400", "Bad input: the problem names the field (or the parameter) in errors[].field");
            }
            if !names.is_empty() {
                add("404", "No such record in your scope");
            }
            if matches!(method, "post" | "put" | "patch") {
                add("415", "The body is not application/json");
            }
            if matches!(method, "post" | "put" | "patch" | "delete") && !public {
                add("409", "The record as it stands refuses this change (a rule of the domain names why)");
            }
            add("429", "Too many requests: retry after the Retry-After header's seconds");
            add("503", "A service behind the gateway is unavailable: retry after Retry-After");
        }
    }
}

/// RFC 9457 problem details as the gateway writes them.
fn problem_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let string = || ObjectBuilder::new().schema_type(Type::String);
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("type", string())
        .property("title", string())
        .property("status", ObjectBuilder::new().schema_type(Type::Integer))
        .property("detail", string())
        .property(
            "errors",
            ArrayBuilder::new().items(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("field", string())
                    .property("message", string())
                    .required("field")
                    .required("message"),
            ),
        )
        .required("type")
        .required("title")
        .required("status")
        .required("detail")
        .into()
}

#[cfg(test)]
mod tests {
    /// A client generator keys its types by operation id: two operations
    /// with one id would give one of them the other's types.
    #[test]
    fn every_operation_has_an_id_of_its_own() {
        let doc = serde_json::to_value(super::document()).unwrap();
        let mut ids = std::collections::BTreeMap::<String, Vec<String>>::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                ids.entry(id.to_string()).or_default().push(format!("{method} {path}"));
            }
        }
        let shared: Vec<_> = ids.iter().filter(|(_, ops)| ops.len() > 1).collect();
        assert!(shared.is_empty(), "operation ids used more than once: {shared:?}");
        assert!(ids.len() > 100, "{} operations", ids.len());
    }

    /// A typed client needs every answer's body and every write's input in
    /// the document: an operation whose success has content declares its
    /// schema, and a write declares its body unless it takes none.
    #[test]
    fn every_operation_declares_its_answer_and_its_input() {
        // The writes that take no body: following, the verbs of a record's
        // own state, and assigning an account manager.
        const NO_BODY: &[&str] = &[
            ":follow",
            ":unfollow",
            ":accept",
            ":setPrimary",
            ":retire",
            "/session/refresh",
            "/account_managers/{user_id}",
        ];
        let doc = serde_json::to_value(super::document()).unwrap();
        let mut undeclared = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let success = op["responses"].as_object().unwrap().iter().find(|(code, _)| code.starts_with('2'));
                match success {
                    Some((code, r))
                        if code != "204"
                            && r["content"]
                                .as_object()
                                .is_none_or(|c| c.values().all(|m| m.get("schema").is_none())) =>
                    {
                        undeclared.push(format!("{method} {path}: the {code} answer has no schema"));
                    }
                    None => undeclared.push(format!("{method} {path}: no success answer")),
                    _ => {}
                }
                let writes = matches!(method.as_str(), "post" | "put" | "patch");
                if writes && op.get("requestBody").is_none() && !NO_BODY.iter().any(|v| path.ends_with(v)) {
                    undeclared.push(format!("{method} {path}: no request body"));
                }
            }
        }
        assert!(undeclared.is_empty(), "{undeclared:#?}");
    }

    /// A create's required fields are the create's alone: a PATCH of the
    /// same input takes any subset, and a word or an object that is
    /// required cannot be empty or null.
    #[test]
    fn a_create_requires_its_fields_and_a_patch_none() {
        let doc = serde_json::to_value(super::document()).unwrap();
        let body = |method: &str, path: &str| {
            let r = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no body"))
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            doc["components"]["schemas"][&r].clone()
        };
        let create = body("post", "/api/v1/accounts");
        assert_eq!(create["required"], serde_json::json!(["name"]));
        assert_eq!(create["properties"]["name"]["minLength"], 1);
        assert!(body("patch", "/api/v1/accounts/{id}").get("required").is_none());
        let project = body("post", "/api/v1/projects");
        assert!(!project["properties"]["record_type"]["enum"].as_array().unwrap().contains(&"".into()));
        let task = body("post", "/api/v1/tasks");
        assert!(task["properties"]["related"]["$ref"].is_string(), "{}", task["properties"]["related"]);
        // Written once for every collection, required in every copy.
        assert_eq!(body("post", "/api/v1/accounts/{id}/notes")["required"], serde_json::json!(["body"]));
        assert_eq!(body("post", "/api/v1/accounts/views")["required"], serde_json::json!(["name"]));
        assert!(body("patch", "/api/v1/accounts/views/{view_id}").get("required").is_none());
        // Created from a project, a quote needs nothing of the caller.
        assert!(body("post", "/api/v1/projects/{id}/quotes").get("required").is_none());
    }
}
