//! Who is in the demo: the revenue team, the companies it sells to and the people there. Pure
//! and drawn from a seeded generator, so one seed always gives the same cast.

use entity::Role;
use rand::{rngs::StdRng, seq::IndexedRandom, RngExt as _};

pub const SMB: &str = "SMB";
pub const MID_MARKET: &str = "MID_MARKET";
pub const ENTERPRISE: &str = "ENTERPRISE";

/// The domain every demo person's email is at.
pub const TEAM_DOMAIN: &str = "lumen-demo.example";

const FIRST_NAMES: &[&str] = &[
    "Ava", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Isla", "Jonas", "Kira",
    "Liam", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
    "Wes", "Xena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Dev", "Eitan", "Fatima", "Gabe",
    "Hana", "Ivan", "Jada", "Kofi", "Lena", "Mateo", "Noor", "Oscar", "Paula", "Rafael", "Sofia",
    "Theo", "Uma", "Victor", "Wanda", "Yara", "Zane",
];
const LAST_NAMES: &[&str] = &[
    "Adams", "Baker", "Cruz", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
    "Khan", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi", "Schmidt",
    "Tanaka", "Urban", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Novak", "Silva", "Costa",
    "Murphy",
];
const COMPANY_STEMS: &[&str] = &[
    "Acorn",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Fable",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lattice",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quarry",
    "Ridge",
    "Summit",
    "Tidal",
    "Umber",
    "Vertex",
    "Willow",
    "Xylo",
    "Yonder",
    "Zephyr",
    "Atlas",
    "Birch",
    "Cinder",
    "Drift",
    "Echo",
    "Falcon",
    "Glacier",
    "Helix",
    "Indigo",
    "Jasper",
    "Keystone",
    "Lumina",
    "Maple",
    "Northstar",
    "Onyx",
    "Prism",
    "Quill",
    "Redwood",
    "Sable",
];
const COMPANY_SUFFIXES: &[&str] = &[
    "Labs",
    "Systems",
    "Health",
    "Logistics",
    "Pay",
    "Cloud",
    "Retail",
    "Works",
    "Media",
    "Analytics",
    "Bank",
    "Foods",
    "Energy",
    "Learning",
];
const INDUSTRIES: &[(&str, u32)] = &[
    ("Software", 30),
    ("Fintech", 15),
    ("Healthcare", 12),
    ("Retail", 12),
    ("Manufacturing", 10),
    ("Logistics", 8),
    ("Media", 7),
    ("Education", 6),
];
const COUNTRIES: &[(&str, u32)] = &[
    ("US", 45),
    ("GB", 15),
    ("DE", 10),
    ("CA", 10),
    ("FR", 8),
    ("AU", 7),
    ("NL", 5),
];
const TECHNOLOGIES: &[&str] = &["Salesforce", "HubSpot", "Snowflake", "Segment", "Marketo"];

/// Titles buyers hold, with the persona and seniority Accord records, and how often they show up.
pub const TITLES: &[(&str, &str, &str, u32)] = &[
    ("VP of Marketing", "Marketing leader", "VP", 8),
    ("Head of Revenue Operations", "RevOps", "Director", 10),
    ("Director of Sales", "Sales leader", "Director", 8),
    ("Chief Revenue Officer", "Sales leader", "C-level", 3),
    ("Marketing Operations Manager", "RevOps", "Manager", 12),
    ("Demand Generation Manager", "Marketer", "Manager", 12),
    ("Sales Development Manager", "Sales leader", "Manager", 8),
    ("Data Analyst", "Analyst", "Individual contributor", 12),
    ("CFO", "Finance", "C-level", 4),
    (
        "Software Engineer",
        "Engineer",
        "Individual contributor",
        10,
    ),
    ("Marketing Intern", "Marketer", "Intern", 5),
    ("Account Executive", "Seller", "Individual contributor", 8),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The segment a seller or sales manager covers.
    pub team: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub name: String,
    pub domain: String,
    pub industry: &'static str,
    pub employees: i32,
    pub country: &'static str,
    pub segment: &'static str,
    pub technologies: Vec<&'static str>,
    /// Named accounts go to their owner whatever the rules say.
    pub named: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Buyer {
    pub name: String,
    pub email: String,
    pub title: &'static str,
    pub persona: &'static str,
    pub seniority: &'static str,
}

/// The 50 people of the revenue team: the OWNER (head of revenue operations, who set Accord up)
/// first, then both leaders who sign the contract, revops, marketers, four sales teams and two
/// viewers.
pub fn team(rng: &mut StdRng) -> Vec<Person> {
    let mut names = distinct_names(rng, 50);
    let mut people = Vec::with_capacity(50);
    let mut add = |role: Role, team: Option<&'static str>| {
        let (first, last) = names.remove(0);
        people.push(Person {
            email: format!(
                "{}.{}@{TEAM_DOMAIN}",
                first.to_lowercase(),
                last.to_lowercase()
            ),
            name: format!("{first} {last}"),
            role,
            team,
        });
    };
    add(Role::Owner, None);
    add(Role::MarketingLeader, None);
    add(Role::SalesLeader, None);
    for _ in 0..2 {
        add(Role::Revops, None);
    }
    for _ in 0..9 {
        add(Role::Marketer, None);
    }
    for (segment, reps) in [
        (SMB, 10),
        (MID_MARKET, 10),
        (ENTERPRISE, 5),
        (ENTERPRISE, 5),
    ] {
        add(Role::SalesManager, Some(segment));
        for _ in 0..reps {
            add(Role::Rep, Some(segment));
        }
    }
    for _ in 0..2 {
        add(Role::Viewer, None);
    }
    people
}

