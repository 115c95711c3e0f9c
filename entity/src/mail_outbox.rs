use sea_orm::entity::prelude::*;

/// Mail as sent when no SMTP server is configured (development, tests, the demo): a development
/// aid that tests read links from. With `ACCORD_SMTP_URL` set nothing is written here.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub recipient: String,
    /// What the message is for: `verify_email`, `address_in_use`, `password_reset`,
    /// `invitation`, `password_changed`.
    pub kind: String,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
