//! The 90 days: an agenda of timed acts (events arriving, reps answering, deals moving, the
//! weekly reviews) played in time order, the clock moved to each act before it runs. Reps'
//! choices are drawn from the seeded generator as the leads reach them.

mod accounts;
mod acts;
mod journeys;
mod meetings;

use std::{collections::BTreeMap, fmt};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;

use super::{
    client::Api,
    plan::World,
    setup::{Catalog, Team},
    DemoArgs, DemoError,
};
use journeys::PlannedEvent;

/// What the story made, for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub prospects: u32,
    pub events: u32,
    pub mqls: u32,
    pub accepted: u32,
    pub rejected: u32,
    pub disputes: u32,
    pub touches: u32,
    pub opportunities: u32,
    pub won: u32,
    pub lost: u32,
    pub reviews: u32,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} prospects, {} events, {} MQLs ({} accepted, {} rejected, {} disputed), {} touches, \
             {} opportunities ({} won, {} lost), {} revenue reviews",
            self.prospects,
            self.events,
            self.mqls,
            self.accepted,
            self.rejected,
            self.disputes,
            self.touches,
            self.opportunities,
            self.won,
            self.lost,
            self.reviews
        )
    }
}

/// A lead as the rep who got it sees it.
#[derive(Debug, Clone)]
pub struct LeadInfo {
    pub id: String,
    pub owner: uuid::Uuid,
    pub hot: bool,
    pub fit: i64,
    pub segment: String,
    pub company: String,
    pub source: String,
}

#[derive(Debug)]
pub enum Act {
    Event(PlannedEvent),
    Respond(LeadInfo),
    Touch {
        lead: LeadInfo,
        outcome: &'static str,
        /// The catalog's asset the rep sends instead of the cadence task's, if any.
        asset: Option<&'static str>,
    },
    Qualify(LeadInfo),
    Convert(LeadInfo),
    Disqualify(LeadInfo),
    Advance {
        deal: String,
        owner: uuid::Uuid,
        stage: &'static str,
    },
    Close {
        deal: String,
        lead: LeadInfo,
        won: bool,
    },
    Dispute {
        lead: LeadInfo,
        rejection: String,
    },
    Resolve {
        lead: LeadInfo,
        rejection: String,
        upheld: bool,
    },
    Jobs,
    Spend {
        month: NaiveDate,
    },
    Review {
        week_of: NaiveDate,
        publish_after: Duration,
    },
    Publish {
        review: String,
    },
    CompleteAction {
        item: String,
        owner: uuid::Uuid,
    },
    MessagingTest,
    Goals,
}

pub struct Story<'a> {
    api: &'a Api,
    team: &'a Team,
    catalog: &'a Catalog,
    rng: StdRng,
    agenda: BTreeMap<(DateTime<Utc>, u64), Act>,
    next: u64,
    seen: std::collections::HashSet<String>,
    counts: Counts,
}

impl Story<'_> {
    fn plan(&mut self, at: DateTime<Utc>, act: Act) {
        self.next += 1;
        self.agenda.insert((at, self.next), act);
    }

    fn now(&self) -> DateTime<Utc> {
        self.api.state().clock.now()
    }
}

pub async fn tell(
    api: &Api,
    world: &World,
    team: &Team,
    catalog: &Catalog,
    args: &DemoArgs,
) -> Result<Counts, DemoError> {
    let start = api.state().clock.now();
    // The story ends at the last midnight: the same seed run twice on one day tells the same
    // story, to the minute.
    let end = start + Duration::days(i64::from(args.days));
    let mut story = Story {
        api,
        team,
        catalog,
        rng: world.story_rng(),
        agenda: BTreeMap::new(),
        next: 0,
        seen: Default::default(),
        counts: Counts::default(),
    };
    let first_day = start.date_naive();
    for offset in 0..args.days {
        let day = first_day + Duration::days(i64::from(offset));
        for _ in 0..journeys::arrivals(&mut story.rng, day, args.leads_per_day) {
            story.counts.prospects += 1;
            for event in journeys::journey(&mut story.rng, &world.companies, day) {
                story.plan(event.at, Act::Event(event));
            }
        }
        if offset == 0 || day.day() == 1 {
            story.plan(
                day.and_hms_opt(13, 0, 0).expect("time").and_utc(),
                Act::Spend { month: day },
            );
        }
    }
    let mut tick = start + Duration::hours(2);
    while tick < end {
        story.plan(tick, Act::Jobs);
        tick += Duration::hours(2);
    }
    story.plan(
        start + Duration::days(20) + Duration::hours(15),
        Act::MessagingTest,
    );
    let this_monday = monday_of(end.date_naive());
    for (weeks_back, late) in [(2, false), (1, true)] {
        let week_of = this_monday - Duration::weeks(weeks_back);
        let publish_after = if late {
            Duration::hours(30)
        } else {
            Duration::hours(3)
        };
        let at = week_of.and_hms_opt(16, 0, 0).expect("time").and_utc();
        story.plan(
            at,
            Act::Review {
                week_of,
                publish_after,
            },
        );
    }
    story.plan(end - Duration::minutes(2), Act::Goals);
    for event in accounts::committee_events(&world.companies, start, end) {
        story.plan(event.at, Act::Event(event));
    }

    while let Some(((at, _), act)) = story.agenda.pop_first() {
        if at >= end {
            break;
        }
        api.state().clock.advance_to(at);
        let outcome = match act {
            Act::Event(first) => {
                let batch = story.take_events(first);
                story.ingest(batch).await
            }
            act => story.act(act).await,
        };
        match outcome {
            Err(err) if err.is_conflict() => tracing::debug!(%err, "the demo skipped a step"),
            other => other?,
        }
    }
    Ok(story.counts)
}

impl Story<'_> {
    /// `first` and the events right after it within the hour: one `ingestEvents` call, as a
    /// partner app batching its sends would make.
    fn take_events(&mut self, first: PlannedEvent) -> Vec<PlannedEvent> {
        let until = first.at + Duration::hours(1);
        let mut batch = vec![first];
        while let Some(entry) = self.agenda.first_entry() {
            if entry.key().0 >= until || !matches!(entry.get(), Act::Event(_)) {
                break;
            }
            if let Act::Event(event) = entry.remove() {
                batch.push(event);
            }
        }
        let last = batch.last().map_or_else(|| self.now(), |e| e.at);
        self.api.state().clock.advance_to(last);
        batch
    }
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use chrono::Datelike as _;

    #[test]
    fn weeks_start_on_monday() {
        let sunday = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(
            super::monday_of(sunday),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
        );
        assert_eq!(
            super::monday_of(sunday - chrono::Duration::days(6)).weekday(),
            chrono::Weekday::Mon
        );
    }
}
