//! Partner-owned records: the reads, edits and owner changes that every
//! record service does the same way, over any entity that says where its id,
//! partner, owner and update time live. Tenancy and the edit rules of
//! DOMAIN.md are applied here, so a service cannot skip them.

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    IntoActiveModel, ModelTrait, QueryFilter, QuerySelect, Select, Value, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    Caller, Error, Result,
    record::{self, FieldDiff, RecordInfo},
    scope::Scope,
    search,
};
use prm_proto::common::v1::RecordType;

/// An entity whose rows belong to a partner and have an owner.
pub trait OwnedEntity: EntityTrait {
    const KIND: RecordType;
    const ID: Self::Column;
    const PARTNER_ID: Self::Column;
    const OWNER_ID: Self::Column;
    const UPDATE_TIME: Self::Column;
    /// The account a row belongs to, for records of an account (contacts,
    /// projects, quotes): other services check a reference against it.
    const ACCOUNT_ID: Option<Self::Column> = None;

    /// Who sees these rows; ordinary partner records unless overridden.
    fn scope(caller: &Caller) -> Scope {
        Scope::records(caller)
    }

    /// Whether `caller` may make `change` to `row`: the partner-record rules
    /// of [`partner_rules`] unless overridden, for records with states of
    /// their own (a lead in the vendor's pool, a converted lead).
    fn check_change(caller: &Caller, row: &Self::Model, change: Change) -> Result<()> {
        partner_rules::<Self>(caller, row, change)
    }

    /// How the row is found by global search, if it is: [`edit`] and
    /// [`insert_once`] keep it in step, and a delete removes it.
    fn document(_row: &Self::Model) -> Option<search::Document> {
        None
    }
}

/// What a caller asks to do to a row, for [`OwnedEntity::check_change`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Edit,
    Delete,
    Owner,
}

/// The rules of DOMAIN.md for partner records: partner users change what
/// they own, partner admins anything of their company and its owner.
pub fn partner_rules<E: OwnedEntity>(caller: &Caller, row: &E::Model, change: Change) -> Result<()> {
    let RecordInfo { partner_id, owner_id, .. } = info::<E>(row);
    match change {
        Change::Edit | Change::Delete if !caller.may_edit(partner_id, owner_id) => Err(edit_denied(caller)),
        Change::Owner if !caller.may_change_owner(partner_id) => {
            Err(Error::PermissionDenied("only a partner admin changes the owner".into()))
        }
        _ => Ok(()),
    }
}

/// The rows of `E` the caller may see.
pub fn visible<E: OwnedEntity>(caller: &Caller) -> Select<E> {
    E::find().filter(E::scope(caller).condition(E::PARTNER_ID))
}

/// One visible row, or NOT_FOUND.
pub async fn find<E: OwnedEntity, C: ConnectionTrait>(conn: &C, caller: &Caller, id: Uuid) -> Result<E::Model> {
    visible::<E>(caller).filter(E::ID.eq(id)).one(conn).await?.ok_or(Error::NotFound)
}

/// One visible row, locked until the transaction ends where the database
/// can (`FOR UPDATE` on PostgreSQL; SQLite has one writer at a time anyway).
pub async fn find_for_update<E: OwnedEntity, C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    id: Uuid,
) -> Result<E::Model> {
    let q = visible::<E>(caller).filter(E::ID.eq(id));
    let q = match conn.get_database_backend() {
        DbBackend::Postgres => q.lock_exclusive(),
        _ => q,
    };
    q.one(conn).await?.ok_or(Error::NotFound)
}

fn uuid_of<M: ModelTrait>(m: &M, col: <M::Entity as EntityTrait>::Column) -> Uuid {
    match m.get(col) {
        Value::Uuid(Some(u)) => u,
        other => panic!("{col:?} is not a uuid column: {other:?}"),
    }
}

/// Partner, owner and account of a row.
pub fn info<E: OwnedEntity>(m: &E::Model) -> RecordInfo {
    RecordInfo {
        partner_id: uuid_of(m, E::PARTNER_ID),
        owner_id: uuid_of(m, E::OWNER_ID),
        account_id: E::ACCOUNT_ID.map(|c| uuid_of(m, c)),
    }
}

