//! `/api/v1/{collection}/views`: saved and built-in list views of the
//! collections whose services keep them through `prm.record.v1.ViewService`
//! (leads, accounts, contacts), in one REST shape. The document is written
//! once, for a `{collection}`, and copied for each collection
//! ([`document_each`]).

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, patch},
};
use prm_proto::record::v1 as pb;

use super::{
    Page, object,
    projects::{ListViewInput, ListViewJson},
    records::{ACCOUNTS, CONTACTS, Collection, LEADS},
    refuse_server_owned,
    status::{OrProblem, problem},
    update_mask,
};
use crate::{
    app::AppState,
    problem::{Problem, parse_json},
    services::Acting,
};

/// The collections served here; projects and tasks keep their own routes.
pub const VIEW_COLLECTIONS: &[&Collection] = &[LEADS, ACCOUNTS, CONTACTS];

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for &c in VIEW_COLLECTIONS {
        r = r
            .route(
                &format!("/api/v1/{}/views", c.path),
                get(move |a: Acting| list(c, a)).post(move |a: Acting, b: Bytes| create(c, a, b)),
            )
            .route(
                &format!("/api/v1/{}/views/{{view_id}}", c.path),
                patch(move |a: Acting, Path(id): Path<String>, b: Bytes| update(c, a, id, b))
                    .delete(move |a: Acting, Path(id): Path<String>| delete(c, a, id)),
            );
    }
    r
}

fn view_json(v: pb::View) -> ListViewJson {
    ListViewJson {
        id: v.id,
        name: v.name,
        filter: v.filter,
        order_by: v.order_by,
        columns: v.columns,
        built_in: v.built_in,
    }
}

/// The view a body writes: none of the fields the server owns.
fn view_in(body: &[u8]) -> Result<(pb::View, Vec<String>), Problem> {
    let map = object(body)?;
    refuse_server_owned(&map, &["id", "built_in"])?;
    let v: ListViewInput = parse_json(body)?;
    let mask = update_mask(&map, &[]);
    Ok((
        pb::View { name: v.name, filter: v.filter, order_by: v.order_by, columns: v.columns, ..Default::default() },
        mask,
    ))
}

async fn list(c: &Collection, acting: Acting) -> Result<Json<Page<ListViewJson>>, Problem> {
    let mut client = acting.views((c.channel)(acting.services()))?;
    let r = client.list_views(pb::ListViewsRequest { collection: c.path.into() }).await.or_problem()?;
    Ok(Json(Page::all(r.views.into_iter().map(view_json).collect())))
}

async fn create(c: &Collection, acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let (view, _) = view_in(&body)?;
    let mut client = acting.views((c.channel)(acting.services()))?;
    let r = client
        .create_view(pb::CreateViewRequest { collection: c.path.into(), view: Some(view) })
        .await
        .map_err(|s| problem(s).without_prefix("view."))?;
    Ok((StatusCode::CREATED, Json(view_json(r.into_inner().view.unwrap_or_default()))).into_response())
}

async fn update(c: &Collection, acting: Acting, id: String, body: Bytes) -> Result<Json<ListViewJson>, Problem> {
    let (view, mask) = view_in(&body)?;
    let mut client = acting.views((c.channel)(acting.services()))?;
    let r = client
        .update_view(pb::UpdateViewRequest {
            collection: c.path.into(),
            view: Some(pb::View { id, ..view }),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .map_err(|s| problem(s).renamed("view.id", "view_id").without_prefix("view."))?;
    Ok(Json(view_json(r.into_inner().view.unwrap_or_default())))
}

async fn delete(c: &Collection, acting: Acting, id: String) -> Result<StatusCode, Problem> {
    let mut client = acting.views((c.channel)(acting.services()))?;
    client
        .delete_view(pb::DeleteViewRequest { collection: c.path.into(), id })
        .await
        .or_problem_as(&[("id", "view_id")])?;
    Ok(StatusCode::NO_CONTENT)
}

// The document, written once for `{collection}` (see `document_each`).

#[utoipa::path(get, path = "/api/v1/{collection}/views", tag = "views", params(("collection" = String, Path)),
    responses((status = 200, body = Page<ListViewJson>, description = "the built-in views, then the caller's by name")))]
pub fn list_views() {}

#[utoipa::path(post, path = "/api/v1/{collection}/views", tag = "views", params(("collection" = String, Path)), request_body = ListViewInput,
    responses((status = 201, body = ListViewJson), (status = 400, description = "a bad name, filter, order or column")))]
pub fn create_view() {}

#[utoipa::path(patch, path = "/api/v1/{collection}/views/{view_id}", tag = "views", params(("collection" = String, Path), ("view_id" = String, Path)),
    request_body = ListViewInput, responses((status = 200, body = ListViewJson), (status = 400), (status = 404),
    (status = 409, description = "built-in views do not change")))]
pub fn update_view() {}

#[utoipa::path(delete, path = "/api/v1/{collection}/views/{view_id}", tag = "views", params(("collection" = String, Path), ("view_id" = String, Path)),
    responses((status = 204), (status = 404), (status = 409, description = "built-in views are not deleted")))]
pub fn delete_view() {}

/// The `{collection}` paths of the views, one copy for each collection.
pub fn document_each(doc: &mut utoipa::openapi::OpenApi) {
    for template in ["/api/v1/{collection}/views", "/api/v1/{collection}/views/{view_id}"] {
        crate::openapi::copy_per_collection(doc, template, VIEW_COLLECTIONS);
    }
}
