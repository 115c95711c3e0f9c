//! Accounts as a whole: an account's buying committee under the active ICP, and the accounts in
//! market (marketing-qualified accounts), found when events are ingested ([`detect`]) and
//! listed by `accountsInMarket`. The rules are in `domain::accounts`.

mod detect;

use chrono::{DateTime, Utc};
use entity::{account, account_signal, Lifecycle};
use sea_orm::ConnectionTrait;

pub use detect::on_events;

use crate::{
    domain::accounts::{committee_of, Committee, MarketReason, Member},
    error::AppResult,
    services::fit::model_of,
    store::{
        account_signals::{self, CommitteeFacts, InMarketFilter, MemberRow},
        keyset::{PageArgs, RowPage},
        Tenant,
    },
};

/// The committee view of a contact row.
pub(crate) fn member_of(row: &MemberRow) -> Member {
    Member {
        contact_id: row.id,
        title: row.title.clone(),
        persona: row.persona.clone(),
        owner_id: row.owner_id,
        last_engaged_at: row.last_engaged_at,
    }
}

/// The buying committee of `account` at `now` from its loaded facts; `None` when no ICP of the
/// account's motion is active.
pub fn committee(
    account: &account::Model,
    facts: &CommitteeFacts,
    now: DateTime<Utc>,
) -> AppResult<Option<Committee>> {
    let icps = facts
        .icps
        .iter()
        .map(model_of)
        .collect::<AppResult<Vec<_>>>()?;
    let members: Vec<Member> = facts.members.iter().map(member_of).collect();
    Ok(committee_of(
        &icps,
        account.lifecycle == Lifecycle::Customer,
        &members,
        now,
    ))
}

/// An account in market, with why.
pub struct InMarket {
    pub signal: account_signal::Model,
    /// `None` for a reason stored by a later version this one cannot read.
    pub reason: Option<MarketReason>,
}

/// The accounts in market, newest crossing first, a page at a time.
pub async fn in_market<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &InMarketFilter,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<InMarket>> {
    let page = account_signals::in_market_page(tenant, filter, args, max_page_size).await?;
    Ok(RowPage {
        rows: page
            .rows
            .into_iter()
            .map(|(cursor, signal)| {
                let reason = signal
                    .reason
                    .as_ref()
                    .and_then(|json| serde_json::from_value(json.clone()).ok());
                (cursor, InMarket { signal, reason })
            })
            .collect(),
        has_previous: page.has_previous,
        has_next: page.has_next,
        total_count: page.total_count,
    })
}
