//! Filters of the lists a workspace is run with: its members, contract versions, messaging
//! tests, goals and webhook deliveries.

use entity::{
    goal, lead_contract, member_directory, messaging_test, webhook_delivery, ContractStatus,
    DeliveryStatus, GoalMetric, Role,
};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use super::{name_contains, search};
use crate::store::lists::ListFilter;

#[derive(Debug, Default, Clone)]
pub struct MemberFilter {
    pub role: Option<Vec<Role>>,
    /// Case-insensitive text in the member's name or email.
    pub search: Option<String>,
    pub out_of_office: Option<bool>,
    pub manager_id: Option<Uuid>,
}

impl ListFilter<member_directory::Entity> for MemberFilter {
    fn condition(&self) -> Condition {
        use member_directory::Column as M;
        let mut all = Condition::all();
        if let Some(role) = &self.role {
            all = all.add(M::Role.is_in(role.iter().copied()));
        }
        if let Some(text) = self.search.as_deref().filter(|t| !t.trim().is_empty()) {
            all = all.add(search(&[M::Name, M::Email], text));
        }
        if let Some(away) = self.out_of_office {
            all = all.add(M::OutOfOffice.eq(away));
        }
        if let Some(manager) = self.manager_id {
            all = all.add(M::ManagerId.eq(manager));
        }
        all
    }
}

#[derive(Debug, Default, Clone)]
pub struct ContractFilter {
    pub status: Option<Vec<ContractStatus>>,
}

impl ListFilter<lead_contract::Entity> for ContractFilter {
    fn condition(&self) -> Condition {
        match &self.status {
            Some(status) => {
                Condition::all().add(lead_contract::Column::Status.is_in(status.iter().copied()))
            }
            None => Condition::all(),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct MessagingTestFilter {
    pub name_contains: Option<String>,
    /// Only the running tests (true) or only the ended ones (false).
    pub running: Option<bool>,
}

impl ListFilter<messaging_test::Entity> for MessagingTestFilter {
    fn condition(&self) -> Condition {
        use messaging_test::Column as T;
        let mut all = Condition::all().add(name_contains(T::Name, &self.name_contains));
        match self.running {
            Some(true) => all = all.add(T::EndedAt.is_null()),
            Some(false) => all = all.add(T::EndedAt.is_not_null()),
            None => {}
        }
        all
    }
}

#[derive(Debug, Default, Clone)]
pub struct GoalFilter {
    pub name_contains: Option<String>,
    pub metric: Option<Vec<GoalMetric>>,
    /// Only the closed goals (true) or only the open ones (false).
    pub closed: Option<bool>,
}

impl ListFilter<goal::Entity> for GoalFilter {
    fn condition(&self) -> Condition {
        use goal::Column as G;
        let mut all = Condition::all().add(name_contains(G::Name, &self.name_contains));
        if let Some(metric) = &self.metric {
            all = all.add(G::Metric.is_in(metric.iter().copied()));
        }
        match self.closed {
            Some(true) => all = all.add(G::ClosedAt.is_not_null()),
            Some(false) => all = all.add(G::ClosedAt.is_null()),
            None => {}
        }
        all
    }
}

/// One webhook's deliveries, by status and event type when asked.
#[derive(Debug, Clone)]
pub struct DeliveryFilter {
    pub webhook_id: Uuid,
    pub status: Option<Vec<DeliveryStatus>>,
    pub event: Option<Vec<String>>,
}

impl ListFilter<webhook_delivery::Entity> for DeliveryFilter {
    fn condition(&self) -> Condition {
        use webhook_delivery::Column as D;
        let mut all = Condition::all().add(D::WebhookId.eq(self.webhook_id));
        if let Some(status) = &self.status {
            all = all.add(D::Status.is_in(status.iter().copied()));
        }
        if let Some(event) = &self.event {
            all = all.add(D::Event.is_in(event.iter().cloned()));
        }
        all
    }
}
