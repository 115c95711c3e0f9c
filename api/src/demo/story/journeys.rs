//! Who shows up each day and what they do before a rep hears of them: pure, from the seeded
//! generator. Each source brings its own kind of buyer and its own path to a hand-raise.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use rand::{rngs::StdRng, seq::IndexedRandom, RngExt as _};
use serde_json::{json, Value};

use crate::demo::{
    cast::{self, Company, ENTERPRISE, MID_MARKET},
    setup::SOURCES,
};

/// How often each source brings a prospect.
const SOURCE_WEIGHTS: [(&str, u32); 7] = [
    ("Paid search", 20),
    ("LinkedIn ads", 14),
    ("Organic search", 18),
    ("Webinars", 10),
    ("Content syndication", 16),
    ("Partner referrals", 6),
    ("Product sign-ups", 16),
];

/// One engagement event to send, as `ingestEvents` takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedEvent {
    pub at: DateTime<Utc>,
    pub event_type: &'static str,
    pub email: String,
    pub contact: Value,
    pub source: &'static str,
    /// `webinar` or `ebook`: the campaign and its asset.
    pub campaign: Option<&'static str>,
    pub properties: Value,
}

/// How many prospects arrive on `day`: fewer on weekends, never the same twice in a row.
pub fn arrivals(rng: &mut StdRng, day: NaiveDate, per_working_day: u32) -> u32 {
    let base = if is_weekend(day) {
        per_working_day.div_ceil(3)
    } else {
        per_working_day
    };
    let spread = (base / 3).max(1);
    rng.random_range(base.saturating_sub(spread)..=base + spread)
}

/// One prospect's events, starting on `day`.
pub fn journey(rng: &mut StdRng, companies: &[Company], day: NaiveDate) -> Vec<PlannedEvent> {
    let source = cast::weighted(rng, &SOURCE_WEIGHTS);
    let quality = SOURCES.iter().find(|s| s.0 == source).map_or(0.5, |s| s.2);
    let in_icp = |c: &&Company| {
        (c.segment == MID_MARKET || c.segment == ENTERPRISE)
            && (c.industry == "Software" || c.industry == "Fintech")
    };
    let company = if rng.random_bool(quality) {
        let fits: Vec<&Company> = companies.iter().filter(in_icp).collect();
        *fits.choose(rng).expect("the market has ICP companies")
    } else {
        companies.choose(rng).expect("the market has companies")
    };
    let personal_email = rng.random_bool(0.04);
    let buyer = cast::buyer(rng, company, personal_email);
    let contact = json!({"email": buyer.email, "name": buyer.name, "title": buyer.title,
                         "persona": buyer.persona, "seniority": buyer.seniority});
    let steps = steps_of(rng, source, company);
    let mut at = working_time(rng, day);
    let mut events = Vec::with_capacity(steps.len());
    for (event_type, campaign, properties) in steps {
        events.push(PlannedEvent {
            at,
            event_type,
            email: buyer.email.clone(),
            contact: contact.clone(),
            source,
            campaign,
            properties,
        });
        at = if rng.random_bool(0.5) {
            at + Duration::minutes(rng.random_range(2..50))
        } else {
            let gap = rng.random_range(1..4);
            working_time(rng, working_days_after(at.date_naive(), gap))
        };
    }
    events
}

type Step = (&'static str, Option<&'static str>, Value);

