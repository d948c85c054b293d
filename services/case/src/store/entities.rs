//! The case service's tables. An unassigned case holds the nil id as its
//! assignee, so every listed column sorts and pages without NULLs.

pub mod case {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "cases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub number: String,
        pub partner_id: Uuid,
        /// The partner user who opened it (the record's owner).
        pub submitter_id: Uuid,
        pub submitter_email: String,
        pub submitter_name: String,
        pub subject: String,
        #[sea_orm(column_type = "Text")]
        pub description: String,
        pub product: String,
        pub priority: String,
        pub status: String,
        pub assignee_id: Uuid,
        pub assignee_email: String,
        pub assignee_name: String,
        /// Comments everyone on the case sees, and support's internal ones,
        /// kept here so lists show counts without counting the thread.
        pub public_comments: i32,
        pub internal_comments: i32,
        /// The client's idempotency key, or empty.
        pub request_id: String,
        pub create_time: DateTimeUtc,
        pub update_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod comment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_comments")]
    pub struct Model {
        /// Time-ordered (v7), so the thread reads in id order.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub case_id: Uuid,
        pub partner_id: Uuid,
        pub author_id: Uuid,
        pub author_name: String,
        pub from_support: bool,
        #[sea_orm(column_type = "Text")]
        pub body: String,
        pub internal: bool,
        pub create_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod counter {
    use sea_orm::entity::prelude::*;

    /// Running counts (case numbers), bumped inside the write transaction
    /// that uses the value.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "counters")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        pub value: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
