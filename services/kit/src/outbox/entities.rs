//! The outbox of a publishing service, and the inbox of a consuming one.

pub mod outbox_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub topic: String,
        pub aggregate_id: String,
        #[sea_orm(column_type = "Text")]
        pub payload: String,
        pub create_time: DateTimeUtc,
        pub attempts: i32,
        /// When the event may next be claimed: now for a new event, later
        /// after a failure (backoff) or while a relay holds its lease.
        pub next_attempt_time: DateTimeUtc,
        pub deliver_time: Option<DateTimeUtc>,
        #[sea_orm(column_type = "Text")]
        pub last_error: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod inbox_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "inbox_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub topic: String,
        pub receive_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
