//! A play's definition as GraphQL sees it: its trigger, exit criteria and figures out, the
//! drafted definition in.

use async_graphql::{Enum, InputObject, Json, SimpleObject, ID};
use entity::{MqlKind, TouchOutcome};
use serde_json::Value;

use crate::{
    domain::{
        plays::{ExitCriteria, ExitTarget, PlayFigures, PlayTrigger, CONVERSION_TARGET},
        validate,
    },
    error::AppError,
    graphql::criteria_input::CriteriaInput,
    services::plays::definitions::PlayDraft,
    store::parse_id,
};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PlayTriggerKind {
    /// Engagement events of the named types for leads meeting the criteria.
    Event,
    /// An MQL was routed to its rep.
    MqlAssigned,
    /// The lead's engagement score reached `threshold`.
    ScoreThreshold,
    /// The PQL score reached the contract's PQL threshold.
    PqlReached,
    /// An open deal sat in its stage longer than that stage's median (its primary contact).
    OpportunityStalled,
    /// A deal was lost: retarget its primary contact.
    ClosedLost,
    /// A business-domain lead at an account of `minEmployees` or more engaged (seed 002).
    EnterpriseDomain,
    /// A product event reported `teamSize`/`team_size`/`seats` of `threshold` or more.
    TeamSize,
    /// The security, trust or compliance page was viewed.
    SecurityPageViewed,
    /// A `trial_ending` event arrived for an account that is not a customer.
    TrialEnding,
    /// A lead whose persona the ICP's buying committee marks TRIGGERS engaged (once per lead).
    TriggeringPersona,
    /// An account's buying committee became covered: a TRIGGERS and an INFLUENCES persona
    /// engaged in the last 30 days. Enrolls the account's owned TRIGGERS contact, once per
    /// account.
    CommitteeCovered,
}

/// A play's trigger; the fields a kind does not use are ignored.
#[derive(InputObject)]
pub struct PlayTriggerInput {
    pub kind: PlayTriggerKind,
    pub event_types: Option<Vec<String>>,
    pub criteria: Option<CriteriaInput>,
    pub threshold: Option<i32>,
    pub min_employees: Option<i32>,
    pub mql_kinds: Option<Vec<MqlKind>>,
}

fn required(value: Option<i32>, field: &str) -> Result<i32, AppError> {
    value.ok_or_else(|| {
        AppError::bad_input(format!("input.trigger.{field}"), "required for this kind")
    })
}

impl PlayTriggerInput {
    fn into_trigger(self) -> Result<PlayTrigger, AppError> {
        Ok(match self.kind {
            PlayTriggerKind::Event => PlayTrigger::Event {
                event_types: self.event_types.unwrap_or_default(),
                criteria: self.criteria.as_ref().map(CriteriaInput::to_json),
            },
            PlayTriggerKind::MqlAssigned => PlayTrigger::MqlAssigned {
                mql_kinds: self.mql_kinds.unwrap_or_default(),
            },
            PlayTriggerKind::ScoreThreshold => PlayTrigger::ScoreThreshold {
                threshold: required(self.threshold, "threshold")?,
            },
            PlayTriggerKind::PqlReached => PlayTrigger::PqlReached,
            PlayTriggerKind::OpportunityStalled => PlayTrigger::OpportunityStalled,
            PlayTriggerKind::ClosedLost => PlayTrigger::ClosedLost,
            PlayTriggerKind::EnterpriseDomain => PlayTrigger::EnterpriseDomain {
                min_employees: i64::from(required(self.min_employees, "minEmployees")?),
            },
            PlayTriggerKind::TeamSize => PlayTrigger::TeamSize {
                threshold: i64::from(required(self.threshold, "threshold")?),
            },
            PlayTriggerKind::SecurityPageViewed => PlayTrigger::SecurityPageViewed,
            PlayTriggerKind::TrialEnding => PlayTrigger::TrialEnding,
            PlayTriggerKind::TriggeringPersona => PlayTrigger::TriggeringPersona,
            PlayTriggerKind::CommitteeCovered => PlayTrigger::CommitteeCovered,
        })
    }
}

/// A play's trigger as stored.
#[derive(SimpleObject)]
pub struct PlayTriggerSpec {
    pub kind: PlayTriggerKind,
    pub event_types: Vec<String>,
    /// Criteria language JSON, for EVENT triggers.
    pub criteria: Option<Json<Value>>,
    pub threshold: Option<i64>,
    pub min_employees: Option<i64>,
    pub mql_kinds: Vec<MqlKind>,
}

impl From<PlayTrigger> for PlayTriggerSpec {
    fn from(trigger: PlayTrigger) -> Self {
        let mut spec = PlayTriggerSpec {
            kind: PlayTriggerKind::Event,
            event_types: Vec::new(),
            criteria: None,
            threshold: None,
            min_employees: None,
            mql_kinds: Vec::new(),
        };
        spec.kind = match trigger {
            PlayTrigger::Event {
                event_types,
                criteria,
            } => {
                spec.event_types = event_types;
                spec.criteria = criteria.map(Json);
                PlayTriggerKind::Event
            }
            PlayTrigger::MqlAssigned { mql_kinds } => {
                spec.mql_kinds = mql_kinds;
                PlayTriggerKind::MqlAssigned
            }
            PlayTrigger::ScoreThreshold { threshold } => {
                spec.threshold = Some(i64::from(threshold));
                PlayTriggerKind::ScoreThreshold
            }
            PlayTrigger::PqlReached => PlayTriggerKind::PqlReached,
            PlayTrigger::OpportunityStalled => PlayTriggerKind::OpportunityStalled,
            PlayTrigger::ClosedLost => PlayTriggerKind::ClosedLost,
            PlayTrigger::EnterpriseDomain { min_employees } => {
                spec.min_employees = Some(min_employees);
                PlayTriggerKind::EnterpriseDomain
            }
            PlayTrigger::TeamSize { threshold } => {
                spec.threshold = Some(threshold);
                PlayTriggerKind::TeamSize
            }
            PlayTrigger::SecurityPageViewed => PlayTriggerKind::SecurityPageViewed,
            PlayTrigger::TrialEnding => PlayTriggerKind::TrialEnding,
            PlayTrigger::TriggeringPersona => PlayTriggerKind::TriggeringPersona,
            PlayTrigger::CommitteeCovered => PlayTriggerKind::CommitteeCovered,
        };
        spec
    }
}

