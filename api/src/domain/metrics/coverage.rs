//! The addressable market (issue 20, item 8): how much of the ICP-fit market Accord knows and
//! works, per segment, region or industry, and seed 003's waterfall from the universe down
//! (addressable market -> suspects -> inquiries -> MQL -> SAL -> SQL -> customers) counted
//! from the data, beside `demandWaterfall`'s plan.
//!
//! Definitions:
//! - **ICP-fit** (an account or a contact): its fit score against the active ICP is above 0
//!   and at least the active lead contract's minimum fit (`acceptance.minFit`), the rule the
//!   scoring uses ([`crate::domain::scoring::matches_icp`]). Without an active ICP every fit is
//!   0, and nothing is ICP-fit.
//! - Of the ICP-fit accounts: **engaged** when one of its contacts has an event in the 90 days
//!   before now; **owned** when it has an owner; **in pipeline** when it has an open deal;
//!   **customer** when its lifecycle is CUSTOMER (a won deal makes it one).
//! - **Region** from the account's country (ISO 3166-1 alpha-2, any case): [`region_of`].
//!   An account without a country, or with a code not in the table, is Unattributed.
//! - The waterfall: addressable market = ICP-fit accounts; suspects = ICP-fit contacts at those
//!   accounts; inquiries = suspects with at least one event, ever; MQLs, SALs, SQLs = the
//!   inquiries whose stage history reached that stage or one further down the path (MQL, SAL,
//!   SQL, OPPORTUNITY, CUSTOMER); customers = the addressable accounts that are customers. Each
//!   step is a subset of the one before, counted as of now (people, except the first and last
//!   steps, which count accounts as `demandWaterfall`'s customers do).

use std::collections::BTreeMap;

use entity::LeadStage;

/// A region of the world, from a country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Region {
    /// United States, Canada and the territories around them.
    NorthAmerica,
    /// Mexico, Central and South America, the Caribbean.
    Latam,
    /// Europe, the Middle East and Africa.
    Emea,
    /// Asia and Oceania.
    Apac,
}

impl Region {
    pub fn as_str(self) -> &'static str {
        match self {
            Region::NorthAmerica => "NORTH_AMERICA",
            Region::Latam => "LATAM",
            Region::Emea => "EMEA",
            Region::Apac => "APAC",
        }
    }
}

const NORTH_AMERICA: &[&str] = &["US", "CA", "PR", "GU", "VI", "AS", "MP", "UM", "BM", "PM"];
const LATAM: &[&str] = &[
    "MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA", "CU", "DO", "HT", "JM", "TT", "BS", "BB", "AG",
    "DM", "GD", "KN", "LC", "VC", "AI", "AW", "BQ", "CW", "SX", "KY", "TC", "VG", "MS", "GP", "MQ",
    "BL", "MF", "AR", "BO", "BR", "CL", "CO", "EC", "GY", "PY", "PE", "SR", "UY", "VE", "GF", "FK",
];
const APAC: &[&str] = &[
    "CN", "HK", "MO", "TW", "JP", "KR", "KP", "MN", "IN", "PK", "BD", "LK", "NP", "BT", "MV", "AF",
    "SG", "MY", "ID", "TH", "VN", "PH", "KH", "LA", "MM", "BN", "TL", "AU", "NZ", "PG", "FJ", "SB",
    "VU", "NC", "PF", "WS", "TO", "KI", "TV", "NR", "FM", "MH", "PW", "CK", "NU", "TK", "WF", "KZ",
    "UZ", "TM", "KG", "TJ", "CX", "CC", "NF", "HM", "IO", "PN",
];
const EMEA: &[&str] = &[
    // Europe
    "GB", "IE", "FR", "DE", "NL", "BE", "LU", "CH", "AT", "LI", "MC", "AD", "ES", "PT", "IT", "SM",
    "VA", "MT", "GR", "CY", "DK", "SE", "NO", "FI", "IS", "EE", "LV", "LT", "PL", "CZ", "SK", "HU",
    "SI", "HR", "BA", "RS", "ME", "MK", "AL", "XK", "RO", "BG", "MD", "UA", "BY", "RU", "GE", "AM",
    "AZ", "TR", "GI", "FO", "GL", "AX", "SJ", "JE", "GG", "IM", // Middle East
    "IL", "PS", "JO", "LB", "SY", "IQ", "IR", "SA", "AE", "QA", "BH", "KW", "OM", "YE",
    // Africa
    "EG", "LY", "TN", "DZ", "MA", "EH", "SD", "SS", "ET", "ER", "DJ", "SO", "KE", "UG", "TZ", "RW",
    "BI", "CD", "CG", "GA", "GQ", "CM", "CF", "TD", "NE", "NG", "BJ", "TG", "GH", "CI", "BF", "ML",
    "SN", "GM", "GN", "GW", "SL", "LR", "MR", "CV", "ST", "AO", "ZM", "ZW", "MW", "MZ", "NA", "BW",
    "ZA", "LS", "SZ", "MG", "MU", "SC", "KM", "RE", "YT", "SH",
];

