//! A play's live figures, from its enrollments, the touches logged under it and the stage
//! history of its leads (not from counters).

use std::collections::{HashMap, HashSet};

use entity::{enrollment, stage_change, touch, EnrollmentStatus, LeadStage, TouchOutcome};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    domain::plays::{EnrollmentFacts, PlayFigures},
    error::AppResult,
    store::Tenant,
};

pub async fn of_play<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    play_id: Uuid,
) -> AppResult<PlayFigures> {
    let enrollments = tenant
        .select::<enrollment::Entity>()
        .filter(enrollment::Column::PlayId.eq(play_id))
        .all(tenant.conn())
        .await?;
    if enrollments.is_empty() {
        return Ok(PlayFigures::from_enrollments(&[]));
    }
    let replied: HashSet<Option<Uuid>> = tenant
        .select::<touch::Entity>()
        .filter(touch::Column::PlayId.eq(play_id))
        .filter(touch::Column::Outcome.is_in([TouchOutcome::Replied, TouchOutcome::MeetingBooked]))
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|t| t.enrollment_id)
        .collect();
    let leads: Vec<Uuid> = enrollments.iter().map(|e| e.contact_id).collect();
    let mut qualified_at: HashMap<Uuid, Vec<chrono::DateTime<chrono::Utc>>> = HashMap::new();
    for chunk in leads.chunks(500) {
        for change in tenant
            .select::<stage_change::Entity>()
            .filter(stage_change::Column::ContactId.is_in(chunk.iter().copied()))
            .filter(stage_change::Column::ToStage.is_in([LeadStage::Sql, LeadStage::Opportunity]))
            .all(tenant.conn())
            .await?
        {
            qualified_at
                .entry(change.contact_id)
                .or_default()
                .push(change.changed_at);
        }
    }
    let facts: Vec<EnrollmentFacts> = enrollments
        .iter()
        .map(|e| EnrollmentFacts {
            enrolled_at: e.enrolled_at,
            active: e.status == EnrollmentStatus::Active,
            first_touch_at: e.first_touch_at,
            replied: replied.contains(&Some(e.id)),
            qualified: qualified_at
                .get(&e.contact_id)
                .is_some_and(|at| at.iter().any(|t| *t >= e.enrolled_at)),
        })
        .collect();
    Ok(PlayFigures::from_enrollments(&facts))
}
