//! An account's buying committee: for each persona of the ICP that scores the account's
//! contacts (LAND for a prospect, EXPAND for a customer, as `fit::motion_of` decides), the
//! contacts of that persona at the account (matched as fit matches them: the contact's persona
//! field, or its title holding every word of the persona), which of them engaged in the last 30
//! and 90 days, which have an owner, and which personas nobody at the account fills.
//!
//! The committee is **covered** when a TRIGGERS persona and an INFLUENCES persona have each
//! engaged in the last 30 days: the one who starts the purchase and one who weighs in are both
//! active, which is when a rep should work the account as a whole (a `COMMITTEE_COVERED` play).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::domain::{
    fit::{has_persona, IcpModel, Motion, PersonaRole},
    views::ContactView,
};

/// "Engaged recently": the window coverage is judged on.
pub const RECENTLY_ENGAGED_DAYS: i64 = 30;
/// The longer window a committee also reports.
pub const ENGAGED_DAYS: i64 = 90;

/// A contact at the account, as the committee sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub contact_id: Uuid,
    pub title: Option<String>,
    pub persona: Option<String>,
    pub owner_id: Option<Uuid>,
    /// The last event that earned positive points.
    pub last_engaged_at: Option<DateTime<Utc>>,
}

/// One persona of the committee and who at the account fills it (contact ids, oldest first as
/// given).
#[derive(Debug, Clone, PartialEq)]
pub struct PersonaSeat {
    pub persona: String,
    pub role: PersonaRole,
    pub present: Vec<Uuid>,
    pub engaged_30d: Vec<Uuid>,
    pub engaged_90d: Vec<Uuid>,
    pub owned: Vec<Uuid>,
}

impl PersonaSeat {
    pub fn is_missing(&self) -> bool {
        self.present.is_empty()
    }
}

/// The committee of one account under one ICP.
#[derive(Debug, Clone, PartialEq)]
pub struct Committee {
    /// The ICP version whose personas these are.
    pub icp: String,
    pub seats: Vec<PersonaSeat>,
}

impl Committee {
    /// A TRIGGERS persona and an INFLUENCES persona each engaged in the last 30 days.
    pub fn covered(&self) -> bool {
        let engaged = |role| {
            self.seats
                .iter()
                .any(|s| s.role == role && !s.engaged_30d.is_empty())
        };
        engaged(PersonaRole::Triggers) && engaged(PersonaRole::Influences)
    }

    /// The personas nobody at the account fills, in ICP order.
    pub fn missing(&self) -> Vec<&PersonaSeat> {
        self.seats.iter().filter(|s| s.is_missing()).collect()
    }

    /// The personas that engaged in the last 30 days, in ICP order.
    pub fn engaged(&self) -> Vec<&PersonaSeat> {
        self.seats
            .iter()
            .filter(|s| !s.engaged_30d.is_empty())
            .collect()
    }

    /// "CFO (INFLUENCES), Procurement (BLOCKS)": the missing personas for a message; "none".
    pub fn missing_text(&self) -> String {
        let missing: Vec<String> = self
            .missing()
            .iter()
            .map(|s| format!("{} ({})", s.persona, role_name(s.role)))
            .collect();
        if missing.is_empty() {
            "none".to_owned()
        } else {
            missing.join(", ")
        }
    }
}

pub fn role_name(role: PersonaRole) -> &'static str {
    match role {
        PersonaRole::Triggers => "TRIGGERS",
        PersonaRole::Influences => "INFLUENCES",
        PersonaRole::Blocks => "BLOCKS",
    }
}

/// Whether `at` lies within the `days` before `now` (a moment stamped a little ahead counts).
pub fn engaged_within(at: Option<DateTime<Utc>>, now: DateTime<Utc>, days: i64) -> bool {
    at.is_some_and(|at| at >= now - Duration::days(days))
}

