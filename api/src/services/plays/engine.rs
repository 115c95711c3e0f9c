//! Enrollment: when something happens to a lead (an event, an assignment, a score crossing, a
//! stalled or lost deal), every active play whose trigger fires is considered; the chosen ones
//! enroll the lead and turn each cadence step into a task for its owner, due on a business day.
//! Ending: every way a lead's plays stop, with their open tasks cancelled.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    asset, cadence, contact, enrollment, play, task, EnrollmentStatus, LeadStage, TaskStatus,
};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::{
    cadences::steps_of,
    definitions::{asset_ids_of, trigger_of},
};
use crate::{
    domain::{
        calendar::BusinessCalendar,
        criteria::Criteria,
        intel::{IntelAsset, IntelPlay},
        plays::{ends_at, schedule, select, CadenceStep, Candidate, PlayTrigger, Running, Signal},
        views::{EventView, LeadView},
    },
    error::AppResult,
    store::{self, Tenant},
};

struct LoadedPlay {
    row: play::Model,
    trigger: PlayTrigger,
    criteria: Option<Criteria>,
    steps: Vec<CadenceStep>,
    /// The play's first asset, what the lead intel suggests with it.
    asset: Option<IntelAsset>,
}

/// The workspace's active plays, loaded once per batch of work.
pub struct PlayEngine {
    plays: Vec<LoadedPlay>,
}

impl PlayEngine {
    pub async fn load<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Self> {
        let rows = store::plays::active(tenant).await?;
        let cadence_ids: Vec<Uuid> = rows.iter().map(|p| p.cadence_id).collect();
        let cadences: HashMap<Uuid, cadence::Model> =
            store::cadences::with_ids(tenant, &cadence_ids)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        let first_assets: Vec<Uuid> = rows
            .iter()
            .filter_map(|p| asset_ids_of(p).first().copied())
            .collect();
        let assets: HashMap<Uuid, IntelAsset> = match first_assets.is_empty() {
            true => HashMap::new(),
            false => tenant
                .get_many::<asset::Entity>(&first_assets)
                .await?
                .into_iter()
                .map(|a| (a.id, intel_asset(a)))
                .collect(),
        };
        let plays = rows
            .into_iter()
            .filter_map(|row| {
                let trigger = trigger_of(&row)?;
                let criteria = match &trigger {
                    PlayTrigger::Event {
                        criteria: Some(json),
                        ..
                    } => Some(Criteria::parse(json).ok()?),
                    _ => None,
                };
                let steps = steps_of(cadences.get(&row.cadence_id)?);
                let asset = asset_ids_of(&row)
                    .first()
                    .and_then(|id| assets.get(id).cloned());
                Some(LoadedPlay {
                    row,
                    trigger,
                    criteria,
                    steps,
                    asset,
                })
            })
            .collect();
        Ok(Self { plays })
    }

    pub fn is_empty(&self) -> bool {
        self.plays.is_empty()
    }

    /// Whether any active play listens for lifecycle moments of this kind (saves the caller
    /// building views when none does).
    pub fn wants(&self, probe: impl Fn(&PlayTrigger) -> bool) -> bool {
        self.plays.iter().any(|p| probe(&p.trigger))
    }

    /// What the lead intel suggests for `ask`: the highest-priority play its signals fire (ties as
    /// [`select`] breaks them), with the play's first asset.
    pub fn suggest(&self, ask: &Ask<'_>) -> Option<(IntelPlay, Option<IntelAsset>)> {
        self.fired(ask)
            .into_iter()
            .min_by(|a, b| {
                b.row
                    .priority
                    .cmp(&a.row.priority)
                    .then(a.row.id.cmp(&b.row.id))
            })
            .map(|p| {
                let play = IntelPlay {
                    id: p.row.id,
                    name: p.row.name.clone(),
                };
                (play, p.asset.clone())
            })
    }

