//! Cadence steps and when they fall due.

use chrono::{DateTime, Utc};
use entity::{Channel, MessageTheme};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::PlayError;
use crate::domain::calendar::BusinessCalendar;

pub const MAX_STEPS: usize = 30;
/// Half a year of business days: a cadence longer than that is a nurture program, not a play.
pub const MAX_DAY_OFFSET: u32 = 130;
const MAX_INSTRUCTIONS: usize = 2000;

/// One touch of a cadence: on business day `day_offset` after enrollment (0: the day of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CadenceStep {
    pub day_offset: u32,
    pub channel: Channel,
    pub theme: MessageTheme,
    pub asset_id: Option<Uuid>,
    pub instructions: Option<String>,
}

/// At least one step, at most [`MAX_STEPS`], offsets never going back, instructions of a
/// readable length. Asset ids are checked against the workspace by the caller.
pub fn validate_steps(steps: &[CadenceStep]) -> Result<(), PlayError> {
    if steps.is_empty() {
        return Err(PlayError::at("steps", "a cadence needs at least one step"));
    }
    if steps.len() > MAX_STEPS {
        return Err(PlayError::at(
            "steps",
            format!("a cadence has at most {MAX_STEPS} steps"),
        ));
    }
    let mut previous = 0;
    for (i, step) in steps.iter().enumerate() {
        let field = format!("steps[{i}].dayOffset");
        if step.day_offset > MAX_DAY_OFFSET {
            return Err(PlayError::at(
                field,
                format!("must be at most {MAX_DAY_OFFSET} business days"),
            ));
        }
        if step.day_offset < previous {
            return Err(PlayError::at(
                field,
                format!("day offsets never go back: the step before is on day {previous}"),
            ));
        }
        previous = step.day_offset;
        if let Some(text) = &step.instructions {
            if text.trim().is_empty() || text.chars().count() > MAX_INSTRUCTIONS {
                return Err(PlayError::at(
                    format!("steps[{i}].instructions"),
                    format!("must be 1 to {MAX_INSTRUCTIONS} characters when given"),
                ));
            }
        }
    }
    Ok(())
}

fn step(day_offset: u32, channel: Channel, theme: MessageTheme, instructions: &str) -> CadenceStep {
    CadenceStep {
        day_offset,
        channel,
        theme,
        asset_id: None,
        instructions: Some(instructions.to_owned()),
    }
}

/// The template every workspace starts with (seed 000): six touches over two weeks across
/// phone, email and LinkedIn, the messaging moving from thought leadership to customer story to
/// next step, the first inside the 24-48 hour follow-up window.
pub fn seed_steps() -> Vec<CadenceStep> {
    use Channel::{Call, Email, Linkedin};
    use MessageTheme::{CustomerStory, NextStep, ThoughtLeadership};
    vec![
        step(
            0,
            Email,
            ThoughtLeadership,
            "Tailored email tied to the asset they engaged with, not a generic template.",
        ),
        step(
            1,
            Call,
            ThoughtLeadership,
            "Call that extends the asset's narrative; leave a voicemail if there is no answer.",
        ),
        step(
            3,
            Linkedin,
            CustomerStory,
            "Connect on LinkedIn and share a customer story from their industry.",
        ),
        step(
            5,
            Email,
            CustomerStory,
            "Send the case study closest to their company, with one line on why it fits.",
        ),
        step(8, Call, NextStep, "Call to propose a discovery meeting."),
        step(
            10,
            Email,
            NextStep,
            "Offer two times for a discovery call and close the loop.",
        ),
    ]
}

/// When each step falls due for a lead enrolled at `start`: the same local time on the step's
/// business day (a start outside working hours moves to the next opening first).
pub fn schedule(
    calendar: &BusinessCalendar,
    start: DateTime<Utc>,
    steps: &[CadenceStep],
) -> Vec<DateTime<Utc>> {
    steps
        .iter()
        .map(|s| calendar.add_business_days(start, s.day_offset))
        .collect()
}

/// When a play runs out for a lead enrolled at `start`: one business day after its last step,
/// the time a buyer gets to answer the last touch before the lead is recycled.
pub fn ends_at(
    calendar: &BusinessCalendar,
    start: DateTime<Utc>,
    steps: &[CadenceStep],
) -> DateTime<Utc> {
    let last = steps.last().map_or(0, |s| s.day_offset);
    calendar.add_business_days(start, last + 1)
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, TimeZone, Weekday};

    use super::*;
    use crate::domain::contract::Terms;

    fn calendar() -> BusinessCalendar {
        Terms::seed().slas.calendar
    }

    #[test]
    fn the_seed_template_is_six_touches_over_two_weeks_across_three_channels() {
        let steps = seed_steps();
        assert_eq!(steps.len(), 6);
        validate_steps(&steps).unwrap();
        assert_eq!(steps.last().unwrap().day_offset, 10);
        let channels: std::collections::HashSet<_> = steps.iter().map(|s| s.channel).collect();
        assert_eq!(channels.len(), 3);
        assert_eq!(steps[0].theme, MessageTheme::ThoughtLeadership);
        assert_eq!(steps[5].theme, MessageTheme::NextStep);
    }

    #[test]
    fn validation_names_the_step_that_is_wrong() {
        assert_eq!(validate_steps(&[]).unwrap_err().field, "steps");
        let mut steps = seed_steps();
        steps[3].day_offset = 2;
        let err = validate_steps(&steps).unwrap_err();
        assert_eq!(err.field, "steps[3].dayOffset");
        let mut steps = seed_steps();
        steps[1].instructions = Some("  ".into());
        assert_eq!(
            validate_steps(&steps).unwrap_err().field,
            "steps[1].instructions"
        );
        let mut steps = seed_steps();
        steps[5].day_offset = MAX_DAY_OFFSET + 1;
        assert_eq!(
            validate_steps(&steps).unwrap_err().field,
            "steps[5].dayOffset"
        );
    }

    #[test]
    fn steps_fall_on_business_days_over_two_calendar_weeks() {
        // Monday 2026-11-23 10:00 in the seed calendar's zone.
        let cal = calendar();
        let start = cal.add_business_days(Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap(), 0);
        let due = schedule(&cal, start, &seed_steps());
        assert_eq!(due[0], start);
        for at in &due {
            let local = at.with_timezone(&cal.time_zone);
            assert!(
                !matches!(local.weekday(), Weekday::Sat | Weekday::Sun),
                "{local}"
            );
        }
        assert!(due.windows(2).all(|w| w[0] <= w[1]));
        let span = due[5] - due[0];
        assert!(
            span >= chrono::Duration::days(13) && span <= chrono::Duration::days(15),
            "{span}"
        );
        assert!(ends_at(&cal, start, &seed_steps()) > due[5]);
    }
}