/// For the kit's record features: the row's partner and owner if visible.
pub async fn record_info<E: OwnedEntity, C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    id: Uuid,
) -> Result<RecordInfo> {
    Ok(info::<E>(&find::<E, _>(conn, caller, id).await?))
}

fn edit_denied(caller: &Caller) -> Error {
    Error::PermissionDenied(format!("a {} may not change this record", caller.role))
}

/// Changes a row in one transaction: locks it, checks that the caller may
/// edit it, lets `apply` compute the next row and its tracked changes (or
/// `None` for no change), writes both. History and change commit together;
/// a change of untracked fields only (a description) is written without
/// history.
pub async fn edit<E>(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    apply: impl FnOnce(&E::Model) -> Result<Option<(E::Model, Vec<FieldDiff>)>>,
) -> Result<E::Model>
where
    E: OwnedEntity,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    let txn = crate::db::begin_write(db).await?;
    let current = find_for_update::<E, _>(&txn, caller, id).await?;
    E::check_change(caller, &current, Change::Edit)?;
    let partner_id = info::<E>(&current).partner_id;
    let Some((next, changes)) = apply(&current)? else {
        return Ok(current);
    };
    let next = next.into_active_model().reset_all().update(&txn).await?;
    if let Some(d) = E::document(&next) {
        search::put(&txn, &d).await?;
    }
    record::write_history(&txn, E::KIND, id, partner_id, caller.user_id, &changes).await?;
    txn.commit().await?;
    Ok(next)
}

/// Hands a row to `new_owner`. Only a partner admin of the row's partner
/// may; that the new owner is a colleague is checked by the gateway, which
/// owns identity.
pub async fn change_owner<E: OwnedEntity>(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    new_owner: Uuid,
) -> Result<E::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = find_for_update::<E, _>(&txn, caller, id).await?;
    E::check_change(caller, &current, Change::Owner)?;
    let RecordInfo { partner_id, owner_id, .. } = info::<E>(&current);
    if owner_id == new_owner {
        return Ok(current);
    }
    E::update_many()
        .col_expr(E::OWNER_ID, Expr::value(new_owner))
        .col_expr(E::UPDATE_TIME, Expr::value(crate::time::now()))
        .filter(E::ID.eq(id))
        .exec(&txn)
        .await?;
    let changes = record::diff(&[("owner_id", owner_id.to_string(), new_owner.to_string())]);
    record::write_history(&txn, E::KIND, id, partner_id, caller.user_id, &changes).await?;
    let next = E::find().filter(E::ID.eq(id)).one(&txn).await?.ok_or(Error::NotFound)?;
    txn.commit().await?;
    Ok(next)
}

/// Deletes a row the caller may edit, with its notes, files, history and
/// followers; `cascade` removes what depends on it first, in the same
/// transaction.
pub async fn delete<E, F>(db: &DatabaseConnection, caller: &Caller, id: Uuid, cascade: F) -> Result<()>
where
    E: OwnedEntity,
    F: for<'t> FnOnce(&'t sea_orm::DatabaseTransaction) -> BoxFuture<'t, Result<()>>,
{
    let txn = crate::db::begin_write(db).await?;
    let current = find_for_update::<E, _>(&txn, caller, id).await?;
    E::check_change(caller, &current, Change::Delete)?;
    remove::<E, _>(&txn, id, cascade).await?;
    txn.commit().await?;
    Ok(())
}

/// The row, what `cascade` removes and the row's record features.
async fn remove<E, F>(txn: &sea_orm::DatabaseTransaction, id: Uuid, cascade: F) -> Result<()>
where
    E: OwnedEntity,
    F: for<'t> FnOnce(&'t sea_orm::DatabaseTransaction) -> BoxFuture<'t, Result<()>>,
{
    cascade(txn).await?;
    record::delete_features(txn, E::KIND, id).await?;
    E::delete_many().filter(E::ID.eq(id)).exec(txn).await?;
    Ok(())
}