    /// Enrolls `lead` in the plays `signals` fire, honouring priority and exclusivity. A lead
    /// without an owner, opted out or disqualified enters no play. `signal_key` names a
    /// background signal (a stalled or lost deal) so it enrolls once however often it is seen.
    /// Returns the enrollments made.
    #[allow(clippy::too_many_arguments)]
    pub async fn enroll<C: ConnectionTrait>(
        &self,
        tenant: &Tenant<'_, C>,
        lead: &contact::Model,
        view: &LeadView<'_>,
        signals: &[Signal<'_>],
        signal_key: Option<&str>,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<enrollment::Model>> {
        let ask = Ask {
            lead,
            view: *view,
            signals,
            signal_key,
        };
        self.enroll_many(tenant, &[ask], calendar, now).await
    }

    /// [`PlayEngine::enroll`] for a batch of leads, in a constant number of statements: the
    /// leads' running enrollments and the signal keys already used are read once, the
    /// enrollments and their tasks written with one insert each.
    pub async fn enroll_many<C: ConnectionTrait>(
        &self,
        tenant: &Tenant<'_, C>,
        asks: &[Ask<'_>],
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<enrollment::Model>> {
        let fired: Vec<(&Ask<'_>, Vec<&LoadedPlay>)> = asks
            .iter()
            .map(|ask| (ask, self.fired(ask)))
            .filter(|(_, plays)| !plays.is_empty())
            .collect();
        if fired.is_empty() {
            return Ok(Vec::new());
        }
        let lead_ids: Vec<Uuid> = fired.iter().map(|(ask, _)| ask.lead.id).collect();
        let mut running: HashMap<Uuid, Vec<enrollment::Model>> = HashMap::new();
        for row in store::enrollments::active_of_leads(tenant, &lead_ids).await? {
            running.entry(row.contact_id).or_default().push(row);
        }
        let keys: Vec<String> = fired
            .iter()
            .flat_map(|(ask, plays)| plays.iter().filter_map(|p| key_of(ask, p)))
            .collect();
        let seen: HashSet<(Uuid, Option<String>)> =
            store::enrollments::with_signal_keys(tenant, keys)
                .await?
                .into_iter()
                .map(|e| (e.play_id, e.signal_key))
                .collect();
        let mut made = Vec::new();
        let mut tasks = Vec::new();
        for (ask, plays) in &fired {
            let owner = ask.lead.owner_id.expect("only owned leads fire plays");
            let candidates: Vec<Candidate> = plays
                .iter()
                .filter(|p| {
                    let key = key_of(ask, p);
                    key.is_none() || !seen.contains(&(p.row.id, key))
                })
                .map(|p| Candidate {
                    play_id: p.row.id,
                    priority: p.row.priority,
                    exclusive: p.row.exclusive,
                })
                .collect();
            let running = running.get(&ask.lead.id).map_or(&[][..], Vec::as_slice);
            let chosen = select(
                &candidates,
                &Running {
                    play_ids: running.iter().map(|e| e.play_id).collect(),
                    has_exclusive: running.iter().any(|e| e.exclusive),
                },
            );
            for play_id in chosen {
                let play = plays
                    .iter()
                    .find(|p| p.row.id == play_id)
                    .expect("chosen among the fired plays");
                let key = key_of(ask, play);
                let (row, steps) = start(tenant, play, ask.lead.id, owner, key, calendar, now);
                made.push(row);
                tasks.extend(steps);
            }
        }
        store::enrollments::insert_many(tenant, made.clone()).await?;
        store::tasks::insert_many(tenant, tasks).await?;
        Ok(made)
    }

    /// The plays the signals of `ask` fire, if its lead may enter plays at all.
    fn fired(&self, ask: &Ask<'_>) -> Vec<&LoadedPlay> {
        let lead = ask.lead;
        if lead.owner_id.is_none()
            || self.plays.is_empty()
            || lead.opted_out_at.is_some()
            || matches!(lead.stage, LeadStage::Disqualified | LeadStage::Customer)
        {
            return Vec::new();
        }
        self.plays
            .iter()
            .filter(|p| {
                ask.signals.iter().any(|s| {
                    // Event criteria may test the event itself (`event.type`, properties).
                    let view = match s {
                        Signal::Event {
                            event_type,
                            properties,
                        } => LeadView {
                            event: Some(EventView {
                                event_type,
                                properties,
                            }),
                            ..ask.view
                        },
                        _ => ask.view,
                    };
                    p.trigger.fires(p.criteria.as_ref(), s, &view)
                })
            })
            .collect()
    }
}

/// A lead that something happened to, for [`PlayEngine::enroll_many`].
pub struct Ask<'a> {
    pub lead: &'a contact::Model,
    pub view: LeadView<'a>,
    pub signals: &'a [Signal<'a>],
    pub signal_key: Option<&'a str>,
}

/// The key that keeps `play` from enrolling the lead twice for one signal, if it has one.
fn key_of(ask: &Ask<'_>, play: &LoadedPlay) -> Option<String> {
    ask.signal_key.map(str::to_owned).or_else(|| {
        play.trigger
            .once_per_lead()
            .then(|| format!("lead:{}", ask.lead.id))
    })
}

/// The enrollment and one task per cadence step, to write.
fn start<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    play: &LoadedPlay,
    lead_id: Uuid,
    owner: Uuid,
    signal_key: Option<String>,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> (enrollment::Model, Vec<task::ActiveModel>) {
    let workspace_id = tenant.workspace_id();
    let row = enrollment::Model {
        id: Uuid::now_v7(),
        workspace_id,
        play_id: play.row.id,
        contact_id: lead_id,
        owner_id: owner,
        status: EnrollmentStatus::Active,
        exclusive: play.row.exclusive,
        signal_key,
        enrolled_at: now,
        ends_at: Some(ends_at(calendar, now, &play.steps)),
        first_touch_at: None,
        ended_at: None,
        end_reason: None,
    };
    let due = schedule(calendar, now, &play.steps);
    let tasks: Vec<task::ActiveModel> = play
        .steps
        .iter()
        .zip(due)
        .enumerate()
        .map(|(i, (step, due_at))| task::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            enrollment_id: Set(row.id),
            play_id: Set(play.row.id),
            contact_id: Set(lead_id),
            assignee_id: Set(owner),
            step: Set(i as i32 + 1),
            day_offset: Set(step.day_offset as i32),
            channel: Set(step.channel),
            theme: Set(step.theme),
            asset_id: Set(step.asset_id),
            instructions: Set(step.instructions.clone()),
            due_at: Set(due_at),
            status: Set(TaskStatus::Open),
            notified_at: Set(None),
            completed_at: Set(None),
            completed_by: Set(None),
        })
        .collect();
    (row, tasks)
}

pub async fn active_enrollments<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
) -> AppResult<Vec<enrollment::Model>> {
    store::enrollments::active_of_lead(tenant, lead_id).await
}

/// Ends the given enrollments with `status` and `reason`, cancelling their open tasks.
pub async fn end<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    enrollment_ids: &[Uuid],
    status: EnrollmentStatus,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if enrollment_ids.is_empty() {
        return Ok(());
    }
    store::enrollments::end(tenant, enrollment_ids, status, reason, now).await?;
    store::tasks::cancel_open_of_enrollments(tenant, enrollment_ids).await
}

