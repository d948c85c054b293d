//! The order service's tables. Money columns hold units of 1/10,000 (see
//! `prm_kit::money::to_units`), exact on every backend. A stock order has no
//! quote, project or account: those columns hold the nil id, so that every
//! listed column sorts and pages without NULLs.

pub mod order {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub number: String,
        pub partner_id: Uuid,
        pub owner_id: Uuid,
        /// `project` or `stock`.
        pub order_type: String,
        pub status: String,
        pub quote_id: Uuid,
        pub project_id: Uuid,
        pub account_id: Uuid,
        pub currency: String,
        pub ship_street: String,
        pub ship_city: String,
        pub ship_postal_code: String,
        pub ship_region: String,
        pub ship_country: String,
        pub mrr_units: i64,
        pub one_time_units: i64,
        /// The client's idempotency key, or empty.
        pub request_id: String,
        pub create_time: DateTimeUtc,
        pub update_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod order_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        /// The line's place in the order, from 0.
        pub position: i32,
        pub product_id: Uuid,
        pub sku: String,
        pub product_name: String,
        pub quantity: i64,
        pub unit_price_units: i64,
        pub discount_units: i64,
        pub billing: String,
        pub net_units: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod counter {
    use sea_orm::entity::prelude::*;

    /// Running counts, e.g. of order numbers, bumped inside the write
    /// transaction that uses the value.
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
