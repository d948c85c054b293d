//! Storage of the report service: the `reports` table (a definition's
//! groupings, measures, sort and chart kept as one JSON `spec`), and the
//! one query that decides which saved reports a caller sees.

mod migration;

pub use migration::Migrator;

use prm_kit::{Caller, Error, Result, time};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{
    Definition, Grouping, Measure, Sort, Source,
    access::{self, Ownership},
};

pub mod report {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub owner_id: Uuid,
        /// None for vendor staff's reports.
        pub partner_id: Option<Uuid>,
        pub name: String,
        pub description: String,
        pub source: String,
        pub filter: String,
        /// JSON of [`super::Spec`].
        pub spec: String,
        pub shared: bool,
        pub create_time: DateTimeUtc,
        pub update_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Debug, Serialize, Deserialize)]
struct SpecGrouping {
    field: String,
    bucket: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct SpecMeasure {
    function: String,
    field: String,
}

/// The parts of a definition kept as JSON.
#[derive(Debug, Serialize, Deserialize)]
struct Spec {
    group_by: Vec<SpecGrouping>,
    measures: Vec<SpecMeasure>,
    #[serde(default)]
    sort_column: String,
    #[serde(default)]
    sort_descending: bool,
    chart_type: String,
    #[serde(default)]
    chart_measure: usize,
}

fn spec_of(d: &Definition) -> String {
    let spec = Spec {
        group_by: d
            .group_by
            .iter()
            .map(|g| SpecGrouping { field: g.field.clone(), bucket: g.bucket.to_string() })
            .collect(),
        measures: d
            .measures
            .iter()
            .map(|m| SpecMeasure { function: m.function.to_string(), field: m.field.clone() })
            .collect(),
        sort_column: d.sort.column.clone(),
        sort_descending: d.sort.descending,
        chart_type: d.chart_type.to_string(),
        chart_measure: d.chart_measure,
    };
    serde_json::to_string(&spec).expect("a spec serialises")
}

/// A saved report: its definition and who it belongs to.
#[derive(Debug, Clone)]
pub struct Saved {
    pub id: Uuid,
    pub ownership: Ownership,
    pub definition: Definition,
    pub create_time: chrono::DateTime<chrono::Utc>,
    pub update_time: chrono::DateTime<chrono::Utc>,
}

impl TryFrom<report::Model> for Saved {
    type Error = Error;

    fn try_from(m: report::Model) -> Result<Saved> {
        let bad = |what: String| Error::Internal(anyhow::anyhow!("report {}: stored {what}", m.id));
        let spec: Spec = serde_json::from_str(&m.spec).map_err(|e| bad(format!("spec: {e}")))?;
        let mut group_by = vec![];
        for g in spec.group_by {
            group_by.push(Grouping { bucket: g.bucket.parse().map_err(bad)?, field: g.field });
        }
        let mut measures = vec![];
        for x in spec.measures {
            measures.push(Measure { function: x.function.parse().map_err(bad)?, field: x.field });
        }
        let definition = Definition {
            name: m.name,
            description: m.description,
            source: m.source.parse().map_err(bad)?,
            filter: m.filter,
            group_by,
            measures,
            sort: Sort { column: spec.sort_column, descending: spec.sort_descending },
            chart_type: spec.chart_type.parse().map_err(bad)?,
            chart_measure: spec.chart_measure,
        };
        Ok(Saved {
            id: m.id,
            ownership: Ownership { owner_id: m.owner_id, partner_id: m.partner_id, shared: m.shared },
            definition,
            create_time: m.create_time,
            update_time: m.update_time,
        })
    }
}

/// The saved reports `caller` sees: their own, and those shared with their
/// audience (the same rule as [`access::may_see`], as a query).
fn visible(caller: &Caller) -> Condition {
    let audience = match access::partner_of(caller) {
        Some(p) => report::Column::PartnerId.eq(p),
        None if caller.role.is_partner_role() => {
            return Condition::all().add(report::Column::OwnerId.eq(caller.user_id));
        }
        None => report::Column::PartnerId.is_null(),
    };
    Condition::any()
        .add(report::Column::OwnerId.eq(caller.user_id))
        .add(Condition::all().add(report::Column::Shared.eq(true)).add(audience))
}

/// One saved report the caller sees; NOT_FOUND otherwise.
pub async fn get(db: &DatabaseConnection, caller: &Caller, id: Uuid) -> Result<Saved> {
    let m = report::Entity::find_by_id(id).filter(visible(caller)).one(db).await?.ok_or(Error::NotFound)?;
    let saved = Saved::try_from(m)?;
    debug_assert!(access::may_see(caller, &saved.ownership));
    Ok(saved)
}

/// A page of the caller's visible saved reports, oldest first, after `after`;
/// one more than `limit` tells there is a next page.
pub async fn page(
    db: &DatabaseConnection,
    caller: &Caller,
    source: Option<Source>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Saved>> {
    let mut q = report::Entity::find().filter(visible(caller));
    if let Some(s) = source {
        q = q.filter(report::Column::Source.eq(s.as_str()));
    }
    if let Some(a) = after {
        q = q.filter(report::Column::Id.gt(a));
    }
    q.order_by_asc(report::Column::Id).limit(limit + 1).all(db).await?.into_iter().map(Saved::try_from).collect()
}

pub async fn insert(db: &DatabaseConnection, caller: &Caller, d: &Definition, shared: bool) -> Result<Saved> {
    let now = time::now();
    let m = report::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(caller.user_id),
        partner_id: Set(access::partner_of(caller)),
        name: Set(d.name.clone()),
        description: Set(d.description.clone()),
        source: Set(d.source.to_string()),
        filter: Set(d.filter.clone()),
        spec: Set(spec_of(d)),
        shared: Set(shared),
        create_time: Set(now),
        update_time: Set(now),
    }
    .insert(db)
    .await?;
    Saved::try_from(m)
}

/// Writes `d` and `shared` over report `id` (already checked: visible and editable).
pub async fn update(db: &DatabaseConnection, id: Uuid, d: &Definition, shared: bool) -> Result<Saved> {
    let current = report::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    let mut m = current.into_active_model();
    m.name = Set(d.name.clone());
    m.description = Set(d.description.clone());
    m.source = Set(d.source.to_string());
    m.filter = Set(d.filter.clone());
    m.spec = Set(spec_of(d));
    m.shared = Set(shared);
    m.update_time = Set(time::now());
    Saved::try_from(m.update(db).await?)
}

pub async fn delete(db: &DatabaseConnection, id: Uuid) -> Result<()> {
    let gone = report::Entity::delete_by_id(id).exec(db).await?;
    if gone.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}