/// How a play ends for a lead.
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "ExitCriteriaInput")]
pub struct ExitCriteriaSpec {
    /// Touch outcomes that accelerate the lead (default REPLIED, MEETING_BOOKED).
    #[graphql(default_with = "vec![TouchOutcome::Replied, TouchOutcome::MeetingBooked]")]
    pub accelerate_on: Vec<TouchOutcome>,
    /// SQL is the seed's "into discovery".
    #[graphql(default_with = "ExitTarget::Sql")]
    pub accelerate_to: ExitTarget,
    /// Recycle as RE_ENGAGE after the last step without response (once the contract's minimum
    /// touches are logged).
    #[graphql(default = true)]
    pub recycle_when_exhausted: bool,
}

impl From<ExitCriteria> for ExitCriteriaSpec {
    fn from(exit: ExitCriteria) -> Self {
        Self {
            accelerate_on: exit.accelerate_on,
            accelerate_to: exit.accelerate_to,
            recycle_when_exhausted: exit.recycle_when_exhausted,
        }
    }
}

#[derive(InputObject)]
pub struct PlayInput {
    pub name: String,
    pub description: Option<String>,
    pub trigger: PlayTriggerInput,
    pub cadence_id: ID,
    /// The campaign this play follows up.
    pub campaign_id: Option<ID>,
    /// Content the play's touches use.
    #[graphql(default)]
    pub asset_ids: Vec<ID>,
    pub exit: Option<ExitCriteriaSpec>,
    /// Higher runs first (0-1000).
    #[graphql(default = 100)]
    pub priority: i32,
    /// A lead runs at most one exclusive play at a time.
    #[graphql(default = true)]
    pub exclusive: bool,
}

/// A play's live figures (seed 000): time to first touch, reply rate and conversion to
/// qualified opportunity against the 8-12% target.
#[derive(SimpleObject)]
pub struct PlayFiguresView {
    /// Leads ever enrolled.
    pub enrolled: u64,
    /// Enrollments still running.
    pub active: u64,
    /// Median minutes from enrollment to the first logged touch (the seed's target: < 24 h).
    pub first_touch_p50_minutes: Option<i64>,
    pub first_touch_p90_minutes: Option<i64>,
    /// Enrollments with a REPLIED or MEETING_BOOKED touch / enrollments.
    pub reply_rate: Option<f64>,
    /// Enrollments whose lead reached SQL or OPPORTUNITY after enrolling / enrollments.
    pub conversion_rate: Option<f64>,
    pub conversion_target_low: f64,
    pub conversion_target_high: f64,
    /// Whether conversion reached the low end of the target.
    pub on_target: Option<bool>,
}

impl From<PlayFigures> for PlayFiguresView {
    fn from(f: PlayFigures) -> Self {
        Self {
            on_target: f.on_target(),
            enrolled: f.enrolled,
            active: f.active,
            first_touch_p50_minutes: f.first_touch_p50_minutes,
            first_touch_p90_minutes: f.first_touch_p90_minutes,
            reply_rate: f.reply_rate,
            conversion_rate: f.conversion_rate,
            conversion_target_low: CONVERSION_TARGET.0,
            conversion_target_high: CONVERSION_TARGET.1,
        }
    }
}

impl PlayInput {
    /// The draft of a definition; a malformed id is NOT_FOUND at its field.
    pub(super) fn into_draft(self) -> Result<PlayDraft, AppError> {
        let input = self;
        let parse = |raw: &ID, noun: &'static str, field: String| {
            parse_id(raw, noun).map_err(|e| e.at_field(field))
        };
        Ok(PlayDraft {
            name: validate::required_text(&input.name, "input.name", 200)?,
            description: validate::optional_text(
                input.description.as_deref(),
                "input.description",
            )?,
            trigger: input.trigger.into_trigger()?,
            cadence_id: parse(&input.cadence_id, "cadence", "input.cadenceId".into())?,
            campaign_id: input
                .campaign_id
                .as_ref()
                .map(|raw| parse(raw, "campaign", "input.campaignId".into()))
                .transpose()?,
            asset_ids: input
                .asset_ids
                .iter()
                .enumerate()
                .map(|(i, raw)| parse(raw, "asset", format!("input.assetIds[{i}]")))
                .collect::<Result<_, _>>()?,
            exit: input
                .exit
                .map(|e| ExitCriteria {
                    accelerate_on: e.accelerate_on,
                    accelerate_to: e.accelerate_to,
                    recycle_when_exhausted: e.recycle_when_exhausted,
                })
                .unwrap_or_default(),
            priority: input.priority,
            exclusive: input.exclusive,
        })
    }
}
