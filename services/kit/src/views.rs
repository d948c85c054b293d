//! Saved list views: a person's named filter, order and columns over one
//! collection of a service (projects, tasks…), kept in that service's
//! `saved_views` table. Views are personal: another person's view does not
//! exist for the caller. A view's filter and order are checked exactly as a
//! list would parse them, so a saved view always runs.

use prm_proto::record::v1 as pb;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use sea_orm_migration::{prelude::*, schema::*};
use uuid::Uuid;

use crate::{
    Caller, Error, Result,
    listing::{Field, ListParams, Listing},
    text::required_line,
    time,
};

pub mod saved_view {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "saved_views")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        /// The collection it lists, e.g. `projects`.
        pub collection: String,
        pub name: String,
        pub filter: String,
        pub order_by: String,
        /// JSON array of field names.
        pub columns: String,
        pub create_time: DateTimeUtc,
        pub update_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `saved_views` table; services with list views add it to their migrator.
pub struct SavedViewsMigration;

impl MigrationName for SavedViewsMigration {
    fn name(&self) -> &str {
        "m20261128_000001_kit_saved_views"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SavedViewsMigration {
    async fn up(&self, m: &SchemaManager) -> std::result::Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("saved_views")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("user_id"))
                .col(string_len("collection", 32))
                .col(string_len("name", 100))
                .col(string_len("filter", 2000).default(""))
                .col(string_len("order_by", 100).default(""))
                .col(text("columns"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("saved_views_user")
                .table("saved_views")
                .col("user_id")
                .col("collection")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> std::result::Result<(), DbErr> {
        m.drop_table(Table::drop().table("saved_views").if_exists().to_owned()).await
    }
}

/// A saved view as callers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub id: Uuid,
    pub name: String,
    pub filter: String,
    pub order_by: String,
    pub columns: Vec<String>,
}

impl From<saved_view::Model> for SavedView {
    fn from(m: saved_view::Model) -> Self {
        SavedView {
            id: m.id,
            name: m.name,
            filter: m.filter,
            order_by: m.order_by,
            columns: serde_json::from_str(&m.columns).unwrap_or_default(),
        }
    }
}

/// What a client writes: all of it on create, the masked fields on update.
#[derive(Debug, Clone, Default)]
pub struct ViewInput {
    pub name: String,
    pub filter: String,
    pub order_by: String,
    pub columns: Vec<String>,
}

/// What one collection allows in its views.
pub struct Collection<C: 'static> {
    /// e.g. `projects`.
    pub name: &'static str,
    /// The list's filterable and sortable fields.
    pub fields: &'static [Field<C>],
    /// The id column, for parsing an order as the list does.
    pub id_column: C,
    pub default_order: &'static str,
    /// Columns a view may show besides the fields.
    pub display_only: &'static [&'static str],
    /// The columns of a view that names none.
    pub default_columns: &'static [&'static str],
    /// The views every person has, which [`ViewApi`] lists before theirs.
    pub built_ins: fn(&Caller) -> Vec<BuiltIn>,
}

/// A view every person has: its id is a word, never a uuid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltIn {
    pub id: &'static str,
    pub name: &'static str,
    pub filter: String,
    pub order_by: &'static str,
}

/// For a collection whose service answers its built-in views itself.
pub fn no_built_ins(_: &Caller) -> Vec<BuiltIn> {
    vec![]
}

/// A collection whose views the kit keeps, whatever its column type.
pub trait ViewCollection: Send + Sync {
    fn name(&self) -> &'static str;
    /// Whether a view would run as this collection's list parses it.
    fn check(&self, v: &ViewInput) -> Result<()>;
    fn default_columns(&self) -> &'static [&'static str];
    fn built_ins(&self, caller: &Caller) -> Vec<BuiltIn>;
}

impl<C: ColumnTrait + Copy + Send + Sync> ViewCollection for Collection<C> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn check(&self, v: &ViewInput) -> Result<()> {
        required_line("view.name", &v.name, 100)?;
        let params = ListParams { page_size: 1, page_token: "", filter: &v.filter, order_by: &v.order_by };
        Listing::parse(params, self.fields, self.id_column, self.default_order).map_err(|e| match e {
            Error::Invalid { field, message } => Error::invalid(format!("view.{field}"), message),
            other => other,
        })?;
        if v.columns.len() > MAX_COLUMNS {
            return Err(Error::invalid("view.columns", format!("lists at most {MAX_COLUMNS} columns")));
        }
        for (i, c) in v.columns.iter().enumerate() {
            if !self.fields.iter().any(|f| f.name == c) && !self.display_only.contains(&c.as_str()) {
                return Err(Error::invalid(
                    format!("view.columns[{i}]"),
                    format!("`{c}` is not a field of {}", self.name),
                ));
            }
        }
        Ok(())
    }

    fn default_columns(&self) -> &'static [&'static str] {
        self.default_columns
    }

    fn built_ins(&self, caller: &Caller) -> Vec<BuiltIn> {
        (self.built_ins)(caller)
    }
}

