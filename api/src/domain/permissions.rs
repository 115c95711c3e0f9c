//! Who may do what: the one permission table of Accord.
//!
//! A role's permission reaches no record, the actor's own, their team's (members whose seat
//! names the actor as manager, and the actor's own) or every record of the workspace. Most
//! permissions are all or nothing; the record-level ones ([`Permission::is_record_level`]) are
//! decided with the actor's [`Relation`] to the record, which a service computes from the
//! record's owner and that owner's seat. `docs/permissions.md` is printed from this table.

use entity::Role;
use sea_orm::{EnumIter, Iterable};
use uuid::Uuid;

/// An action guarded by a role check (for people) or a scope check (for API tokens). What each
/// one covers is [`Permission::describe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter)]
pub enum Permission {
    ReadWorkspace,
    ManageMembers,
    ManageIntegrations,
    WatchActivity,
    EditRevenueRules,
    WriteAccounts,
    WriteContacts,
    ManageCatalog,
    ReadOpportunities,
    WriteOpportunities,
    IngestEvents,
    ReadLeads,
    ReadAccounts,
    ReadMetrics,
    ReadTriggers,
    RunRevenueReview,
    ManageWebhooks,
    OrganiseTeams,
    DisputeRejection,
    ResolveDispute,
    SignContractForMarketing,
    SignContractForSales,
    ReceiveLeads,
    UpdateDeal,
    DeleteDeal,
    WorkLead,
    AssignLead,
    FollowTriggers,
    WatchTriggers,
    SetAvailability,
    HearOfPausedSources,
    HearOfUnroutableLeads,
    ReceiveSlaEscalations,
    ReceiveDisputes,
    OwnGoalForMarketing,
    OwnGoalForSales,
    EditGoal,
    HoldReviewQuorumForMarketing,
    HoldReviewQuorumForSales,
}

/// The actor's relation to a record, from the record's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter)]
pub enum Relation {
    /// The actor owns the record (for a member: is that member).
    Own,
    /// The record's owner is on the actor's team: their seat names the actor as manager.
    Team,
    /// Anyone else's, or nobody's.
    Other,
}

impl Relation {
    /// The relation of `actor` to a record owned by `owner`, whose seat names `owners_manager`
    /// as their manager.
    pub fn between(actor: Uuid, owner: Option<Uuid>, owners_manager: Option<Uuid>) -> Self {
        match owner {
            Some(owner) if owner == actor => Relation::Own,
            Some(_) if owners_manager == Some(actor) => Relation::Team,
            _ => Relation::Other,
        }
    }
}

/// How far a role's permission reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Nothing,
    Own,
    Team,
    All,
}

impl Reach {
    pub fn covers(self, relation: Relation) -> bool {
        match self {
            Reach::Nothing => false,
            Reach::Own => relation == Relation::Own,
            Reach::Team => relation != Relation::Other,
            Reach::All => true,
        }
    }
}

