//! Reading the hot tables' rows by column position instead of by name.
//!
//! sea-orm's derived models read each column by name: the driver looks the name up, and a NULL
//! column formats the name into an error that the `Option` then discards. On a batch of 1,000
//! events that was a quarter of the server's instructions (callgrind, README "Benchmarks"). A
//! plain `select::<E>()` lists the entity's columns in declaration order, so rows read through
//! the store's generic paths (pages, loaders, lookups by id) and the ingestion's reads are
//! decoded by position. Raw SQL (`SELECT *` lists the table's columns in their physical order)
//! keeps reading by name. A unit test keeps each field list in step with its entity.

use entity::*;

use super::TenantEntity;
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryResult, Select, TryGetable,
};

/// A model decoded from a row holding exactly its entity's columns, in declaration order.
pub trait Positional: Sized {
    /// The columns, in the order they are read (checked against the entity in tests).
    const COLUMNS: &'static [&'static str];

    fn from_position(row: &QueryResult) -> Result<Self, DbErr>;

    /// Marks in `changed` (one flag per [`Self::COLUMNS`] entry) the fields in which `self`
    /// and `other` differ, compared in place: sea-orm's `ModelTrait::get` clones each value,
    /// JSON documents included, which made comparing a batch's 1,000 leads cost more than
    /// writing them.
    fn mark_changed(&self, other: &Self, changed: &mut [bool]);
}

/// A row of `E` decoded through [`TenantEntity::decode`], for sea-orm's selectors.
pub struct Decoded<E: EntityTrait>(pub E::Model);

impl<E: TenantEntity> FromQueryResult for Decoded<E> {
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        E::decode(row).map(Decoded)
    }
}

fn take<T: TryGetable>(row: &QueryResult, at: &mut usize) -> Result<T, DbErr> {
    let value = T::try_get_by_index(row, *at)?;
    *at += 1;
    Ok(value)
}

/// Every row of a plain entity select (its columns in declaration order), decoded by position.
pub async fn all<E, C>(select: Select<E>, conn: &C) -> Result<Vec<E::Model>, DbErr>
where
    E: TenantEntity,
    C: ConnectionTrait,
{
    Ok(select
        .into_model::<Decoded<E>>()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.0)
        .collect())
}

/// The first row of a plain entity select, decoded by position.
pub async fn one<E, C>(select: Select<E>, conn: &C) -> Result<Option<E::Model>, DbErr>
where
    E: TenantEntity,
    C: ConnectionTrait,
{
    Ok(select
        .into_model::<Decoded<E>>()
        .one(conn)
        .await?
        .map(|row| row.0))
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

            fn mark_changed(&self, other: &Self, changed: &mut [bool]) {
                let mut at = 0usize;
                $(
                    changed[at] |= self.$field != other.$field;
                    at += 1;
                )*
                let _ = at;
            }
        }
    )*};
}