/// At most this many columns in a view.
const MAX_COLUMNS: usize = 30;

/// The saved views of any collection, kept in the `saved_views` table.
impl dyn ViewCollection + '_ {
    /// The caller's views of this collection, by name.
    pub async fn list(&self, db: &DatabaseConnection, caller: &Caller) -> Result<Vec<SavedView>> {
        Ok(saved_view::Entity::find()
            .filter(saved_view::Column::UserId.eq(caller.user_id))
            .filter(saved_view::Column::Collection.eq(self.name()))
            .order_by_asc(saved_view::Column::Name)
            .order_by_asc(saved_view::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(SavedView::from)
            .collect())
    }

    /// One of the caller's views; NOT_FOUND for anyone else's.
    pub async fn get(&self, db: &DatabaseConnection, caller: &Caller, id: Uuid) -> Result<SavedView> {
        Ok(self.own(db, caller, id).await?.into())
    }

    async fn own(&self, db: &DatabaseConnection, caller: &Caller, id: Uuid) -> Result<saved_view::Model> {
        saved_view::Entity::find_by_id(id)
            .filter(saved_view::Column::UserId.eq(caller.user_id))
            .filter(saved_view::Column::Collection.eq(self.name()))
            .one(db)
            .await?
            .ok_or(Error::NotFound)
    }

    pub async fn create(&self, db: &DatabaseConnection, caller: &Caller, mut v: ViewInput) -> Result<SavedView> {
        if v.columns.is_empty() {
            v.columns = self.default_columns().iter().map(|c| String::from(*c)).collect();
        }
        v.name = v.name.trim().to_string();
        self.check(&v)?;
        let now = time::now();
        let m = saved_view::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(caller.user_id),
            collection: Set(self.name().to_string()),
            name: Set(v.name),
            filter: Set(v.filter.trim().to_string()),
            order_by: Set(v.order_by.trim().to_string()),
            columns: Set(serde_json::to_string(&v.columns).expect("strings serialise")),
            create_time: Set(now),
            update_time: Set(now),
        }
        .insert(db)
        .await?;
        Ok(m.into())
    }

    /// Changes the fields `mask` names (`name`, `filter`, `order_by`, `columns`).
    pub async fn update(
        &self,
        db: &DatabaseConnection,
        caller: &Caller,
        id: Uuid,
        given: ViewInput,
        mask: &[String],
    ) -> Result<SavedView> {
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field to change"));
        }
        let current = self.own(db, caller, id).await?;
        let mut next: SavedView = current.clone().into();
        for path in mask {
            match path.as_str() {
                "name" => next.name = given.name.trim().to_string(),
                "filter" => next.filter = given.filter.trim().to_string(),
                "order_by" => next.order_by = given.order_by.trim().to_string(),
                "columns" => next.columns = given.columns.clone(),
                other => {
                    return Err(Error::invalid("update_mask", format!("`{other}` is not a field of a list view")));
                }
            }
        }
        let input = ViewInput {
            name: next.name.clone(),
            filter: next.filter.clone(),
            order_by: next.order_by.clone(),
            columns: next.columns.clone(),
        };
        self.check(&input)?;
        let mut m = current.into_active_model();
        m.name = Set(input.name);
        m.filter = Set(input.filter);
        m.order_by = Set(input.order_by);
        m.columns = Set(serde_json::to_string(&input.columns).expect("strings serialise"));
        m.update_time = Set(time::now());
        Ok(m.update(db).await?.into())
    }

    pub async fn delete(&self, db: &DatabaseConnection, caller: &Caller, id: Uuid) -> Result<()> {
        let gone = saved_view::Entity::delete_many()
            .filter(saved_view::Column::Id.eq(id))
            .filter(saved_view::Column::UserId.eq(caller.user_id))
            .filter(saved_view::Column::Collection.eq(self.name()))
            .exec(db)
            .await?;
        if gone.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }
}

