//! A lead's engagement events: ~6 for a lead that stayed a LEAD, ~20 for one that became an
//! MQL (one of them at the moment it qualified), ~10 on average, spread over its active time.

use chrono::{DateTime, Duration, Utc};
use entity::event;
use serde_json::json;

use super::{
    batch::Batch,
    lead::{AccountRef, Gen, Sim},
    Draw,
};

const TYPES: &[&str] = &[
    "session",
    "email_open",
    "email_open",
    "session",
    "email_click",
    "pricing_page_visit",
    "case_study_download",
    "webinar_attended",
    "content_download",
];

impl Gen<'_> {
    /// Writes lead number `n`'s events; returns the last one's time.
    pub(super) fn events(
        &mut self,
        n: u64,
        s: &Sim,
        account: &AccountRef,
        batch: &mut Batch,
    ) -> DateTime<Utc> {
        let now = self.world.now;
        let count = match s.first_mql {
            Some(_) => 12 + self.rng.below(17),
            None => 1 + self.rng.below(11),
        };
        // Active from creation to two months after its last move, never past `now`.
        let end = (s.at + Duration::days(60)).min(now);
        let span = (end - s.created).num_seconds().max(1);
        let mut last = s.created;
        for k in 0..count {
            let (at, kind, campaign) = match (k, s.first_mql) {
                (0, _) => (s.created, "form_submission", None),
                (1, Some(mql)) => (mql, "demo_request", s.campaign),
                _ => {
                    let at = s.created + Duration::seconds(self.rng.below(span as u64) as i64);
                    let campaign = match s.campaign {
                        Some(c) if self.rng.chance(0.5) => Some(c),
                        _ if self.rng.chance(0.25) => {
                            Some(self.world.campaign_of(s.source, self.rng.next()))
                        }
                        _ => None,
                    };
                    (at, *self.rng.pick(TYPES), campaign)
                }
            };
            last = last.max(at);
            batch.events.push(event::Model {
                id: self.ids.next(),
                workspace_id: self.world.workspace_id,
                // Zero-padded, so the unique index on keys is appended to.
                idempotency_key: format!("m{n:09}-{k:02}"),
                payload_hash: format!(
                    "{:016x}{:016x}{:016x}{:016x}",
                    self.rng.next(),
                    self.rng.next(),
                    self.rng.next(),
                    self.rng.next()
                ),
                event_type: kind.to_owned(),
                occurred_at: at,
                contact_id: s.id,
                account_id: Some(account.id),
                source_id: Some(s.source),
                campaign_id: campaign,
                asset_id: None,
                properties: json!({}),
                received_at: at + Duration::seconds(1),
            });
        }
        last
    }
}
