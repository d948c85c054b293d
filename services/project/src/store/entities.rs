//! The project service's tables. Money columns hold units of 1/10,000 (see
//! `prm_kit::money::to_units`), exact on every backend and summed exactly by
//! the database for the board. Dates are `YYYY-MM-DD` text, which sorts and
//! compares as dates on every backend.

pub mod project {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "projects")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub partner_id: Uuid,
        pub owner_id: Uuid,
        pub account_id: Uuid,
        pub name: String,
        pub record_type: String,
        pub stage: String,
        pub probability: i32,
        pub close_date: String,
        pub total_users: i32,
        pub users_of_poc: Option<i32>,
        pub solution_licenses: bool,
        pub solution_hwaas: bool,
        pub solution_classound: bool,
        pub amount_mrr_units: Option<i64>,
        pub capex_units: Option<i64>,
        pub verbal_agreement: bool,
        pub currency: String,
        pub description: String,
        pub next_step: String,
        pub expected_mrr_units: i64,
        pub mrr_units: i64,
        pub weighted_pipeline_units: i64,
        /// The primary quote, once there is one, and its MRR.
        pub primary_quote_id: Option<Uuid>,
        pub primary_quote_mrr_units: Option<i64>,
        /// JSON object: question id → answer.
        pub demo_answers: String,
        /// Demo Done: the Demo Date and the Pipeline MRR frozen then.
        pub demo_date: Option<String>,
        pub pipeline_mrr_units: Option<i64>,
        pub approved_by_am: bool,
        pub lost_reason: String,
        /// An automatic stage event waiting for a gate (its topic), or "".
        pub held_event: String,
        pub create_time: DateTimeUtc,
        pub update_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod project_contact {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "project_contacts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub project_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub contact_id: Uuid,
        pub role: String,
        pub create_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod project_view {
    use sea_orm::entity::prelude::*;

    /// When a user last opened a project: the "recently viewed" list view.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "project_views")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub project_id: Uuid,
        pub view_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod setting {
    use sea_orm::entity::prelude::*;

    /// Vendor settings, one JSON document per key.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "settings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub value: String,
        pub update_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
