//! A play's live figures, from its enrollments, the touches logged under it and the stage
//! history of its leads (not from counters).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::EnrollmentStatus;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    domain::plays::{EnrollmentFacts, PlayFigures},
    error::AppResult,
    store::{self, Tenant},
};

pub async fn of_play<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    play_id: Uuid,
) -> AppResult<PlayFigures> {
    let enrollments = store::enrollments::of_play(tenant, play_id).await?;
    if enrollments.is_empty() {
        return Ok(PlayFigures::from_enrollments(&[]));
    }
    let replied = store::touches::replied_enrollments(tenant, play_id).await?;
    let leads: Vec<Uuid> = enrollments.iter().map(|e| e.contact_id).collect();
    let mut qualified_at: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for (lead, at) in store::plays::qualified_moves(tenant, &leads).await? {
        qualified_at.entry(lead).or_default().push(at);
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
