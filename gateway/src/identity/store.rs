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
        pub partner_street: String,
        pub partner_city: String,
        pub partner_postal_code: String,
        pub partner_region: String,
        pub partner_country: String,
        pub reseller_street: String,
        pub reseller_city: String,
        pub reseller_postal_code: String,
        pub reseller_region: String,
        pub reseller_country: String,
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
        vec![Box::new(M0001CreateIdentity), Box::new(M0002PartnerAddresses), Box::new(crate::news::NewsMigration)]
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

/// The partner's two addresses that quotes ship to (Partner Address and
/// Reseller Address). One column per statement: SQLite alters one at a time.
struct M0002PartnerAddresses;

impl MigrationName for M0002PartnerAddresses {
    fn name(&self) -> &str {
        "m0002_partner_addresses"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002PartnerAddresses {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for kind in ["partner", "reseller"] {
            for (part, len) in [("street", 500), ("city", 100), ("postal_code", 20), ("region", 100), ("country", 64)] {
                let name = format!("{kind}_{part}");
                m.alter_table(
                    Table::alter()
                        .table("identity_partners")
                        .add_column(string_len(Alias::new(name), len).default(""))
                        .to_owned(),
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for kind in ["partner", "reseller"] {
            for part in ["street", "city", "postal_code", "region", "country"] {
                m.alter_table(
                    Table::alter()
                        .table("identity_partners")
                        .drop_column(Alias::new(format!("{kind}_{part}")))
                        .to_owned(),
                )
                .await?;
            }
        }
        Ok(())
    }
}