// Every tenant entity, in the order of `tenant_entities!` (store/mod.rs).
#[rustfmt::skip]
positional! {
    membership::Model { id, workspace_id, user_id, role, manager_id, out_of_office, created_at }
    member_directory::Model {
        id, workspace_id, user_id, role, manager_id, out_of_office, created_at, name, email,
    }
    invitation::Model {
        id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at,
        accepted_by, revoked_at,
    }
    api_token::Model {
        id, workspace_id, name, prefix, token_hash, scopes, created_by, created_at, expires_at,
        last_used_at, revoked_at, trusted_documents_only,
    }
    account::Model {
        id, workspace_id, domain, name, industry, employees, annual_revenue, country, region,
        technologies, custom, segment, tier, lifecycle, named_account, owner_id, fit_score,
        fit_breakdown, created_at, updated_at,
    }
    contact::Model {
        id, workspace_id, email, external_id, account_id, name, title, persona, seniority,
        personal_email, source_id, source_detail, owner_id, stage, fit_score, fit_breakdown,
        engagement_score, pql_score, last_engaged_at, mql_kind, stage_changed_at, assigned_at,
        routing, tags, opted_out_at, custom, check_back_on, recycle_tag, waiting_since,
        last_event_at, created_at, updated_at,
    }
    source::Model { id, workspace_id, name, kind, paused, paused_at, rule_window_from, created_at }
    campaign::Model { id, workspace_id, name, source_id, starts_on, ends_on, asset_ids, created_at }
    asset::Model { id, workspace_id, name, url, kind, funnel_stage, created_at }
    spend::Model { id, workspace_id, source_id, campaign_id, month, amount, currency, recorded_at }
    opportunity::Model {
        id, workspace_id, name, account_id, primary_contact_id, lead_id, source_id, owner_id,
        amount, currency, stage, close_date, lost_reason, competitor, created_at, closed_at,
        stage_changed_at, external_id,
    }
    icp::Model {
        id, workspace_id, family_id, version, name, motion, status, account_criteria,
        contact_criteria, personas, retention_risk_tags, owner_id, created_at, activated_at,
    }
    lead_contract::Model {
        id, workspace_id, family_id, version, status, terms, marketing_signed_by,
        marketing_signed_at, sales_signed_by, sales_signed_at, activated_at, created_by, created_at,
        updated_at,
    }
    event::Model {
        id, workspace_id, idempotency_key, payload_hash, event_type, occurred_at, contact_id,
        account_id, source_id, campaign_id, asset_id, properties, received_at,
    }
    score_entry::Model { id, workspace_id, contact_id, event_id, rule, kind, points, occurred_at }
    stage_change::Model {
        id, workspace_id, contact_id, from_stage, to_stage, changed_at, actor_id, reason,
        contract_id, source_id, owner_id, segment, campaign_id, play_id, left_at, next_stage,
    }
    routing_rule::Model {
        id, workspace_id, family_id, version, status, name, position, criteria, targets, strategy,
        capacity, assigned_count, published_at, created_at, updated_at,
    }
    trigger::Model {
        id, workspace_id, recipient_id, sequence, kind, lead_id, play_id, step, due_at, message,
        created_at, acknowledged_at, intel,
    }
    trusted_document::Model { id, workspace_id, api_token_id, sha256, document, created_at }
    recipient_sequence::Model { id, workspace_id, recipient_id, last_sequence }
    sla_clock::Model {
        id, workspace_id, contact_id, kind, assignee_id, started_at, due_at, warn_at, warned_at,
        breached_at, met_at, source_id, segment, first_touch_at,
    }
    rejection::Model {
        id, workspace_id, contact_id, rejected_by, source_id, reason, note, rejected_at,
        disputed_by, disputed_at, dispute_note, resolution, resolved_by, resolved_at, segment,
    }
    fit_job::Model {
        id, workspace_id, icp_id, status, total, processed, cursor, created_at, finished_at,
    }
    requalify_job::Model {
        id, workspace_id, reason, source_id, status, total, processed, qualified, cursor,
        created_at, finished_at,
    }
    cadence::Model {
        id, workspace_id, name, description, steps, created_by, created_at, updated_at,
    }
    play::Model {
        id, workspace_id, name, description, status, trigger, cadence_id, campaign_id, asset_ids,
        exit, priority, exclusive, created_by, created_at, updated_at, activated_at,
    }
    enrollment::Model {
        id, workspace_id, play_id, contact_id, owner_id, status, exclusive, signal_key, enrolled_at,
        ends_at, first_touch_at, ended_at, end_reason,
    }
    task::Model {
        id, workspace_id, enrollment_id, play_id, contact_id, assignee_id, step, day_offset,
        channel, theme, asset_id, instructions, due_at, status, notified_at, completed_at,
        completed_by,
    }
    touch::Model {
        id, workspace_id, contact_id, actor_id, channel, outcome, asset_id, note, task_id,
        enrollment_id, play_id, occurred_at, created_at,
    }
    opportunity_stage_change::Model {
        id, workspace_id, opportunity_id, from_stage, to_stage, changed_at, actor_id, left_at,
    }
    job_mark::Model { id, workspace_id, job, period, done_at }
    revenue_review::Model {
        id, workspace_id, week_of, started_at, started_by, log_published_at, log_published_by,
    }
    review_attendance::Model { id, workspace_id, review_id, user_id, present, recorded_at }
    review_decision::Model { id, workspace_id, review_id, decision, recorded_by, recorded_at }
    action_item::Model {
        id, workspace_id, review_id, title, owner_id, due_at, created_by, created_at, completed_at,
        completed_by,
    }
    goal::Model {
        id, workspace_id, name, metric, target, period_start, period_months, owners, created_by,
        created_at, closed_at,
    }
    messaging_test::Model {
        id, workspace_id, name, variants, started_at, ended_at, created_by, created_at,
    }
    metric_rollup::Model { id, workspace_id, dimension, fact, day, detail, key_id, key_text, n }
    webhook::Model {
        id, workspace_id, url, events, secret, status, disabled_reason, disabled_at, created_by,
        created_at, updated_at,
    }
    webhook_delivery::Model {
        id, workspace_id, webhook_id, event_id, event, payload, status, attempts, next_attempt_at,
        last_status_code, last_error, created_at, delivered_at,
    }
    webhook_attempt::Model {
        id, workspace_id, delivery_id, attempted_at, status_code, latency_ms, error,
    }
    deal_credit::Model {
        id, workspace_id, opportunity_id, model, sales, source_id, campaign_id, share, amount,
        created_at, won_at,
    }
    account_signal::Model {
        id, workspace_id, account_id, score, in_market_since, reason, committee_covered_at, scored_at,
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

    macro_rules! check_all {
        ($($module:ident),* $(,)?) => {
            $(assert_eq!(
                $module::Model::COLUMNS,
                columns::<$module::Entity>(),
                "{}: the field list in store/positional.rs is not the entity's columns",
                stringify!($module)
            );)*
        };
    }

    #[test]
    fn each_field_list_is_its_entitys_columns_in_order() {
        check_all!(
            membership,
            member_directory,
            invitation,
            api_token,
            account,
            contact,
            source,
            campaign,
            asset,
            spend,
            opportunity,
            icp,
            lead_contract,
            event,
            score_entry,
            stage_change,
            routing_rule,
            trigger,
            trusted_document,
            recipient_sequence,
            sla_clock,
            rejection,
            fit_job,
            requalify_job,
            cadence,
            play,
            enrollment,
            task,
            touch,
            opportunity_stage_change,
            job_mark,
            revenue_review,
            review_attendance,
            review_decision,
            action_item,
            goal,
            messaging_test,
            metric_rollup,
            webhook,
            webhook_delivery,
            webhook_attempt,
            account_signal,
            deal_credit
        );
    }
}
