//! The rows of the isolation matrix, as data: a document, the variables that aim it at the
//! victim's ids, who sends it and what it must answer. One file per area.

mod batches;
mod leads;
mod people;
mod plays;
mod records;
mod review;

use serde_json::Value;

/// Ids that belong to the victim workspace, and a few of the attacker's own (to aim the other
/// ids of an operation at the victim).
#[derive(Clone, Default)]
pub struct VictimIds {
    pub workspace_id: String,
    pub member_id: String,
    pub api_token_id: String,
    pub invitation_id: String,
    pub account_id: String,
    pub lead_id: String,
    pub source_id: String,
    pub campaign_id: String,
    pub asset_id: String,
    pub opportunity_id: String,
    pub icp_id: String,
    pub contract_id: String,
    pub routing_rule_id: String,
    pub mql_id: String,
    pub rejection_id: String,
    pub trigger_id: String,
    pub owner_user_id: String,
    pub cadence_id: String,
    pub play_id: String,
    pub task_id: String,
    /// A lead of the attacker's own, to aim the other ids of `logTouch` at the victim.
    pub attacker_lead_id: String,
    /// The attacker's own seat, to aim `setMemberManager`'s manager at the victim.
    pub attacker_member_id: String,
    /// The attacker's own cadence, to aim `createPlay`'s other ids at the victim.
    pub attacker_cadence_id: String,
    pub review_id: String,
    pub action_item_id: String,
    pub webhook_id: String,
    pub messaging_test_id: String,
    pub goal_id: String,
    /// The attacker's own review, user and asset, to aim the other ids of the review
    /// operations, goals and messaging tests at the victim.
    pub attacker_review_id: String,
    pub attacker_user_id: String,
    pub attacker_asset_id: String,
    /// The address of whoever sends the case (for `logIn`).
    pub actor_email: String,
}

/// What another workspace's id must produce.
#[derive(Clone, Copy)]
pub enum Expect {
    /// An error with code NOT_FOUND.
    NotFound,
    /// `data.<root field>` is exactly this: batch items refused at their field, or a filter
    /// that finds nothing.
    Data(fn() -> Value),
}

/// Who sends a case with the strict expectation.
#[derive(Clone, Copy)]
pub enum Actor {
    /// The attacker workspace's owner (every other role is tried too, see the module).
    Owner,
    /// An API token of the attacker's workspace with this scope.
    Token(&'static str),
    /// No credential (`logIn`); each role's run uses its own address.
    Anonymous,
}

/// One row of the matrix.
#[derive(Clone, Copy)]
pub struct Case {
    pub name: &'static str,
    pub query: &'static str,
    pub variables: fn(&VictimIds) -> Value,
    pub expect: Expect,
    pub actor: Actor,
}

/// What a case is unless it says otherwise: sent by the owner, answered NOT_FOUND.
const NOT_FOUND: Case = Case {
    name: "",
    query: "",
    variables: no_variables,
    expect: Expect::NotFound,
    actor: Actor::Owner,
};

fn no_variables(_: &VictimIds) -> Value {
    Value::Null
}

impl VictimIds {
    /// Every id, the attacker's too, made by `make` (malformed or unknown ids).
    pub fn filled(make: impl Fn() -> String) -> Self {
        VictimIds {
            workspace_id: make(),
            member_id: make(),
            api_token_id: make(),
            invitation_id: make(),
            account_id: make(),
            lead_id: make(),
            source_id: make(),
            campaign_id: make(),
            asset_id: make(),
            opportunity_id: make(),
            icp_id: make(),
            contract_id: make(),
            routing_rule_id: make(),
            mql_id: make(),
            rejection_id: make(),
            trigger_id: make(),
            owner_user_id: make(),
            cadence_id: make(),
            play_id: make(),
            task_id: make(),
            attacker_lead_id: make(),
            attacker_member_id: make(),
            attacker_cadence_id: make(),
            review_id: make(),
            action_item_id: make(),
            webhook_id: make(),
            messaging_test_id: make(),
            goal_id: make(),
            attacker_review_id: make(),
            attacker_user_id: make(),
            attacker_asset_id: make(),
            actor_email: make(),
        }
    }

    /// The same ids with every victim id replaced by one that exists nowhere: what an
    /// answer that does not depend on the victim's rows must not tell apart.
    pub fn ghosts(&self) -> Self {
        VictimIds {
            attacker_lead_id: self.attacker_lead_id.clone(),
            attacker_member_id: self.attacker_member_id.clone(),
            attacker_cadence_id: self.attacker_cadence_id.clone(),
            attacker_review_id: self.attacker_review_id.clone(),
            attacker_user_id: self.attacker_user_id.clone(),
            attacker_asset_id: self.attacker_asset_id.clone(),
            actor_email: self.actor_email.clone(),
            ..Self::filled(|| uuid::Uuid::now_v7().to_string())
        }
    }
}

/// The matrix: every root field that takes an id has at least one case (the schema test checks).
pub fn cases() -> Vec<Case> {
    [
        people::cases(),
        records::cases(),
        leads::cases(),
        plays::cases(),
        review::cases(),
        batches::cases(),
    ]
    .concat()
}
