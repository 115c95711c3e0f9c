//! Cadences as GraphQL sees them: the stored steps out, the drafted steps in.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{cadence, Channel, MessageTheme};
use uuid::Uuid;

use crate::{
    domain::{plays::CadenceStep as StepSpec, validate},
    error::AppError,
    graphql::{
        catalog::Asset,
        loaders::{load_one, Loaders},
    },
    services::plays::cadences::{steps_of, CadenceDraft, CadencePatch},
    store::parse_id,
};

/// One touch of a cadence.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CadenceStep {
    /// Business days after enrollment (0: the day of it).
    pub day_offset: i32,
    pub channel: Channel,
    pub theme: MessageTheme,
    #[graphql(skip)]
    pub asset_id: Option<Uuid>,
    pub instructions: Option<String>,
}

#[async_graphql::ComplexObject]
impl CadenceStep {
    async fn asset(&self, ctx: &Context<'_>) -> Result<Option<Asset>> {
        let Some(id) = self.asset_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().assets(), id)
            .await?
            .map(Asset))
    }
}

impl From<StepSpec> for CadenceStep {
    fn from(step: StepSpec) -> Self {
        Self {
            day_offset: step.day_offset as i32,
            channel: step.channel,
            theme: step.theme,
            asset_id: step.asset_id,
            instructions: step.instructions,
        }
    }
}

/// Ordered touches on business days, in the workspace calendar of the active contract.
pub struct Cadence(pub cadence::Model);

#[Object]
impl Cadence {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn steps(&self) -> Vec<CadenceStep> {
        steps_of(&self.0).into_iter().map(Into::into).collect()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(InputObject)]
pub struct CadenceStepInput {
    pub day_offset: i32,
    pub channel: Channel,
    pub theme: MessageTheme,
    pub asset_id: Option<ID>,
    pub instructions: Option<String>,
}

#[derive(InputObject)]
pub struct CadenceInput {
    pub name: String,
    pub description: Option<String>,
    /// At least one; day offsets never go back.
    pub steps: Vec<CadenceStepInput>,
}

#[derive(InputObject)]
pub struct UpdateCadenceInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub steps: Option<Vec<CadenceStepInput>>,
}

fn steps_input(steps: Vec<CadenceStepInput>) -> Result<Vec<StepSpec>, AppError> {
    steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let day_offset = u32::try_from(s.day_offset).map_err(|_| {
                AppError::bad_input(format!("input.steps[{i}].dayOffset"), "must be 0 or more")
            })?;
            let asset_id = s
                .asset_id
                .map(|raw| {
                    parse_id(&raw, "asset")
                        .map_err(|e| e.at_field(format!("input.steps[{i}].assetId")))
                })
                .transpose()?;
            Ok(StepSpec {
                day_offset,
                channel: s.channel,
                theme: s.theme,
                asset_id,
                instructions: s.instructions.map(|t| t.trim().to_owned()),
            })
        })
        .collect()
}

impl CadenceInput {
    pub(super) fn into_draft(self) -> Result<CadenceDraft, AppError> {
        Ok(CadenceDraft {
            name: validate::required_text(&self.name, "input.name", 200)?,
            description: validate::optional_text(self.description.as_deref(), "input.description")?,
            steps: steps_input(self.steps)?,
        })
    }
}

impl UpdateCadenceInput {
    pub(super) fn into_patch(self) -> Result<CadencePatch, AppError> {
        Ok(CadencePatch {
            name: self
                .name
                .map(|n| validate::required_text(&n, "input.name", 200))
                .transpose()?,
            description: self
                .description
                .map(|d| validate::optional_text(Some(&d), "input.description"))
                .transpose()?,
            steps: self.steps.map(steps_input).transpose()?,
        })
    }
}
