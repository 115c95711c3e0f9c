//! Reading only the columns a query asks for.
//!
//! A list that selects every column decodes each one (32 for a lead, JSON documents included)
//! when a dashboard shows five: in the lead list that was most of the rows' decoding, a quarter
//! of the request's instructions (README "Benchmarks", issue 16). A [`Narrow`] select lists
//! only the given columns and decodes them into a model whose other fields are blank, so it is
//! for a caller that knows which fields it will read (`graphql::lead_columns`).

use entity::{contact, LeadStage};
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, IdenStatic, QueryResult, QuerySelect, QueryTrait, Select,
    TryGetable,
};
use serde_json::Value as Json;
use uuid::Uuid;

use super::TenantEntity;

/// An entity whose model can be read from a subset of its columns.
pub trait Narrowable: TenantEntity {
    /// A model with `columns` read from `row` in that order and every other field blank.
    fn decode_columns(row: &QueryResult, columns: &[Self::Column]) -> Result<Self::Model, DbErr>;
}

type Decode<E> =
    fn(&QueryResult, &[<E as EntityTrait>::Column]) -> Result<<E as EntityTrait>::Model, DbErr>;

/// A select of some of `E`'s columns.
pub struct Narrow<E: EntityTrait> {
    columns: Vec<E::Column>,
    decode: Decode<E>,
}

impl<E: TenantEntity> Narrow<E> {
    /// `columns`, each once, in the order given.
    pub fn new(columns: impl IntoIterator<Item = E::Column>) -> Self
    where
        E: Narrowable,
    {
        let narrow = Self {
            columns: Vec::new(),
            decode: E::decode_columns,
        };
        columns.into_iter().fold(narrow, Self::including)
    }

    pub fn columns(&self) -> &[E::Column] {
        &self.columns
    }

    /// The columns' names, in order.
    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.as_str()).collect()
    }

    /// The same select with `column` too.
    pub fn including(mut self, column: E::Column) -> Self {
        if !self
            .columns
            .iter()
            .any(|known| known.as_str() == column.as_str())
        {
            self.columns.push(column);
        }
        self
    }

    /// Every row of `select`, reading only these columns.
    pub async fn all<C: ConnectionTrait>(
        &self,
        select: Select<E>,
        conn: &C,
    ) -> Result<Vec<E::Model>, DbErr> {
        let query = select
            .select_only()
            .columns(self.columns.iter().copied())
            .into_query();
        conn.query_all(&query)
            .await?
            .iter()
            .map(|row| (self.decode)(row, &self.columns))
            .collect()
    }
}

impl Narrowable for contact::Entity {
    fn decode_columns(
        row: &QueryResult,
        columns: &[contact::Column],
    ) -> Result<contact::Model, DbErr> {
        use contact::Column as C;
        let mut lead = blank_contact();
        for (at, column) in columns.iter().enumerate() {
            match column {
                C::Id => lead.id = get(row, at)?,
                C::WorkspaceId => lead.workspace_id = get(row, at)?,
                C::Email => lead.email = get(row, at)?,
                C::ExternalId => lead.external_id = get(row, at)?,
                C::AccountId => lead.account_id = get(row, at)?,
                C::Name => lead.name = get(row, at)?,
                C::Title => lead.title = get(row, at)?,
                C::Persona => lead.persona = get(row, at)?,
                C::Seniority => lead.seniority = get(row, at)?,
                C::PersonalEmail => lead.personal_email = get(row, at)?,
                C::SourceId => lead.source_id = get(row, at)?,
                C::SourceDetail => lead.source_detail = get(row, at)?,
                C::OwnerId => lead.owner_id = get(row, at)?,
                C::Stage => lead.stage = get(row, at)?,
                C::FitScore => lead.fit_score = get(row, at)?,
                C::FitBreakdown => lead.fit_breakdown = get(row, at)?,
                C::EngagementScore => lead.engagement_score = get(row, at)?,
                C::PqlScore => lead.pql_score = get(row, at)?,
                C::LastEngagedAt => lead.last_engaged_at = get(row, at)?,
                C::MqlKind => lead.mql_kind = get(row, at)?,
                C::StageChangedAt => lead.stage_changed_at = get(row, at)?,
                C::AssignedAt => lead.assigned_at = get(row, at)?,
                C::Routing => lead.routing = get(row, at)?,
                C::Tags => lead.tags = get(row, at)?,
                C::OptedOutAt => lead.opted_out_at = get(row, at)?,
                C::Custom => lead.custom = get(row, at)?,
                C::CheckBackOn => lead.check_back_on = get(row, at)?,
                C::RecycleTag => lead.recycle_tag = get(row, at)?,
                C::WaitingSince => lead.waiting_since = get(row, at)?,
                C::LastEventAt => lead.last_event_at = get(row, at)?,
                C::CreatedAt => lead.created_at = get(row, at)?,
                C::UpdatedAt => lead.updated_at = get(row, at)?,
            }
        }
        Ok(lead)
    }
}

fn get<T: TryGetable>(row: &QueryResult, at: usize) -> Result<T, DbErr> {
    Ok(T::try_get_by_index(row, at)?)
}

/// A lead with every field at its zero (a new contact's starting point, and what
/// [`Narrowable::decode_columns`] fills in).
pub(crate) fn blank_contact() -> contact::Model {
    contact::Model {
        id: Uuid::nil(),
        workspace_id: Uuid::nil(),
        email: None,
        external_id: None,
        account_id: None,
        name: None,
        title: None,
        persona: None,
        seniority: None,
        personal_email: false,
        source_id: None,
        source_detail: None,
        owner_id: None,
        stage: LeadStage::Lead,
        fit_score: 0,
        fit_breakdown: None,
        engagement_score: 0,
        pql_score: 0,
        last_engaged_at: None,
        mql_kind: None,
        stage_changed_at: None,
        assigned_at: None,
        routing: None,
        tags: Json::Array(Vec::new()),
        opted_out_at: None,
        custom: Json::Object(Default::default()),
        check_back_on: None,
        recycle_tag: None,
        waiting_since: None,
        last_event_at: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    }
}
