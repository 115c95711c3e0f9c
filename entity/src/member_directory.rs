use sea_orm::entity::prelude::*;

use crate::Role;

/// A member as the directory lists them: the seat joined to the person's name and email (the
/// `member_directory` view), so the members list can filter and sort on them. Read-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_directory")]
pub struct Model {
    /// The membership's id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    pub manager_id: Option<Uuid>,
    pub out_of_office: bool,
    pub created_at: DateTimeUtc,
    pub name: String,
    pub email: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for super::membership::Model {
    fn from(row: Model) -> Self {
        Self {
            id: row.id,
            workspace_id: row.workspace_id,
            user_id: row.user_id,
            role: row.role,
            manager_id: row.manager_id,
            out_of_office: row.out_of_office,
            created_at: row.created_at,
        }
    }
}