impl Permission {
    /// The API-token scope that grants this permission; `None` when only people may do it. A
    /// token acts for no person, so a scope grants a record-level permission on every record.
    pub fn scope(self) -> Option<&'static str> {
        use Permission::*;
        match self {
            ReadWorkspace => Some("workspace:read"),
            WatchActivity | WatchTriggers => Some("activity:read"),
            WriteAccounts => Some("accounts:write"),
            WriteContacts => Some("contacts:write"),
            ReadOpportunities => Some("opportunities:read"),
            WriteOpportunities | UpdateDeal | DeleteDeal => Some("opportunities:write"),
            IngestEvents => Some("events:write"),
            ReadLeads => Some("leads:read"),
            ReadAccounts => Some("accounts:read"),
            ReadMetrics => Some("metrics:read"),
            ReadTriggers | FollowTriggers => Some("triggers:read"),
            ManageWebhooks => Some("webhooks:write"),
            ManageMembers
            | ManageIntegrations
            | EditRevenueRules
            | ManageCatalog
            | RunRevenueReview
            | OrganiseTeams
            | DisputeRejection
            | ResolveDispute
            | SignContractForMarketing
            | SignContractForSales
            | ReceiveLeads
            | WorkLead
            | AssignLead
            | SetAvailability
            | HearOfPausedSources
            | HearOfUnroutableLeads
            | ReceiveSlaEscalations
            | ReceiveDisputes
            | OwnGoalForMarketing
            | OwnGoalForSales
            | EditGoal
            | HoldReviewQuorumForMarketing
            | HoldReviewQuorumForSales => None,
        }
    }

    /// Whether the actor's relation to the record decides this permission.
    pub fn is_record_level(self) -> bool {
        use Permission::*;
        matches!(
            self,
            UpdateDeal
                | DeleteDeal
                | WorkLead
                | AssignLead
                | FollowTriggers
                | WatchTriggers
                | SetAvailability
                | EditGoal
        )
    }

    /// What the permission covers, for people reading `docs/permissions.md`.
    pub fn describe(self) -> &'static str {
        use Permission::*;
        match self {
            ReadWorkspace => "Read the workspace, its members and its records",
            ManageMembers => "Add, remove and change the role of members",
            ManageIntegrations => "Mint and revoke API tokens",
            WatchActivity => "Stream workspace activity (stage and member changes)",
            EditRevenueRules => "Change the ICP, the lead contract, scoring, routing and plays",
            WriteAccounts => "Create and update accounts",
            WriteContacts => "Create and update contacts (leads)",
            ManageCatalog => "Sources, campaigns, content assets and their spend",
            ReadOpportunities => "Read deals",
            WriteOpportunities => "Create deals (owned by the creator unless they name an owner they reach with UpdateDeal)",
            IngestEvents => "Send engagement events",
            ReadLeads => "Read leads, their score breakdown and their timeline",
            ReadAccounts => "Read accounts, their buying committees and the accounts in market",
            ReadMetrics => "Read dashboards and metrics (win/loss, scorecard, attribution, coverage, asset performance)",
            ReadTriggers => "Read one's own trigger inbox",
            RunRevenueReview => "Start the weekly revenue review, record attendance, decisions and action items",
            ManageWebhooks => "Register and manage outbound webhooks",
            OrganiseTeams => "Put members on a sales manager's team",
            DisputeRejection => "Dispute a rejected lead (marketing)",
            ResolveDispute => "Settle a disputed rejection",
            SignContractForMarketing => "Sign the lead contract for marketing",
            SignContractForSales => "Sign the lead contract for sales",
            ReceiveLeads => "Be given leads by routing or by assignLead",
            UpdateDeal => "Update or close a deal (by its owner); bulk upserts need every deal",
            DeleteDeal => "Delete a deal",
            WorkLead => "Accept, reject, qualify, convert, recycle a lead, log a touch or complete a task on it (by its owner)",
            AssignLead => "Reassign a lead: both its current owner and the new one",
            FollowTriggers => "Follow a member's triggers (playTriggers, triggers with recipientId)",
            WatchTriggers => "See a member's triggers on the workspace activity stream",
            SetAvailability => "Mark a member out of office or back",
            HearOfPausedSources => "Be told (a SOURCE_PAUSED trigger) when the lead contract's source rule pauses a source",
            HearOfUnroutableLeads => "Be told (an UNROUTABLE_LEAD trigger) when an MQL no rep can take starts waiting in the unassigned queue",
            ReceiveSlaEscalations => "Be told when a rep with no manager misses an SLA (an SLA_BREACHED trigger)",
            ReceiveDisputes => "Be told when marketing disputes a rejection (a REJECTION_DISPUTED trigger)",
            OwnGoalForMarketing => "Be named an owner of a shared goal for the marketing team",
            OwnGoalForSales => "Be named an owner of a shared goal for the sales team",
            EditGoal => "Update or close a shared goal (those who may own goals: the goals naming them)",
            HoldReviewQuorumForMarketing => "Count for marketing in the revenue review's quorum (no meeting when both sides are absent)",
            HoldReviewQuorumForSales => "Count for sales in the revenue review's quorum (no meeting when both sides are absent)",
        }
    }
}

/// How far `permission` reaches for a member holding `role`: the permission table.
pub fn reach(role: Role, permission: Permission) -> Reach {
    use Permission::*;
    use Role::*;
    let all_if = |allowed: bool| if allowed { Reach::All } else { Reach::Nothing };
    // Leaders of the sales side, revops and admins act on every sales record; sales managers on
    // their team's; reps on their own.
    let sales_records = match role {
        Owner | Admin | SalesLeader | Revops => Reach::All,
        SalesManager => Reach::Team,
        Rep => Reach::Own,
        MarketingLeader | Marketer | Viewer => Reach::Nothing,
    };
    match permission {
        ReadWorkspace | ReadLeads | ReadAccounts | ReadMetrics | ReadOpportunities
        | ReadTriggers => Reach::All,
        ManageMembers | ManageIntegrations => all_if(matches!(role, Owner | Admin)),
        ManageWebhooks => all_if(matches!(role, Owner | Admin | Revops)),
        EditRevenueRules | RunRevenueReview => all_if(matches!(
            role,
            Owner | Admin | MarketingLeader | SalesLeader | Revops
        )),
        WatchActivity => all_if(role != Rep),
        WriteAccounts | WriteContacts | IngestEvents => all_if(!matches!(role, Rep | Viewer)),
        ManageCatalog => all_if(matches!(
            role,
            Owner | Admin | MarketingLeader | Revops | Marketer
        )),
        WriteOpportunities => all_if(sales_records != Reach::Nothing),
        OrganiseTeams => all_if(matches!(role, Owner | Admin | SalesLeader | Revops)),
        DisputeRejection => all_if(matches!(
            role,
            Owner | Admin | MarketingLeader | Revops | Marketer
        )),
        ResolveDispute => all_if(matches!(
            role,
            Owner | Admin | MarketingLeader | SalesLeader
        )),
        SignContractForMarketing => all_if(role == MarketingLeader),
        SignContractForSales => all_if(role == SalesLeader),
        ReceiveLeads => all_if(matches!(
            role,
            Owner | Admin | SalesLeader | SalesManager | Rep
        )),
        UpdateDeal | WorkLead => sales_records,
        DeleteDeal => all_if(sales_records == Reach::All),
        AssignLead => match sales_records {
            Reach::Own => Reach::Nothing,
            reach => reach,
        },
        FollowTriggers | SetAvailability => match sales_records {
            Reach::Nothing => Reach::Own,
            reach => reach,
        },
        WatchTriggers => match role {
            MarketingLeader => Reach::All,
            Marketer | Viewer | Rep => Reach::Nothing,
            _ => sales_records,
        },
        HearOfPausedSources => all_if(role == MarketingLeader),
        // Whoever runs routing (revops) and the managers whose reps would take the lead.
        HearOfUnroutableLeads => all_if(matches!(role, Revops | SalesManager)),
        // Escalations go to the head of sales only: admins and revops are not on the hook.
        ReceiveSlaEscalations | ReceiveDisputes => all_if(role == SalesLeader),
        OwnGoalForMarketing => all_if(matches!(role, MarketingLeader | Marketer)),
        OwnGoalForSales => all_if(matches!(role, SalesLeader | SalesManager | Rep)),
        // Those who set goals edit any; a member who may own goals, the goals naming them.
        EditGoal => {
            if reach(role, EditRevenueRules) == Reach::All {
                Reach::All
            } else if reach(role, OwnGoalForMarketing) != Reach::Nothing
                || reach(role, OwnGoalForSales) != Reach::Nothing
            {
                Reach::Own
            } else {
                Reach::Nothing
            }
        }
        HoldReviewQuorumForMarketing => all_if(role == MarketingLeader),
        HoldReviewQuorumForSales => all_if(role == SalesLeader),
    }
}