/// Joins two filters with AND: a view's, then the request's.
pub fn and(a: &str, b: &str) -> String {
    match (a.trim(), b.trim()) {
        ("", b) => b.to_string(),
        (a, "") => a.to_string(),
        (a, b) => format!("{a} AND {b}"),
    }
}

/// `prm.record.v1.ViewService` over the collections a service lists.
pub struct ViewApi {
    db: DatabaseConnection,
    collections: &'static [&'static dyn ViewCollection],
}

impl ViewApi {
    pub fn new(db: DatabaseConnection, collections: &'static [&'static dyn ViewCollection]) -> Self {
        ViewApi { db, collections }
    }

    pub fn server(self) -> pb::view_service_server::ViewServiceServer<ViewApi> {
        pb::view_service_server::ViewServiceServer::new(self)
    }

    fn collection(&self, name: &str) -> Result<&'static dyn ViewCollection> {
        self.collections.iter().copied().find(|c| c.name() == name).ok_or_else(|| {
            let known: Vec<&str> = self.collections.iter().map(|c| c.name()).collect();
            Error::invalid("collection", format!("`{name}` is not listed here; one of {}", known.join(", ")))
        })
    }

    /// A saved view's id: a built-in one never changes.
    fn saved_id(c: &dyn ViewCollection, caller: &Caller, id: &str, field: &str) -> Result<Uuid> {
        if c.built_ins(caller).iter().any(|b| b.id == id) {
            return Err(Error::FailedPrecondition("built-in list views cannot be changed or deleted".into()));
        }
        crate::record::parse_id(id, field)
    }
}

fn view_out(v: SavedView) -> pb::View {
    pb::View {
        id: v.id.to_string(),
        name: v.name,
        filter: v.filter,
        order_by: v.order_by,
        columns: v.columns,
        built_in: false,
    }
}

fn view_in(v: pb::View) -> ViewInput {
    ViewInput { name: v.name, filter: v.filter, order_by: v.order_by, columns: v.columns }
}

type Reply<T> = std::result::Result<tonic::Response<T>, tonic::Status>;

#[tonic::async_trait]
impl pb::view_service_server::ViewService for ViewApi {
    async fn list_views(&self, req: tonic::Request<pb::ListViewsRequest>) -> Reply<pb::ListViewsResponse> {
        let caller = Caller::of(&req)?;
        let c = self.collection(&req.get_ref().collection)?;
        let mut views: Vec<pb::View> = c
            .built_ins(&caller)
            .into_iter()
            .map(|b| pb::View {
                id: b.id.into(),
                name: b.name.into(),
                filter: b.filter,
                order_by: b.order_by.into(),
                columns: c.default_columns().iter().map(|s| String::from(*s)).collect(),
                built_in: true,
            })
            .collect();
        views.extend(c.list(&self.db, &caller).await?.into_iter().map(view_out));
        Ok(tonic::Response::new(pb::ListViewsResponse { views }))
    }

    async fn create_view(&self, req: tonic::Request<pb::CreateViewRequest>) -> Reply<pb::CreateViewResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let c = self.collection(&r.collection)?;
        let v = r.view.ok_or_else(|| Error::invalid("view", "is required"))?;
        let saved = c.create(&self.db, &caller, view_in(v)).await?;
        Ok(tonic::Response::new(pb::CreateViewResponse { view: Some(view_out(saved)) }))
    }

    async fn update_view(&self, req: tonic::Request<pb::UpdateViewRequest>) -> Reply<pb::UpdateViewResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let c = self.collection(&r.collection)?;
        let v = r.view.ok_or_else(|| Error::invalid("view", "is required"))?;
        let id = Self::saved_id(c, &caller, &v.id, "view.id")?;
        let mask = r.update_mask.map(|m| m.paths).unwrap_or_default();
        let saved = c.update(&self.db, &caller, id, view_in(v), &mask).await?;
        Ok(tonic::Response::new(pb::UpdateViewResponse { view: Some(view_out(saved)) }))
    }

    async fn delete_view(&self, req: tonic::Request<pb::DeleteViewRequest>) -> Reply<pb::DeleteViewResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let c = self.collection(&r.collection)?;
        let id = Self::saved_id(c, &caller, &r.id, "id")?;
        c.delete(&self.db, &caller, id).await?;
        Ok(tonic::Response::new(pb::DeleteViewResponse {}))
    }
}
