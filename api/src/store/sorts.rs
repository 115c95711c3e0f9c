//! The orderings lists offer. Each sort enum says, in one table, which column a choice sorts
//! on, the column's type and a row's value in it (what the keyset cursor carries), so the
//! query's `ORDER BY` and the cursor can never disagree.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    account, contact, goal, lead_contract, member_directory, messaging_test, routing_rule,
    webhook_delivery,
};
use sea_orm::EntityTrait;
use serde_json::Value as Json;

use super::{
    keyset::{sort_value, time_key, SortKind},
    lists::Named,
};

/// One ordering of a list of `E`: the column, its type, and a row's value in it.
pub struct SortSpec<E: EntityTrait> {
    pub column: E::Column,
    pub kind: SortKind,
    pub key: fn(&E::Model) -> Json,
}

impl<E: EntityTrait> SortSpec<E> {
    fn time(column: E::Column, key: fn(&E::Model) -> Json) -> Self {
        Self {
            column,
            kind: SortKind::Time,
            key,
        }
    }

    fn text(column: E::Column, key: fn(&E::Model) -> Json) -> Self {
        Self {
            column,
            kind: SortKind::Text,
            key,
        }
    }

    fn int(column: E::Column, key: fn(&E::Model) -> Json) -> Self {
        Self {
            column,
            kind: SortKind::Int,
            key,
        }
    }

    fn date(column: E::Column, key: fn(&E::Model) -> Json) -> Self {
        Self {
            column,
            kind: SortKind::Date,
            key,
        }
    }
}

/// A list's sort enum: each choice is one [`SortSpec`].
pub trait ListSort<E: EntityTrait>: Copy + Send + Sync + 'static {
    fn spec(self) -> SortSpec<E>;
}

fn time(at: &DateTime<Utc>) -> Json {
    time_key(*at)
}

fn day(date: &NaiveDate) -> Json {
    Json::String(date.format("%Y-%m-%d").to_string())
}

/// The orderings of a named list: by creation time (the default) or by name.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum NamedSort {
    #[default]
    CreatedAt,
    Name,
}

impl<E: Named> ListSort<E> for NamedSort {
    fn spec(self) -> SortSpec<E> {
        match self {
            Self::CreatedAt => {
                SortSpec::<E>::time(E::created_column(), |r| time(&E::created_at(r)))
            }
            Self::Name => SortSpec::<E>::text(E::name_column(), |r| sort_value(E::name(r))),
        }
    }
}

/// The orders the account list offers; ties break on the id.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum AccountSort {
    #[default]
    CreatedAt,
    UpdatedAt,
    Name,
    Domain,
    FitScore,
}

impl ListSort<account::Entity> for AccountSort {
    fn spec(self) -> SortSpec<account::Entity> {
        use account::Column as A;
        match self {
            Self::CreatedAt => {
                SortSpec::<account::Entity>::time(A::CreatedAt, |r| time(&r.created_at))
            }
            Self::UpdatedAt => {
                SortSpec::<account::Entity>::time(A::UpdatedAt, |r| time(&r.updated_at))
            }
            Self::Name => {
                SortSpec::<account::Entity>::text(A::Name, |r| sort_value(r.name.as_str()))
            }
            Self::Domain => {
                SortSpec::<account::Entity>::text(A::Domain, |r| sort_value(r.domain.as_str()))
            }
            Self::FitScore => {
                SortSpec::<account::Entity>::int(A::FitScore, |r| sort_value(r.fit_score))
            }
        }
    }
}

/// The orders the lead list offers; ties break on the id.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum LeadSort {
    #[default]
    CreatedAt,
    UpdatedAt,
    FitScore,
    EngagementScore,
}

impl ListSort<contact::Entity> for LeadSort {
    fn spec(self) -> SortSpec<contact::Entity> {
        use contact::Column as L;
        match self {
            Self::CreatedAt => {
                SortSpec::<contact::Entity>::time(L::CreatedAt, |r| time(&r.created_at))
            }
            Self::UpdatedAt => {
                SortSpec::<contact::Entity>::time(L::UpdatedAt, |r| time(&r.updated_at))
            }
            Self::FitScore => {
                SortSpec::<contact::Entity>::int(L::FitScore, |r| sort_value(r.fit_score))
            }
            Self::EngagementScore => SortSpec::<contact::Entity>::int(L::EngagementScore, |r| {
                sort_value(r.engagement_score)
            }),
        }
    }
}