/// The committee of an account (`customer`: its lifecycle is CUSTOMER) under the active ICP of
/// its motion among `icps`; `None` when no ICP of that motion is active. A contact may fill
/// several personas ("CFO & COO").
pub fn committee_of<'a>(
    icps: impl IntoIterator<Item = &'a IcpModel>,
    customer: bool,
    members: &[Member],
    now: DateTime<Utc>,
) -> Option<Committee> {
    let motion = if customer {
        Motion::Expand
    } else {
        Motion::Land
    };
    let icp = icps.into_iter().find(|icp| icp.motion == motion)?;
    let views: Vec<(&Member, ContactView)> = members
        .iter()
        .map(|m| {
            let view = ContactView {
                title: m.title.clone(),
                persona: m.persona.clone(),
                ..ContactView::default()
            };
            (m, view)
        })
        .collect();
    let seats = icp
        .personas
        .iter()
        .map(|p| {
            let fills: Vec<&Member> = views
                .iter()
                .filter(|(_, view)| has_persona(view, &p.persona))
                .map(|(m, _)| *m)
                .collect();
            let ids = |keep: &dyn Fn(&Member) -> bool| {
                fills
                    .iter()
                    .filter(|m| keep(m))
                    .map(|m| m.contact_id)
                    .collect::<Vec<_>>()
            };
            PersonaSeat {
                persona: p.persona.clone(),
                role: p.role,
                present: ids(&|_| true),
                engaged_30d: ids(&|m| {
                    engaged_within(m.last_engaged_at, now, RECENTLY_ENGAGED_DAYS)
                }),
                engaged_90d: ids(&|m| engaged_within(m.last_engaged_at, now, ENGAGED_DAYS)),
                owned: ids(&|m| m.owner_id.is_some()),
            }
        })
        .collect();
    Some(Committee {
        icp: icp.name.clone(),
        seats,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::fit::{seed_icp, Persona};

    fn icp(motion: Motion) -> IcpModel {
        let persona = |name: &str, role| Persona {
            persona: name.into(),
            role,
        };
        IcpModel {
            name: format!("{motion:?} committee"),
            motion,
            personas: vec![
                persona("VP Sales", PersonaRole::Triggers),
                persona("CFO", PersonaRole::Influences),
                persona("Procurement", PersonaRole::Blocks),
            ],
            ..seed_icp()
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    fn member(n: u128, title: &str, days_ago: Option<i64>, owned: bool) -> Member {
        Member {
            contact_id: Uuid::from_u128(n),
            title: Some(title.into()),
            persona: None,
            owner_id: owned.then(|| Uuid::from_u128(99)),
            last_engaged_at: days_ago.map(|d| now() - Duration::days(d)),
        }
    }

    #[test]
    fn a_half_covered_committee_names_who_fills_what_and_what_is_missing() {
        let members = [
            member(1, "VP of Sales", Some(3), true),
            member(2, "CFO", Some(45), false),
            member(3, "Engineer", Some(1), true),
        ];
        let c = committee_of([&icp(Motion::Land)], false, &members, now()).unwrap();
        assert_eq!(c.icp, "Land committee");
        let seat = |i: usize| &c.seats[i];
        assert_eq!(seat(0).present, [Uuid::from_u128(1)]);
        assert_eq!(seat(0).engaged_30d, [Uuid::from_u128(1)]);
        assert_eq!(seat(0).owned, [Uuid::from_u128(1)]);
        // The CFO engaged 45 days ago: within 90 days, not within 30.
        assert_eq!(seat(1).present, [Uuid::from_u128(2)]);
        assert!(seat(1).engaged_30d.is_empty());
        assert_eq!(seat(1).engaged_90d, [Uuid::from_u128(2)]);
        assert!(seat(1).owned.is_empty());
        assert!(seat(2).is_missing());
        assert_eq!(c.missing_text(), "Procurement (BLOCKS)");
        assert!(!c.covered(), "the influencer is not recent enough");

        let members = [
            member(1, "VP of Sales", Some(3), true),
            member(2, "CFO", Some(30), false),
        ];
        let c = committee_of([&icp(Motion::Land)], false, &members, now()).unwrap();
        assert!(c.covered(), "30 days ago is still within the last 30 days");
        assert_eq!(
            c.engaged()
                .iter()
                .map(|s| s.persona.as_str())
                .collect::<Vec<_>>(),
            ["VP Sales", "CFO"]
        );
    }

    #[test]
    fn the_persona_field_counts_and_one_contact_may_fill_two_seats() {
        let mut buyer = member(4, "Director", Some(2), false);
        buyer.persona = Some("procurement".into());
        let both = member(5, "CFO and VP Sales", Some(2), false);
        let c = committee_of([&icp(Motion::Land)], false, &[buyer, both], now()).unwrap();
        assert_eq!(c.seats[0].present, [Uuid::from_u128(5)]);
        assert_eq!(c.seats[1].present, [Uuid::from_u128(5)]);
        assert_eq!(c.seats[2].present, [Uuid::from_u128(4)]);
        assert!(c.covered());
        assert_eq!(c.missing_text(), "none");
    }

    #[test]
    fn the_motion_picks_the_icp_and_none_without_one() {
        let land = icp(Motion::Land);
        let expand = IcpModel {
            personas: vec![],
            ..icp(Motion::Expand)
        };
        let members = [member(1, "VP Sales", Some(1), true)];
        let c = committee_of([&land, &expand], true, &members, now()).unwrap();
        assert_eq!(c.icp, "Expand committee");
        assert!(c.seats.is_empty() && !c.covered());
        assert_eq!(committee_of([&land], true, &members, now()), None);
        assert_eq!(committee_of([], false, &members, now()), None);
    }

    #[test]
    fn never_engaged_is_not_engaged() {
        assert!(!engaged_within(None, now(), 90));
        assert!(engaged_within(
            Some(now() + Duration::minutes(5)),
            now(),
            30
        ));
        assert!(!engaged_within(Some(now() - Duration::days(31)), now(), 30));
    }
}