/// The region of an ISO 3166-1 alpha-2 country code (any case, surrounding space ignored).
pub fn region_of(country: &str) -> Option<Region> {
    let code = country.trim().to_ascii_uppercase();
    let code = code.as_str();
    [
        (NORTH_AMERICA, Region::NorthAmerica),
        (LATAM, Region::Latam),
        (EMEA, Region::Emea),
        (APAC, Region::Apac),
    ]
    .into_iter()
    .find(|(codes, _)| codes.contains(&code))
    .map(|(_, region)| region)
}

/// What the market coverage is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverageGroup {
    Segment,
    /// From the account's country ([`region_of`]).
    Region,
    Industry,
}

/// Accounts counted by one value of the grouping's column (the store's rows).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoverageCounts {
    /// Every account known.
    pub accounts: u64,
    /// ICP-fit accounts.
    pub icp_fit: u64,
    /// Of those, engaged in the last 90 days.
    pub engaged: u64,
    /// Of those, with an owner.
    pub owned: u64,
    /// Of those, with an open deal.
    pub in_pipeline: u64,
    /// Of those, customers.
    pub customers: u64,
}

impl CoverageCounts {
    fn add(&mut self, other: &CoverageCounts) {
        self.accounts += other.accounts;
        self.icp_fit += other.icp_fit;
        self.engaged += other.engaged;
        self.owned += other.owned;
        self.in_pipeline += other.in_pipeline;
        self.customers += other.customers;
    }
}

/// The counts of one group; `key` is `None` for the accounts without a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    pub key: Option<String>,
    pub counts: CoverageCounts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub total: CoverageCounts,
    /// Sorted by key, the accounts without a value first.
    pub groups: Vec<CoverageRow>,
}

/// Groups the store's rows, one per value of the grouping's column (the country for REGION,
/// mapped here), into the report's groups and total. Blank values count as none.
pub fn coverage(group: CoverageGroup, rows: &[CoverageRow]) -> Coverage {
    let mut total = CoverageCounts::default();
    let mut groups: BTreeMap<Option<String>, CoverageCounts> = BTreeMap::new();
    for row in rows {
        let value = row.key.as_deref().map(str::trim).filter(|v| !v.is_empty());
        let key = match group {
            CoverageGroup::Region => value.and_then(region_of).map(|r| r.as_str().to_owned()),
            CoverageGroup::Segment | CoverageGroup::Industry => value.map(str::to_owned),
        };
        total.add(&row.counts);
        groups.entry(key).or_default().add(&row.counts);
    }
    Coverage {
        total,
        groups: groups
            .into_iter()
            .map(|(key, counts)| CoverageRow { key, counts })
            .collect(),
    }
}

/// Suspects counted by what they did: whether they have an event, and the furthest stage on
/// the funnel's path their history reached (0 for none past LEAD, 1 MQL .. 5 CUSTOMER).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuspectCount {
    pub inquired: bool,
    pub reached: u8,
    pub count: u64,
}

/// How far along the funnel's path a stay at `stage` takes a lead: 1 MQL, 2 SAL, 3 SQL,
/// 4 OPPORTUNITY, 5 CUSTOMER; 0 for a stage off the path (a lead, nurture, recycled,
/// disqualified). A lead's reach is the furthest of its stays' (`SuspectCount::reached`).
pub fn funnel_reach(stage: LeadStage) -> i16 {
    match stage {
        LeadStage::Mql => 1,
        LeadStage::Sal => 2,
        LeadStage::Sql => 3,
        LeadStage::Opportunity => 4,
        LeadStage::Customer => 5,
        _ => 0,
    }
}

/// Seed 003's waterfall, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketWaterfall {
    pub addressable_market: u64,
    pub suspects: u64,
    pub inquiries: u64,
    pub mqls: u64,
    pub sals: u64,
    pub sqls: u64,
    pub customers: u64,
}

