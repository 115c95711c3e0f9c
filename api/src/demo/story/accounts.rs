//! Two named accounts whose buying committees the story works on purpose, so the account views
//! have something to show: at the first, the RevOps head, a data analyst and the VP of Marketing
//! all engage in the last two days (a committee covered, an account in market: a `HOT_ACCOUNT`
//! trigger for its owner); at the second only the RevOps head engages now, the analyst did 45
//! days ago and nobody from finance ever did (a committee half covered). The tour's account is
//! left alone.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::journeys::PlannedEvent;
use crate::demo::cast::Company;

/// The tour's named account (README, "A five-minute tour"): its story stays the tour's.
const TOUR_DOMAIN: &str = "acorn-retail.example";

fn buyer(company: &Company, first: &str, last: &str, title: &str, persona: &str) -> Value {
    json!({"email": format!("{}.{}@{}", first.to_lowercase(), last.to_lowercase(), company.domain),
           "name": format!("{first} {last}"), "title": title, "persona": persona})
}

fn event(at: DateTime<Utc>, event_type: &'static str, contact: &Value) -> PlannedEvent {
    PlannedEvent {
        at,
        event_type,
        email: contact["email"].as_str().unwrap_or_default().to_owned(),
        contact: contact.clone(),
        source: "Organic search",
        campaign: None,
        properties: json!({}),
    }
}

/// The planned events of both accounts that fall in a story from `start` to `end`; none when
/// the market has fewer than two named accounts besides the tour's.
pub fn committee_events(
    companies: &[Company],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<PlannedEvent> {
    let mut named = companies
        .iter()
        .filter(|c| c.named && c.domain != TOUR_DOMAIN);
    let (Some(hot), Some(half)) = (named.next(), named.next()) else {
        return Vec::new();
    };
    let day =
        |days_before: i64, hour: i64| end - Duration::days(days_before) + Duration::hours(hour);
    let revops = buyer(hot, "Riley", "Chen", "Head of Revenue Operations", "RevOps");
    let analyst = buyer(hot, "Sam", "Patel", "Data Analyst", "Analyst");
    let marketing = buyer(hot, "Alex", "Morgan", "VP of Marketing", "Marketing leader");
    let half_revops = buyer(
        half,
        "Jordan",
        "Lee",
        "Head of Revenue Operations",
        "RevOps",
    );
    let half_analyst = buyer(half, "Casey", "Brooks", "Data Analyst", "Analyst");
    vec![
        // 45 days ago: engaged in the last 90 days, not the last 30.
        event(day(45, -10), "webinar_attended", &half_analyst),
        // Two days before the end, the first account's committee shows up together.
        event(day(2, -10), "pricing_page_visit", &revops),
        event(day(2, -9), "case_study_download", &analyst),
        event(day(2, -8), "session", &marketing),
        event(day(2, -7), "session", &marketing),
        event(day(2, -6), "webinar_attended", &analyst),
        event(day(1, -10), "pricing_page_visit", &revops),
        event(day(1, -9), "session", &marketing),
        event(day(1, -8), "demo_request", &revops),
        // The second account: its RevOps head alone, now.
        event(day(1, -7), "pricing_page_visit", &half_revops),
        event(day(1, -6), "case_study_download", &half_revops),
    ]
    .into_iter()
    .filter(|e| e.at >= start)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::cast::companies;

    #[test]
    fn two_named_accounts_other_than_the_tours_get_a_committee() {
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
        let mut market = companies(&mut rng, 400);
        let end = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 6, 0, 0, 0).unwrap();
        let start = end - Duration::days(90);
        let events = committee_events(&market, start, end);
        assert_eq!(events.len(), 11);
        let domains: std::collections::BTreeSet<&str> = events
            .iter()
            .map(|e| e.email.split('@').nth(1).unwrap())
            .collect();
        assert_eq!(domains.len(), 2);
        assert!(!domains.contains(TOUR_DOMAIN));
        assert!(events.iter().all(|e| e.at < end));
        // A short story keeps only what falls inside it.
        let short = committee_events(&market, end - Duration::days(10), end);
        assert_eq!(short.len(), 10);
        for company in &mut market {
            company.named = false;
        }
        assert!(committee_events(&market, start, end).is_empty());
    }
}
