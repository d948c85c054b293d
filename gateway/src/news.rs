//! News & updates on the home page: vendor admins post, edit and retire
//! them; everyone signed in reads the current ones, newest first. Kept in the
//! gateway's own database beside identity: it belongs to no record service.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use sea_orm_migration::{prelude::*, schema::*};
use uuid::Uuid;

use crate::identity::IdentityError;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 10_000;
/// The home page shows this many; the list pages the rest.
pub const HOME_ITEMS: u64 = 5;

pub mod news_item {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "identity_news")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub title: String,
        pub body: String,
        pub author_id: Uuid,
        pub publish_time: DateTimeUtc,
        pub update_time: DateTimeUtc,
        /// Retired items are kept, and shown to vendor admins only.
        pub retire_time: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub use news_item::Model as NewsItem;

/// Title and body, checked: both required, within their limits.
fn check(title: &str, body: &str) -> Result<(String, String), IdentityError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(IdentityError::Invalid { field: "title", message: "is required".into() });
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(IdentityError::Invalid {
            field: "title",
            message: format!("is longer than {MAX_TITLE_CHARS} characters"),
        });
    }
    if body.trim().is_empty() {
        return Err(IdentityError::Invalid { field: "body", message: "is required".into() });
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(IdentityError::Invalid {
            field: "body",
            message: format!("is longer than {MAX_BODY_CHARS} characters"),
        });
    }
    Ok((title.to_string(), body.trim().to_string()))
}

pub async fn post(db: &DatabaseConnection, author: Uuid, title: &str, body: &str) -> Result<NewsItem, IdentityError> {
    let (title, body) = check(title, body)?;
    let now = prm_kit::time::now();
    Ok(news_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(title),
        body: Set(body),
        author_id: Set(author),
        publish_time: Set(now),
        update_time: Set(now),
        retire_time: Set(None),
    }
    .insert(db)
    .await?)
}

pub async fn get(db: &DatabaseConnection, id: Uuid) -> Result<NewsItem, IdentityError> {
    news_item::Entity::find_by_id(id).one(db).await?.ok_or(IdentityError::NotFound)
}

/// Changes title and/or body; a retired item may be edited too.
pub async fn edit(
    db: &DatabaseConnection,
    id: Uuid,
    title: Option<&str>,
    body: Option<&str>,
) -> Result<NewsItem, IdentityError> {
    let current = get(db, id).await?;
    let (title, body) = check(title.unwrap_or(&current.title), body.unwrap_or(&current.body))?;
    if title == current.title && body == current.body {
        return Ok(current);
    }
    let mut m = current.into_active_model();
    m.title = Set(title);
    m.body = Set(body);
    m.update_time = Set(prm_kit::time::now());
    Ok(m.update(db).await?)
}

/// Takes an item off the home page; retiring twice keeps the first time.
pub async fn retire(db: &DatabaseConnection, id: Uuid) -> Result<NewsItem, IdentityError> {
    let current = get(db, id).await?;
    if current.retire_time.is_some() {
        return Ok(current);
    }
    let mut m = current.into_active_model();
    let now = prm_kit::time::now();
    m.retire_time = Set(Some(now));
    m.update_time = Set(now);
    Ok(m.update(db).await?)
}

/// Newest first; `before` pages on (publish time, id).
pub async fn list(
    db: &DatabaseConnection,
    include_retired: bool,
    limit: u64,
    before: Option<(DateTime<Utc>, Uuid)>,
) -> Result<Vec<NewsItem>, IdentityError> {
    let mut q = news_item::Entity::find();
    if !include_retired {
        q = q.filter(news_item::Column::RetireTime.is_null());
    }
    if let Some((t, id)) = before {
        q = q.filter(sea_orm::Condition::any().add(news_item::Column::PublishTime.lt(t)).add(
            sea_orm::Condition::all().add(news_item::Column::PublishTime.eq(t)).add(news_item::Column::Id.lt(id)),
        ));
    }
    Ok(q.order_by_desc(news_item::Column::PublishTime)
        .order_by_desc(news_item::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The `identity_news` table, in the gateway's identity migrations.
pub struct NewsMigration;

impl MigrationName for NewsMigration {
    fn name(&self) -> &str {
        "m0003_identity_news"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for NewsMigration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("identity_news")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("title", MAX_TITLE_CHARS as u32))
                .col(text("body"))
                .col(uuid("author_id"))
                .col(timestamp_with_time_zone("publish_time"))
                .col(timestamp_with_time_zone("update_time"))
                .col(timestamp_with_time_zone_null("retire_time"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("identity_news_published")
                .table("identity_news")
                .col("publish_time")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("identity_news").to_owned()).await
    }
}
