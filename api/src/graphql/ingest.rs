//! `ingestEvents`: partner apps send engagement events in batches.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::context::ContextExt;
use crate::{
    domain::permissions::Permission,
    services::ingest::{self, EventInput, IngestResult},
};

#[derive(SimpleObject)]
pub struct IngestEventsPayload {
    /// One per event, in the order sent.
    pub results: Vec<IngestResult>,
}

#[derive(Default)]
pub struct IngestMutation;

#[Object]
impl IngestMutation {
    /// Records up to 1,000 events, each answered on its own: ACCEPTED, DUPLICATE (same key and
    /// payload as before) or REJECTED with the error (CONFLICT for a key reused with another
    /// payload; BAD_USER_INPUT naming the field). Needs the `events:write` scope.
    async fn ingest_events(
        &self,
        ctx: &Context<'_>,
        events: Vec<EventInput>,
    ) -> Result<IngestEventsPayload> {
        let workspace_id = ctx.actor()?.require(Permission::IngestEvents)?;
        let results = ingest::ingest(ctx.state(), workspace_id, events).await?;
        Ok(IngestEventsPayload { results })
    }
}
