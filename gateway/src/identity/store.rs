//! The identity schema: sea-orm entities and migrations. Tables carry the
//! `identity_` prefix and the migration history its own table, so the
//! gateway can share a database with other schemas without collisions.

use sea_orm_migration::{prelude::*, schema::*};

pub mod partner {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "identity_partners")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub name: String,
        pub tier: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "identity_users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub email: String,
        pub display_name: String,
        pub password_hash: String,
        pub role: String,
        pub partner_id: Option<Uuid>,
        pub active: bool,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod am_assignment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "identity_account_manager_assignments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub partner_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The gateway's identity migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(M0001CreateIdentity)]
    }

    fn migration_table_name() -> DynIden {
        "identity_migrations".into_iden()
    }
}

struct M0001CreateIdentity;

impl MigrationName for M0001CreateIdentity {
    fn name(&self) -> &str {
        "m0001_create_identity"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0001CreateIdentity {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("identity_partners")
                    .col(pk_uuid("id"))
                    .col(string_uniq("name"))
                    .col(string_null("tier"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("identity_users")
                    .col(pk_uuid("id"))
                    .col(string_uniq("email"))
                    .col(string("display_name"))
                    .col(string("password_hash"))
                    .col(string("role"))
                    .col(uuid_null("partner_id"))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_identity_users_partner")
                            .from("identity_users", "partner_id")
                            .to("identity_partners", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_identity_users_partner").table("identity_users").col("partner_id").to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("identity_account_manager_assignments")
                    .col(uuid("user_id"))
                    .col(uuid("partner_id"))
                    .primary_key(Index::create().col("user_id").col("partner_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_identity_ama_user")
                            .from("identity_account_manager_assignments", "user_id")
                            .to("identity_users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_identity_ama_partner")
                            .from("identity_account_manager_assignments", "partner_id")
                            .to("identity_partners", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["identity_account_manager_assignments", "identity_users", "identity_partners"] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
