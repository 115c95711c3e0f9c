//! Who may do what: the one permission table of Accord.

use entity::Role;

/// An action guarded by a role check (for people) or a scope check (for API tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read the workspace, its members and its records.
    ReadWorkspace,
    /// Add, remove and change the role of members.
    ManageMembers,
    /// Mint and revoke API tokens and webhooks.
    ManageIntegrations,
    /// Stream workspace activity (stage changes, member changes, triggers).
    WatchActivity,
    /// Change the ICP, the lead contract, scoring, routing and plays.
    EditRevenueRules,
    /// Create and update accounts.
    WriteAccounts,
    /// Create and update contacts (leads).
    WriteContacts,
    /// Sources, campaigns, content assets and their spend.
    ManageCatalog,
    /// Read opportunities.
    ReadOpportunities,
    /// Create, update and close opportunities.
    WriteOpportunities,
    /// Send engagement events.
    IngestEvents,
    /// Read leads.
    ReadLeads,
    /// Read accounts.
    ReadAccounts,
    /// Read dashboards and metrics.
    ReadMetrics,
    /// Follow a person's triggers (people follow their own; partner apps and managers name one).
    ReadTriggers,
    /// Start the weekly revenue review, record attendance, decisions and action items.
    RunRevenueReview,
    /// Register and manage outbound webhooks (partner apps, with `webhooks:write`).
    ManageWebhooks,
}

impl Permission {
    /// The API-token scope that grants this permission; `None` when only people may do it.
    pub fn scope(self) -> Option<&'static str> {
        match self {
            Permission::ReadWorkspace => Some("workspace:read"),
            Permission::WatchActivity => Some("activity:read"),
            Permission::WriteAccounts => Some("accounts:write"),
            Permission::WriteContacts => Some("contacts:write"),
            Permission::ReadOpportunities => Some("opportunities:read"),
            Permission::WriteOpportunities => Some("opportunities:write"),
            Permission::IngestEvents => Some("events:write"),
            Permission::ReadLeads => Some("leads:read"),
            Permission::ReadAccounts => Some("accounts:read"),
            Permission::ReadMetrics => Some("metrics:read"),
            Permission::ReadTriggers => Some("triggers:read"),
            Permission::ManageWebhooks => Some("webhooks:write"),
            Permission::ManageMembers
            | Permission::ManageIntegrations
            | Permission::EditRevenueRules
            | Permission::ManageCatalog
            | Permission::RunRevenueReview => None,
        }
    }
}

/// Whether a member holding `role` may perform `permission`.
pub fn role_allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        ReadWorkspace | ReadLeads | ReadAccounts | ReadMetrics | ReadOpportunities
        | ReadTriggers => true,
        ManageMembers | ManageIntegrations => matches!(role, Owner | Admin),
        ManageWebhooks => matches!(role, Owner | Admin | Revops),
        EditRevenueRules | RunRevenueReview => {
            matches!(role, Owner | Admin | MarketingLeader | SalesLeader | Revops)
        }
        WatchActivity => !matches!(role, Rep),
        WriteAccounts | WriteContacts | IngestEvents => matches!(
            role,
            Owner | Admin | MarketingLeader | SalesLeader | Revops | Marketer | SalesManager
        ),
        ManageCatalog => matches!(role, Owner | Admin | MarketingLeader | Revops | Marketer),
        WriteOpportunities => matches!(
            role,
            Owner | Admin | SalesLeader | Revops | SalesManager | Rep
        ),
    }
}

/// Roles an actor may hand out: nobody grants more than they hold, and only owners make owners.
pub fn may_grant(granter: Role, role: Role) -> bool {
    match granter {
        Role::Owner => true,
        Role::Admin => role != Role::Owner,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    #[test]
    fn viewers_only_read() {
        assert!(role_allows(Role::Viewer, Permission::ReadLeads));
        assert!(role_allows(Role::Viewer, Permission::ReadMetrics));
        assert!(!role_allows(Role::Viewer, Permission::WriteContacts));
        assert!(!role_allows(Role::Viewer, Permission::WriteOpportunities));
        assert!(!role_allows(Role::Viewer, Permission::EditRevenueRules));
        assert!(!role_allows(Role::Viewer, Permission::ManageMembers));
    }

    #[test]
    fn only_leaders_revops_and_admins_change_the_rules() {
        let allowed: Vec<Role> = Role::iter()
            .filter(|role| role_allows(*role, Permission::EditRevenueRules))
            .collect();
        assert_eq!(
            allowed,
            vec![
                Role::Owner,
                Role::Admin,
                Role::MarketingLeader,
                Role::SalesLeader,
                Role::Revops
            ]
        );
    }

    #[test]
    fn only_owners_and_admins_manage_members() {
        for role in Role::iter() {
            assert_eq!(
                role_allows(role, Permission::ManageMembers),
                matches!(role, Role::Owner | Role::Admin),
                "{role:?}"
            );
        }
    }

    #[test]
    fn marketing_runs_the_catalog_and_sales_the_pipeline() {
        assert!(role_allows(Role::Marketer, Permission::ManageCatalog));
        assert!(!role_allows(Role::Rep, Permission::ManageCatalog));
        assert!(role_allows(Role::Rep, Permission::WriteOpportunities));
        assert!(!role_allows(Role::Marketer, Permission::WriteOpportunities));
    }

    #[test]
    fn reps_do_not_watch_the_whole_workspace() {
        assert!(!role_allows(Role::Rep, Permission::WatchActivity));
        assert!(role_allows(Role::SalesManager, Permission::WatchActivity));
    }

    #[test]
    fn admins_cannot_make_owners() {
        assert!(may_grant(Role::Owner, Role::Owner));
        assert!(!may_grant(Role::Admin, Role::Owner));
        assert!(may_grant(Role::Admin, Role::Rep));
        assert!(!may_grant(Role::SalesLeader, Role::Rep));
    }

    #[test]
    fn people_only_permissions_have_no_scope() {
        assert_eq!(Permission::ManageMembers.scope(), None);
        assert_eq!(Permission::IngestEvents.scope(), Some("events:write"));
    }
}