/// Deletes a row whose dependents other services hold, behind a
/// [`fence`](crate::fence): the fence goes up, `dependents` asks the other
/// services (given the row, so it can ask as the row's partner) and answers
/// the refusal if any depend on it, then the row is deleted as [`delete`]
/// does if the fence still stands. A create racing the delete either is
/// seen by `dependents` or sees the fence, never neither.
pub async fn delete_fenced<E, D, Fut, F>(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    dependents: D,
    cascade: F,
) -> Result<()>
where
    E: OwnedEntity,
    D: FnOnce(&E::Model) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
    F: for<'t> FnOnce(&'t sea_orm::DatabaseTransaction) -> BoxFuture<'t, Result<()>>,
{
    let txn = crate::db::begin_write(db).await?;
    let current = find_for_update::<E, _>(&txn, caller, id).await?;
    E::check_change(caller, &current, Change::Delete)?;
    let fence = crate::fence::raise(&txn, E::KIND, id, info::<E>(&current).partner_id).await?;
    txn.commit().await?;

    if let Err(e) = dependents(&current).await {
        fence.lower(db).await?;
        return Err(e);
    }
    let deleted = async {
        let txn = crate::db::begin_write(db).await?;
        find_for_update::<E, _>(&txn, caller, id).await?;
        if !fence.holds(&txn).await? {
            return Err(Error::Aborted("the delete took longer than its fence lasts; try again".into()));
        }
        remove::<E, _>(&txn, id, cascade).await?;
        fence.lower(&txn).await?;
        txn.commit().await?;
        Ok(())
    }
    .await;
    if deleted.is_err() {
        fence.lower(db).await?;
    }
    deleted
}

/// Takes back a row the caller's create has just inserted, when the record
/// it names turned out to be gone after all
/// ([`References::confirm`](crate::references::References::confirm)).
pub async fn remove_new<E: OwnedEntity>(db: &DatabaseConnection, id: Uuid) -> Result<()> {
    let txn = crate::db::begin_write(db).await?;
    remove::<E, _>(&txn, id, |_| Box::pin(async { Ok(()) })).await?;
    txn.commit().await?;
    Ok(())
}

/// A boxed future, for the cascade step of [`delete`].
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// The row that an earlier create with the client-chosen `id` made, so that
/// a retried create answers it instead of making a second one; `None` when
/// the id is free. An id taken by another partner's row answers
/// ALREADY_EXISTS, which tells nothing about that row.
pub async fn created_before<E: OwnedEntity, C: ConnectionTrait>(
    conn: &C,
    partner_id: Uuid,
    id: Uuid,
) -> Result<Option<E::Model>> {
    match E::find().filter(E::ID.eq(id)).one(conn).await? {
        None => Ok(None),
        Some(m) if info::<E>(&m).partner_id == partner_id => Ok(Some(m)),
        Some(_) => Err(Error::AlreadyExists("the id is already taken".into())),
    }
}

/// Inserts `row`, whose id the client chose, once: a create repeated with
/// the same id (a retry, or one racing this call) answers the row the first
/// one made, of the same partner.
pub async fn insert_once<E>(db: &DatabaseConnection, row: E::Model) -> Result<E::Model>
where
    E: OwnedEntity,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    let RecordInfo { partner_id, .. } = info::<E>(&row);
    let id = uuid_of(&row, E::ID);
    if let Some(m) = created_before::<E, _>(db, partner_id, id).await? {
        return Ok(m);
    }
    let txn = crate::db::begin_write(db).await?;
    match row.into_active_model().reset_all().insert(&txn).await {
        Ok(m) => {
            if let Some(d) = E::document(&m) {
                search::put(&txn, &d).await?;
            }
            txn.commit().await?;
            Ok(m)
        }
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            created_before::<E, _>(db, partner_id, id)
                .await?
                .ok_or_else(|| Error::AlreadyExists("the id is already taken".into()))
        }
        Err(e) => Err(e.into()),
    }
}