/// Stops every play the lead is running (it was rejected, recycled, disqualified, converted or
/// asked not to be contacted).
pub async fn stop_all<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let ids: Vec<Uuid> = active_enrollments(tenant, lead_id)
        .await?
        .iter()
        .map(|e| e.id)
        .collect();
    end(tenant, &ids, EnrollmentStatus::Stopped, reason, now).await
}

/// The lead changed hands: its running plays and open tasks go with it.
pub async fn reassign<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
    owner: Uuid,
) -> AppResult<()> {
    store::enrollments::reassign_active(tenant, lead_id, owner).await?;
    store::tasks::reassign_open(tenant, lead_id, owner).await
}

/// Enrolls one lead in the plays a background signal fires (a stalled or lost deal), once per
/// `signal_key`. Does nothing when no active play listens for it.
pub async fn signal_lead<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
    signal: Signal<'_>,
    signal_key: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<enrollment::Model>> {
    let engine = PlayEngine::load(tenant).await?;
    // Background signals fire on the trigger's kind alone, whatever the lead looks like.
    let probe = LeadView {
        account: None,
        contact: &Default::default(),
        fit_score: None,
        score: None,
        engagement_score: None,
        pql_score: None,
        stage: None,
        source: None,
        source_detail: None,
        event: None,
    };
    if !engine.wants(|t| t.fires(None, &signal, &probe)) {
        return Ok(Vec::new());
    }
    let lead = tenant.get::<contact::Entity>(lead_id).await?;
    let account = match lead.account_id {
        Some(id) => tenant
            .get_many::<entity::account::Entity>(&[id])
            .await?
            .pop(),
        None => None,
    };
    let account_facts = account.as_ref().map(crate::services::fit::account_view);
    let sources = crate::services::fit::source_names(tenant, &[&lead]).await?;
    let contact_facts =
        crate::services::fit::contact_view(&lead, crate::services::fit::source_of(&lead, &sources));
    let view = crate::services::fit::lead_view(&lead, &contact_facts, account_facts.as_ref());
    let (_, terms) = crate::services::contracts::active_terms(tenant).await?;
    engine
        .enroll(
            tenant,
            &lead,
            &view,
            &[signal],
            Some(signal_key),
            &terms.slas.calendar,
            now,
        )
        .await
}

/// An asset as the lead intel names it.
pub fn intel_asset(a: asset::Model) -> IntelAsset {
    IntelAsset {
        id: a.id,
        name: a.name,
        kind: a.kind,
        funnel_stage: a.funnel_stage,
        url: a.url,
    }
}