/// The waterfall from the ICP-fit accounts (`addressable`, of which `customers` are
/// customers) and the suspects' counts.
pub fn waterfall(addressable: u64, customers: u64, suspects: &[SuspectCount]) -> MarketWaterfall {
    let count = |keep: &dyn Fn(&SuspectCount) -> bool| {
        suspects.iter().filter(|s| keep(s)).map(|s| s.count).sum()
    };
    MarketWaterfall {
        addressable_market: addressable,
        suspects: count(&|_| true),
        inquiries: count(&|s| s.inquired),
        mqls: count(&|s| s.inquired && s.reached >= 1),
        sals: count(&|s| s.inquired && s.reached >= 2),
        sqls: count(&|s| s.inquired && s.reached >= 3),
        customers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: Option<&str>, counts: [u64; 6]) -> CoverageRow {
        let [accounts, icp_fit, engaged, owned, in_pipeline, customers] = counts;
        CoverageRow {
            key: key.map(str::to_owned),
            counts: CoverageCounts {
                accounts,
                icp_fit,
                engaged,
                owned,
                in_pipeline,
                customers,
            },
        }
    }

    #[test]
    fn countries_map_to_regions() {
        assert_eq!(region_of("US"), Some(Region::NorthAmerica));
        assert_eq!(region_of(" ca "), Some(Region::NorthAmerica));
        assert_eq!(region_of("BR"), Some(Region::Latam));
        assert_eq!(region_of("mx"), Some(Region::Latam));
        assert_eq!(region_of("GB"), Some(Region::Emea));
        assert_eq!(region_of("AE"), Some(Region::Emea));
        assert_eq!(region_of("ZA"), Some(Region::Emea));
        assert_eq!(region_of("JP"), Some(Region::Apac));
        assert_eq!(region_of("AU"), Some(Region::Apac));
        assert_eq!(region_of("XX"), None);
        assert_eq!(region_of(""), None);
        // Every code is in one region only.
        let all: Vec<&str> = [NORTH_AMERICA, LATAM, EMEA, APAC].concat();
        for (i, code) in all.iter().enumerate() {
            assert!(!all[..i].contains(code), "{code} twice");
            assert_eq!(code.len(), 2);
        }
    }

    #[test]
    fn rows_by_country_fold_into_regions() {
        // US: 3 accounts, 2 fit (1 engaged, 2 owned, 1 in pipeline, 0 customers); CA: 1, 1 fit
        // customer; GB: 2, 1 fit engaged; no country: 1, not fit; an unknown code: 1, fit.
        let rows = [
            row(Some("US"), [3, 2, 1, 2, 1, 0]),
            row(Some("ca"), [1, 1, 0, 1, 0, 1]),
            row(Some("GB"), [2, 1, 1, 0, 0, 0]),
            row(None, [1, 0, 0, 0, 0, 0]),
            row(Some("XX"), [1, 1, 0, 0, 0, 0]),
        ];
        let report = coverage(CoverageGroup::Region, &rows);
        assert_eq!(
            report.total,
            CoverageCounts {
                accounts: 8,
                icp_fit: 5,
                engaged: 2,
                owned: 3,
                in_pipeline: 1,
                customers: 1,
            }
        );
        // Unattributed: no country (1, 0 fit) and XX (1, 1 fit) = 2 accounts, 1 fit;
        // NORTH_AMERICA = US + CA = 4 accounts, 3 fit, 1 engaged, 3 owned, 1 in pipeline, 1
        // customer; EMEA = GB.
        assert_eq!(
            report.groups,
            vec![
                row(None, [2, 1, 0, 0, 0, 0]),
                row(Some("EMEA"), [2, 1, 1, 0, 0, 0]),
                row(Some("NORTH_AMERICA"), [4, 3, 1, 3, 1, 1]),
            ]
        );
        // By segment the values are kept as they are; a blank one is none.
        let by_segment = coverage(
            CoverageGroup::Segment,
            &[
                row(Some("SMB"), [2, 1, 0, 0, 0, 0]),
                row(Some(" "), [1, 0, 0, 0, 0, 0]),
            ],
        );
        assert_eq!(by_segment.groups[0].key, None);
        assert_eq!(by_segment.groups[1].key.as_deref(), Some("SMB"));
    }

    #[test]
    fn only_the_funnels_path_has_a_reach_and_it_grows_along_it() {
        use sea_orm::Iterable;
        let path = [
            LeadStage::Mql,
            LeadStage::Sal,
            LeadStage::Sql,
            LeadStage::Opportunity,
            LeadStage::Customer,
        ];
        let reaches: Vec<i16> = path.iter().map(|s| funnel_reach(*s)).collect();
        assert_eq!(reaches, [1, 2, 3, 4, 5]);
        for stage in LeadStage::iter().filter(|s| !path.contains(s)) {
            assert_eq!(funnel_reach(stage), 0, "{stage:?}");
        }
    }

    #[test]
    fn the_waterfall_narrows_step_by_step() {
        // 6 suspects: 1 never engaged; 1 engaged, still a lead; 1 reached MQL; 2 reached SAL;
        // 1 reached OPPORTUNITY; and 1 that reached MQL without an event (an imported MQL)
        // is a suspect but not an inquiry, so it counts in no later step either.
        let s = |inquired, reached, count| SuspectCount {
            inquired,
            reached,
            count,
        };
        let counts = [
            s(false, 0, 1),
            s(true, 0, 1),
            s(true, 1, 1),
            s(true, 2, 2),
            s(true, 4, 1),
            s(false, 1, 1),
        ];
        assert_eq!(
            waterfall(4, 1, &counts),
            MarketWaterfall {
                addressable_market: 4,
                suspects: 7,
                inquiries: 5,
                mqls: 4,
                sals: 3,
                sqls: 1,
                customers: 1,
            }
        );
        assert_eq!(waterfall(0, 0, &[]), MarketWaterfall::default());
    }
}