fn steps_of(rng: &mut StdRng, source: &str, company: &Company) -> Vec<Step> {
    // Each path: event types with the chance each happens; a campaign's event always does.
    let (campaign_step, path): (Option<Step>, &[(&'static str, f64)]) = match source {
        "Paid search" => (
            None,
            &[
                ("session", 1.0),
                ("pricing_page_visit", 0.6),
                ("demo_request", 0.3),
            ],
        ),
        "LinkedIn ads" => (
            None,
            &[
                ("session", 1.0),
                ("case_study_download", 0.5),
                ("pricing_page_visit", 0.35),
                ("contact_sales", 0.15),
            ],
        ),
        "Organic search" => (
            None,
            &[
                ("session", 1.0),
                ("session", 0.5),
                ("pricing_page_visit", 0.45),
                ("demo_request", 0.2),
            ],
        ),
        "Webinars" => (
            Some((
                "webinar_attended",
                Some("webinar"),
                json!({"title": "Forecasting without spreadsheets"}),
            )),
            &[
                ("session", 0.5),
                ("pricing_page_visit", 0.4),
                ("demo_request", 0.1),
            ],
        ),
        "Content syndication" => (
            Some((
                "case_study_download",
                Some("ebook"),
                json!({"asset": "playbook"}),
            )),
            &[("session", 0.6), ("pricing_page_visit", 0.5)],
        ),
        "Partner referrals" => (None, &[("session", 1.0), ("contact_sales", 0.7)]),
        _ => (
            None,
            &[
                ("created_first_project", 1.0),
                ("invited_3_teammates", 0.6),
                ("used_core_feature_10_times", 0.5),
                ("pricing_page_visit", 0.5),
                ("demo_request", 0.15),
            ],
        ),
    };
    let mut steps: Vec<Step> = campaign_step.into_iter().collect();
    for (event_type, chance) in path {
        if rng.random_bool(*chance) {
            steps.push((event_type, None, json!({})));
        }
    }
    if company.segment == ENTERPRISE && rng.random_bool(0.2) {
        steps.push((
            "page_view",
            None,
            json!({"url": "https://lumen-demo.example/trust/security"}),
        ));
    }
    steps
}

/// A time in the team's working hours (New York, 09:00 to 17:00; UTC 14:00 to 22:00) on `day`.
pub fn working_time(rng: &mut StdRng, day: NaiveDate) -> DateTime<Utc> {
    let minute = rng.random_range(14 * 60..22 * 60);
    let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, rng.random_range(0..60))
        .expect("a valid time of day");
    day.and_time(time).and_utc()
}

/// The `n`th working day after `day`.
pub fn working_days_after(day: NaiveDate, n: u32) -> NaiveDate {
    let mut day = day;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().expect("dates far from the end of time");
        if !is_weekend(day) {
            left -= 1;
        }
    }
    day
}

pub fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, 2).unwrap()
    }

    #[test]
    fn journeys_are_reproducible_and_in_order() {
        let mut rng = StdRng::seed_from_u64(5);
        let companies = cast::companies(&mut rng, 60);
        let run = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..30)
                .map(|_| journey(&mut rng, &companies, day()))
                .collect::<Vec<_>>()
        };
        let journeys = run(11);
        assert_eq!(journeys, run(11));
        for events in &journeys {
            assert!(!events.is_empty());
            assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
            assert!(events.iter().all(|e| e.at.date_naive() >= day()));
        }
    }

    #[test]
    fn working_days_skip_weekends() {
        let friday = NaiveDate::from_ymd_opt(2026, 9, 4).unwrap();
        assert_eq!(
            working_days_after(friday, 1),
            NaiveDate::from_ymd_opt(2026, 9, 7).unwrap()
        );
        let mut rng = StdRng::seed_from_u64(2);
        let at = working_time(&mut rng, friday);
        assert!((14..22).contains(&chrono::Timelike::hour(&at)));
    }

    #[test]
    fn weekends_bring_fewer_prospects() {
        let mut rng = StdRng::seed_from_u64(9);
        let saturday = NaiveDate::from_ymd_opt(2026, 9, 5).unwrap();
        let weekend: u32 = (0..50).map(|_| arrivals(&mut rng, saturday, 12)).sum();
        let weekday: u32 = (0..50).map(|_| arrivals(&mut rng, day(), 12)).sum();
        assert!(weekend * 2 < weekday, "{weekend} vs {weekday}");
    }
}
