//! The tables behind record features, present in every service's database.

pub mod note {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_notes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub record_type: String,
        pub record_id: Uuid,
        pub partner_id: Uuid,
        pub author_id: Uuid,
        #[sea_orm(column_type = "Text")]
        pub body: String,
        pub create_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod attachment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_attachments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub record_type: String,
        pub record_id: Uuid,
        pub partner_id: Uuid,
        pub file_name: String,
        pub content_type: String,
        pub size_bytes: i64,
        pub sha256: String,
        #[sea_orm(column_type = "Blob")]
        pub content: Vec<u8>,
        pub uploaded_by: Uuid,
        pub create_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod field_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_field_changes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub record_type: String,
        pub record_id: Uuid,
        pub partner_id: Uuid,
        pub field: String,
        #[sea_orm(column_type = "Text")]
        pub old_value: String,
        #[sea_orm(column_type = "Text")]
        pub new_value: String,
        pub changed_by: Uuid,
        pub change_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod follower {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_followers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub record_type: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub record_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub partner_id: Uuid,
        pub follow_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