/// The orderings of the routing rules: the order routing tries them (the default), by name or
/// by creation time.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum RoutingRuleSort {
    #[default]
    Position,
    Name,
    CreatedAt,
}

impl ListSort<routing_rule::Entity> for RoutingRuleSort {
    fn spec(self) -> SortSpec<routing_rule::Entity> {
        use routing_rule::Column as R;
        match self {
            Self::Position => {
                SortSpec::<routing_rule::Entity>::int(R::Position, |r| sort_value(r.position))
            }
            Self::Name => {
                SortSpec::<routing_rule::Entity>::text(R::Name, |r| sort_value(r.name.as_str()))
            }
            Self::CreatedAt => {
                SortSpec::<routing_rule::Entity>::time(R::CreatedAt, |r| time(&r.created_at))
            }
        }
    }
}

/// The orderings of the member directory: by when they joined (the default), name or email.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum MemberSort {
    #[default]
    JoinedAt,
    Name,
    Email,
}

impl ListSort<member_directory::Entity> for MemberSort {
    fn spec(self) -> SortSpec<member_directory::Entity> {
        use member_directory::Column as M;
        match self {
            Self::JoinedAt => {
                SortSpec::<member_directory::Entity>::time(M::CreatedAt, |r| time(&r.created_at))
            }
            Self::Name => {
                SortSpec::<member_directory::Entity>::text(M::Name, |r| sort_value(r.name.as_str()))
            }
            Self::Email => SortSpec::<member_directory::Entity>::text(M::Email, |r| {
                sort_value(r.email.as_str())
            }),
        }
    }
}

/// The orderings of the contract versions: by creation time (newest first is the list's
/// default) or by version number.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum ContractSort {
    #[default]
    CreatedAt,
    Version,
}

impl ListSort<lead_contract::Entity> for ContractSort {
    fn spec(self) -> SortSpec<lead_contract::Entity> {
        use lead_contract::Column as C;
        match self {
            Self::CreatedAt => {
                SortSpec::<lead_contract::Entity>::time(C::CreatedAt, |r| time(&r.created_at))
            }
            Self::Version => {
                SortSpec::<lead_contract::Entity>::int(C::Version, |r| sort_value(r.version))
            }
        }
    }
}

/// The orderings of the messaging tests: by start (most recent first is the list's default),
/// by name or by creation time.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum MessagingTestSort {
    #[default]
    StartedAt,
    Name,
    CreatedAt,
}

impl ListSort<messaging_test::Entity> for MessagingTestSort {
    fn spec(self) -> SortSpec<messaging_test::Entity> {
        use messaging_test::Column as T;
        match self {
            Self::StartedAt => {
                SortSpec::<messaging_test::Entity>::time(T::StartedAt, |r| time(&r.started_at))
            }
            Self::Name => {
                SortSpec::<messaging_test::Entity>::text(T::Name, |r| sort_value(r.name.as_str()))
            }
            Self::CreatedAt => {
                SortSpec::<messaging_test::Entity>::time(T::CreatedAt, |r| time(&r.created_at))
            }
        }
    }
}

/// The orderings of the goals: by the period's first day (latest first is the list's default),
/// by name or by creation time.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum GoalSort {
    #[default]
    PeriodStart,
    Name,
    CreatedAt,
}

impl ListSort<goal::Entity> for GoalSort {
    fn spec(self) -> SortSpec<goal::Entity> {
        use goal::Column as G;
        match self {
            Self::PeriodStart => {
                SortSpec::<goal::Entity>::date(G::PeriodStart, |r| day(&r.period_start))
            }
            Self::Name => SortSpec::<goal::Entity>::text(G::Name, |r| sort_value(r.name.as_str())),
            Self::CreatedAt => {
                SortSpec::<goal::Entity>::time(G::CreatedAt, |r| time(&r.created_at))
            }
        }
    }
}

/// The orderings of a webhook's deliveries: by creation (newest first is the list's default)
/// or by the next attempt the sender will make.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum DeliverySort {
    #[default]
    CreatedAt,
    NextAttemptAt,
}

impl ListSort<webhook_delivery::Entity> for DeliverySort {
    fn spec(self) -> SortSpec<webhook_delivery::Entity> {
        use webhook_delivery::Column as D;
        match self {
            Self::CreatedAt => {
                SortSpec::<webhook_delivery::Entity>::time(D::CreatedAt, |r| time(&r.created_at))
            }
            Self::NextAttemptAt => {
                SortSpec::<webhook_delivery::Entity>::time(D::NextAttemptAt, |r| {
                    time(&r.next_attempt_at)
                })
            }
        }
    }
}