fn distinct_names(rng: &mut StdRng, n: usize) -> Vec<(&'static str, &'static str)> {
    let mut names: Vec<(&str, &str)> = Vec::with_capacity(n);
    while names.len() < n {
        let first = *FIRST_NAMES.choose(rng).expect("names");
        let last = *LAST_NAMES.choose(rng).expect("names");
        if !names.iter().any(|(f, l)| *f == first && *l == last) {
            names.push((first, last));
        }
    }
    names
}

/// `n` companies (at most two thirds of the names we can make) with distinct domains; about half SMB, a third mid-market, the rest
/// enterprise, some enterprise ones named accounts.
pub fn companies(rng: &mut StdRng, n: usize) -> Vec<Company> {
    assert!(
        n * 3 <= COMPANY_STEMS.len() * COMPANY_SUFFIXES.len() * 2,
        "room for {n} distinct names"
    );
    let mut companies: Vec<Company> = Vec::with_capacity(n);
    while companies.len() < n {
        let stem = *COMPANY_STEMS.choose(rng).expect("stems");
        let suffix = *COMPANY_SUFFIXES.choose(rng).expect("suffixes");
        let name = format!("{stem} {suffix}");
        let domain = format!("{}.example", name.to_lowercase().replace(' ', "-"));
        if companies.iter().any(|c| c.domain == domain) {
            continue;
        }
        let employees = match rng.random_range(0..100) {
            0..=49 => rng.random_range(10..200),
            50..=82 => rng.random_range(200..1_000),
            _ => rng.random_range(1_000..20_000),
        };
        let segment = segment_of(employees);
        let technologies = TECHNOLOGIES
            .iter()
            .copied()
            .filter(|_| rng.random_bool(0.35))
            .collect();
        companies.push(Company {
            name,
            domain,
            industry: weighted(rng, INDUSTRIES),
            employees,
            country: weighted(rng, COUNTRIES),
            segment,
            technologies,
            named: segment == ENTERPRISE && rng.random_bool(0.3),
        });
    }
    companies
}

pub fn segment_of(employees: i32) -> &'static str {
    match employees {
        ..200 => SMB,
        200..1_000 => MID_MARKET,
        _ => ENTERPRISE,
    }
}

/// A person at `company`.
pub fn buyer(rng: &mut StdRng, company: &Company, personal_email: bool) -> Buyer {
    let first = *FIRST_NAMES.choose(rng).expect("names");
    let last = *LAST_NAMES.choose(rng).expect("names");
    let (title, persona, seniority, _) = *TITLES
        .choose_weighted(rng, |t| t.3)
        .expect("weights are positive");
    let tag = rng.random_range(1..1_000);
    let email = if personal_email {
        format!(
            "{}.{}{tag}@gmail.com",
            first.to_lowercase(),
            last.to_lowercase()
        )
    } else {
        format!(
            "{}.{}{tag}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            company.domain
        )
    };
    Buyer {
        name: format!("{first} {last}"),
        email,
        title,
        persona,
        seniority,
    }
}

/// One of `options`, drawn by weight.
pub fn weighted<T: Copy>(rng: &mut StdRng, options: &[(T, u32)]) -> T {
    options
        .choose_weighted(rng, |o| o.1)
        .expect("weights are positive")
        .0
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn one_seed_gives_one_cast() {
        let cast = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (team(&mut rng), companies(&mut rng, 50))
        };
        assert_eq!(cast(7), cast(7));
        assert_ne!(cast(7).1, cast(8).1);
    }

    #[test]
    fn the_team_has_fifty_people_and_both_signers() {
        let mut rng = StdRng::seed_from_u64(1);
        let team = team(&mut rng);
        assert_eq!(team.len(), 50);
        assert_eq!(team[0].role, Role::Owner);
        let count = |role| team.iter().filter(|p| p.role == role).count();
        assert_eq!(count(Role::MarketingLeader), 1);
        assert_eq!(count(Role::SalesLeader), 1);
        assert_eq!(count(Role::Rep), 30);
        let mut emails: Vec<_> = team.iter().map(|p| &p.email).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), 50, "distinct people");
    }

    #[test]
    fn companies_have_distinct_domains_and_every_segment() {
        let mut rng = StdRng::seed_from_u64(3);
        let companies = companies(&mut rng, 300);
        let mut domains: Vec<_> = companies.iter().map(|c| c.domain.clone()).collect();
        domains.sort();
        domains.dedup();
        assert_eq!(domains.len(), 300);
        for segment in [SMB, MID_MARKET, ENTERPRISE] {
            assert!(companies.iter().any(|c| c.segment == segment), "{segment}");
        }
        assert!(companies
            .iter()
            .all(|c| c.segment == segment_of(c.employees)));
    }
}
