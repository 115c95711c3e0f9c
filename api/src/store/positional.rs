//! Reading the hot tables' rows by column position instead of by name.
//!
//! sea-orm's derived models read each column by name: the driver looks the name up, and a NULL
//! column formats the name into an error that the `Option` then discards. On a batch of 1,000
//! events that was a quarter of the server's instructions (callgrind, README "Benchmarks"). A
//! plain `select::<E>()` lists the entity's columns in declaration order, so the rows of the
//! tables every batch and dashboard reads (contacts, accounts, score entries, events, webhook
//! deliveries) are decoded by position; a unit test keeps each field list in step with its
//! entity's columns.

use entity::{account, contact, event, score_entry, webhook_delivery};
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryResult, Select, TryGetable,
};

/// A model decoded from a row holding exactly its entity's columns, in declaration order.
pub trait Positional: Sized {
    /// The columns, in the order they are read (checked against the entity in tests).
    const COLUMNS: &'static [&'static str];

    fn from_position(row: &QueryResult) -> Result<Self, DbErr>;
}

/// Adapts a [`Positional`] model to sea-orm's selectors.
pub struct ByPosition<M>(pub M);

impl<M: Positional> FromQueryResult for ByPosition<M> {
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        M::from_position(row).map(ByPosition)
    }
}

fn take<T: TryGetable>(row: &QueryResult, at: &mut usize) -> Result<T, DbErr> {
    let value = T::try_get_by_index(row, *at)?;
    *at += 1;
    Ok(value)
}

/// Every row of a plain entity select, decoded by position.
pub async fn all<E, C>(select: Select<E>, conn: &C) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: Positional,
    C: ConnectionTrait,
{
    Ok(select
        .into_model::<ByPosition<E::Model>>()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.0)
        .collect())
}

macro_rules! positional {
    ($($model:path { $($field:ident),* $(,)? })*) => {$(
        impl Positional for $model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn from_position(row: &QueryResult) -> Result<Self, DbErr> {
                let mut at = 0usize;
                // Struct fields are evaluated in the order written: the columns' order.
                Ok(Self { $($field: take(row, &mut at)?),* })
            }
        }
    )*};
}

positional! {
    contact::Model {
        id, workspace_id, email, external_id, account_id, name, title, persona, seniority,
        personal_email, source_id, source_detail, owner_id, stage, fit_score, fit_breakdown,
        engagement_score, pql_score, last_engaged_at, mql_kind, stage_changed_at, assigned_at,
        routing, tags, opted_out_at, custom, check_back_on, recycle_tag, waiting_since,
        created_at, updated_at,
    }
    account::Model {
        id, workspace_id, domain, name, industry, employees, annual_revenue, country, region,
        technologies, custom, segment, tier, lifecycle, named_account, owner_id, fit_score,
        fit_breakdown, created_at, updated_at,
    }
    score_entry::Model { id, workspace_id, contact_id, event_id, rule, kind, points, occurred_at }
    event::Model {
        id, workspace_id, idempotency_key, payload_hash, event_type, occurred_at, contact_id,
        account_id, source_id, campaign_id, asset_id, properties, received_at,
    }
    webhook_delivery::Model {
        id, workspace_id, webhook_id, event_id, event, payload, status, attempts,
        next_attempt_at, last_status_code, last_error, created_at, delivered_at,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    use super::*;

    fn columns<E: EntityTrait>() -> Vec<&'static str>
    where
        E::Column: IdenStatic,
    {
        E::Column::iter().map(|c| c.as_str()).collect()
    }

    #[test]
    fn each_field_list_is_its_entitys_columns_in_order() {
        assert_eq!(contact::Model::COLUMNS, columns::<contact::Entity>());
        assert_eq!(account::Model::COLUMNS, columns::<account::Entity>());
        assert_eq!(
            score_entry::Model::COLUMNS,
            columns::<score_entry::Entity>()
        );
        assert_eq!(event::Model::COLUMNS, columns::<event::Entity>());
        assert_eq!(
            webhook_delivery::Model::COLUMNS,
            columns::<webhook_delivery::Entity>()
        );
    }
}