/// Whether a member holding `role` may perform `permission` at all (on some record).
pub fn role_allows(role: Role, permission: Permission) -> bool {
    reach(role, permission) != Reach::Nothing
}

/// Whether a member holding `role` may perform `permission` on a record they stand in
/// `relation` to.
pub fn allows(role: Role, permission: Permission, relation: Relation) -> bool {
    reach(role, permission).covers(relation)
}

/// The roles holding `permission` on some record: who receives what a permission names (the
/// store turns it into a query on seats).
pub fn roles_with(permission: Permission) -> Vec<Role> {
    Role::iter()
        .filter(|role| role_allows(*role, permission))
        .collect()
}

/// The role the creator of a workspace holds. A workspace always keeps one member holding it:
/// its last holder can neither be removed nor be given another role.
pub const FOUNDING_ROLE: Role = Role::Owner;

/// The role shown for a person who holds no seat in the workspace any more (an attendee of a
/// past review who left): one that may do nothing but read.
pub const NO_SEAT: Role = Role::Viewer;

/// Roles an actor may hand out: nobody grants more than they hold, and only owners make owners.
pub fn may_grant(granter: Role, role: Role) -> bool {
    match granter {
        Role::Owner => true,
        Role::Admin => role != Role::Owner,
        _ => false,
    }
}

fn role_name(role: Role) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{role:?}"))
}

fn cell(permission: Permission, reach: Reach) -> &'static str {
    match (reach, permission.is_record_level()) {
        (Reach::Nothing, _) => "—",
        (Reach::Own, _) => "own",
        (Reach::Team, _) => "team",
        (Reach::All, true) => "all",
        (Reach::All, false) => "yes",
    }
}

/// The table as Markdown: `docs/permissions.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Who may do what\n\n\
         Printed from the permission table in `api/src/domain/permissions.rs` by the test \
         `domain::permissions::tests::the_committed_matrix_is_the_table` \
         (`ACCORD_UPDATE_DOCS=1 cargo test -p accord-api the_committed_matrix` rewrites it).\n\n\
         A cell says how far the role reaches: `yes` or `—` for actions on the workspace; for \
         record-level actions, `own` (records the member owns, or the member themselves), \
         `team` (also those of the members whose seat names them as manager), `all` (every \
         record of the workspace) or `—`. API tokens act for no person: the scope in the last \
         column grants the action on every record, and an action without a scope needs a \
         person.\n\n",
    );
    out.push_str("| Permission |");
    for role in Role::iter() {
        out.push_str(&format!(" {} |", role_name(role)));
    }
    out.push_str(" API-token scope | What it covers |\n|---|");
    for _ in Role::iter() {
        out.push_str("---|");
    }
    out.push_str("---|---|\n");
    for permission in Permission::iter() {
        out.push_str(&format!("| {permission:?} |"));
        for role in Role::iter() {
            out.push_str(&format!(" {} |", cell(permission, reach(role, permission))));
        }
        let scope = permission
            .scope()
            .map_or_else(|| "—".to_owned(), |s| format!("`{s}`"));
        out.push_str(&format!(" {scope} | {} |\n", permission.describe()));
    }
    out
}

#[cfg(test)]
mod tests;
