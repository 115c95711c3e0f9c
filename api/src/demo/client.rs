//! The demo acts through the real GraphQL schema, in process, as the people of the team: every
//! row it makes went through the same resolvers, checks and transactions as a request would.

use async_graphql::{Request, Variables};
use chrono::{Duration, Utc};
use entity::Role;
use serde_json::Value;
use uuid::Uuid;

use super::DemoError;
use crate::{
    auth::{Actor, Credential},
    graphql::{
        context::{RequestActor, RequestMeta},
        in_process_schema,
        loaders::Loaders,
        AccordSchema,
    },
    state::AppState,
};

pub struct Api {
    schema: AccordSchema,
    state: AppState,
}

/// One member of the demo team, acting in the demo workspace.
#[derive(Clone)]
pub struct Member {
    pub user_id: Uuid,
    pub role: Role,
    pub team: Option<&'static str>,
    actor: Actor,
}

impl Member {
    pub fn new(user_id: Uuid, workspace_id: Uuid, person: &super::cast::Person) -> Self {
        Self {
            user_id,
            role: person.role,
            team: person.team,
            actor: Actor {
                credential: Credential::User {
                    user_id,
                    session_id: Uuid::nil(),
                    expires_at: Utc::now() + Duration::days(1),
                },
                workspace_id: Some(workspace_id),
                role: Some(person.role),
                scopes: Vec::new(),
            },
        }
    }
}

impl Api {
    pub fn new(state: &AppState) -> Self {
        Self {
            schema: in_process_schema(state),
            state: state.clone(),
        }
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs `document` as `member`; the data, or the first error with its code.
    pub async fn run(
        &self,
        member: &Member,
        document: &str,
        variables: Value,
    ) -> Result<Value, DemoError> {
        let request = Request::new(document)
            .variables(Variables::from_json(variables))
            .data(RequestActor(Some(member.actor.clone())))
            .data(RequestMeta::new("demo".to_owned(), "demo".to_owned()))
            .data(Loaders::new(&self.state.store, member.actor.workspace_id));
        let response = self.schema.execute(request).await;
        if let Some(error) = response.errors.first() {
            let code = error
                .extensions
                .as_ref()
                .and_then(|e| e.get("code"))
                .and_then(|code| match code {
                    async_graphql::Value::String(code) => Some(code.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            return Err(DemoError::Refused {
                operation: operation_name(document),
                code,
                message: error.message.clone(),
            });
        }
        Ok(response.data.into_json()?)
    }
}

/// The first field a document selects: enough to say which call failed.
fn operation_name(document: &str) -> String {
    let body = document.split_once('{').map_or(document, |(_, rest)| rest);
    body.trim_start()
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_failed_call_is_named_by_its_first_field() {
        assert_eq!(
            super::operation_name("mutation($id: ID!) { acceptLead(id: $id) { id } }"),
            "acceptLead"
        );
        assert_eq!(super::operation_name("{ funnel { stages } }"), "funnel");
    }
}
