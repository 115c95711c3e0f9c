//! The README's worked example, computed by hand, and the edge cases of the positions.

use chrono::{NaiveDate, TimeZone};

use super::*;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, day, hour, 0, 0).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn event(day: u32, campaign: Uuid) -> Touchpoint {
    Touchpoint {
        id: Uuid::now_v7(),
        at: at(day, 9),
        origin: TouchOrigin::Event,
        source_id: None,
        campaign_id: Some(campaign),
    }
}

struct Example {
    webinar: Uuid,
    search: Uuid,
    webinar_source: Uuid,
    search_source: Uuid,
    deals: Vec<CreditedDeal>,
    spend: Vec<Spend>,
    catalog: Catalog,
    march: Range,
}

/// The README's example: campaigns "Spring webinar" (source Webinar, kind WEBINAR) and
/// "Search Q1" (source Paid Search, kind PAID_SEARCH).
/// - Ana: Mar 1 webinar event, Mar 2 search event, Mar 3 webinar demo request (MQL), Mar 4 a
///   rep's touch, Mar 5 search event; her 20,000 deal is created Mar 6 and won Mar 8.
/// - Ben: Mar 2 search demo request (MQL); his 10,000 deal is created Mar 6, still open.
/// - A 5,000 deal created Mar 7 without a lead.
/// - Spend for March: 3,100 on the webinar campaign, 6,200 on the search campaign.
fn example() -> Example {
    let (webinar, search) = (Uuid::now_v7(), Uuid::now_v7());
    let (webinar_source, search_source) = (Uuid::now_v7(), Uuid::now_v7());
    let mut rep = event(4, webinar);
    rep.origin = TouchOrigin::Sales;
    rep.campaign_id = None;
    let ana = CreditedDeal {
        amount: 20_000.0,
        created_at: at(6, 9),
        won_at: Some(at(8, 9)),
        mql_entries: vec![at(3, 9)],
        // Out of order on purpose, with one after the deal that does not count.
        touchpoints: vec![
            event(5, search),
            event(1, webinar),
            rep,
            event(3, webinar),
            event(2, search),
            event(7, webinar),
        ],
    };
    let ben = CreditedDeal {
        amount: 10_000.0,
        created_at: at(6, 10),
        won_at: None,
        mql_entries: vec![at(2, 9)],
        touchpoints: vec![event(2, search)],
    };
    let bare = CreditedDeal {
        amount: 5_000.0,
        created_at: at(7, 9),
        won_at: None,
        mql_entries: vec![],
        touchpoints: vec![],
    };
    let month = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    let spend = vec![
        Spend {
            amount: 3_100.0,
            month,
            source_id: None,
            campaign_id: Some(webinar),
        },
        Spend {
            amount: 6_200.0,
            month,
            source_id: None,
            campaign_id: Some(search),
        },
    ];
    let catalog = Catalog {
        source_kinds: HashMap::from([
            (webinar_source, "WEBINAR".to_owned()),
            (search_source, "PAID_SEARCH".to_owned()),
        ]),
        campaign_sources: HashMap::from([
            (webinar, Some(webinar_source)),
            (search, Some(search_source)),
        ]),
    };
    Example {
        webinar,
        search,
        webinar_source,
        search_source,
        deals: vec![ana, ben, bare],
        spend,
        catalog,
        march: Range::month_of(month),
    }
}

fn group(report: &AttributionReport, key: &CreditKey) -> Credit {
    report
        .groups
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no group {key:?}"))
        .1
        .clone()
}

fn assert_credit(credit: &Credit, opportunities: f64, pipeline: f64, won: f64, revenue: f64) {
    assert!(close(credit.opportunities, opportunities), "{credit:?}");
    assert!(close(credit.pipeline, pipeline), "{credit:?}");
    assert!(close(credit.won, won), "{credit:?}");
    assert!(close(credit.revenue, revenue), "{credit:?}");
}

#[test]
fn w_shaped_worked_example_by_campaign() {
    let e = example();
    let report = attribution(
        &e.deals,
        &e.spend,
        &e.catalog,
        &e.march,
        AttributionModel::WShaped,
        AttributionGroup::Campaign,
    );
    // Ana's five touchpoints up to Mar 6: first (Mar 1, webinar) and MQL touch (Mar 3,
    // webinar) 30% each, opportunity-creation touch (Mar 5, search) 30%, the other two (Mar 2
    // search, Mar 4 rep) 10% / 2 = 5% each. Webinar 60%, search 35%, sales 5%.
    // Ben's one touchpoint holds all three positions: 100% search.
    // Totals: 3 deals created (35,000), Ana's won (20,000); spend 9,300.
    assert_credit(&report.total, 3.0, 35_000.0, 1.0, 20_000.0);
    assert!(close(report.total.spend, 9_300.0));
    assert!(close(report.total.cost_per_opportunity.unwrap(), 3_100.0));
    assert!(close(
        report.total.return_on_spend.unwrap(),
        20_000.0 / 9_300.0
    ));
    let keys: Vec<CreditKey> = report.groups.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(
        keys,
        vec![
            CreditKey::Unattributed,
            CreditKey::SalesTouch,
            CreditKey::Id(e.webinar),
            CreditKey::Id(e.search),
        ]
    );
    // The deal without a lead: 1 opportunity, 5,000.
    let none = group(&report, &CreditKey::Unattributed);
    assert_credit(&none, 1.0, 5_000.0, 0.0, 0.0);
    assert_eq!(none.return_on_spend, None);
    assert_credit(
        &group(&report, &CreditKey::SalesTouch),
        0.05,
        1_000.0,
        0.05,
        1_000.0,
    );
    // Webinar: 0.6 x 20,000 = 12,000 pipeline and revenue; 3,100 / 0.6 = 5,166.67 per
    // opportunity; 12,000 / 3,100 = 3.87 back per unit spent.
    let webinar = group(&report, &CreditKey::Id(e.webinar));
    assert_credit(&webinar, 0.6, 12_000.0, 0.6, 12_000.0);
    assert!(close(webinar.cost_per_opportunity.unwrap(), 3_100.0 / 0.6));
    assert!(close(webinar.return_on_spend.unwrap(), 12_000.0 / 3_100.0));
    // Search: 0.35 of Ana (7,000) and all of Ben (10,000): 1.35 opportunities, 17,000;
    // revenue 7,000; 6,200 / 1.35 = 4,592.59; 7,000 / 6,200 = 1.13.
    let search = group(&report, &CreditKey::Id(e.search));
    assert_credit(&search, 1.35, 17_000.0, 0.35, 7_000.0);
    assert!(close(search.cost_per_opportunity.unwrap(), 6_200.0 / 1.35));
    assert!(close(search.return_on_spend.unwrap(), 7_000.0 / 6_200.0));
}

#[test]
fn the_other_models_on_the_example() {
    let e = example();
    let run = |model, group| attribution(&e.deals, &e.spend, &e.catalog, &e.march, model, group);
    let campaign = AttributionGroup::Campaign;
    // First touch: Ana all webinar, Ben all search.
    let first = run(AttributionModel::FirstTouch, campaign);
    assert_credit(
        &group(&first, &CreditKey::Id(e.webinar)),
        1.0,
        20_000.0,
        1.0,
        20_000.0,
    );
    assert_credit(
        &group(&first, &CreditKey::Id(e.search)),
        1.0,
        10_000.0,
        0.0,
        0.0,
    );
    assert!(!first
        .groups
        .iter()
        .any(|(k, _)| *k == CreditKey::SalesTouch));
    // Last touch: Ana's last touchpoint before Mar 6 is the Mar 5 search event.
    let last = run(AttributionModel::LastTouch, campaign);
    assert_credit(
        &group(&last, &CreditKey::Id(e.search)),
        2.0,
        30_000.0,
        1.0,
        20_000.0,
    );
    // The webinar campaign earned nothing under this model, and still shows what it cost.
    let webinar = group(&last, &CreditKey::Id(e.webinar));
    assert_credit(&webinar, 0.0, 0.0, 0.0, 0.0);
    assert!(close(webinar.spend, 3_100.0));
    assert_eq!(webinar.cost_per_opportunity, None);
    assert_eq!(webinar.return_on_spend, Some(0.0));
    // Linear: Ana's five touchpoints a fifth each: webinar 2/5 (8,000), search 2/5 (8,000),
    // sales 1/5 (4,000); Ben's 10,000 to search.
    let linear = run(AttributionModel::Linear, campaign);
    assert_credit(
        &group(&linear, &CreditKey::Id(e.webinar)),
        0.4,
        8_000.0,
        0.4,
        8_000.0,
    );
    assert_credit(
        &group(&linear, &CreditKey::Id(e.search)),
        1.4,
        18_000.0,
        0.4,
        8_000.0,
    );
    assert_credit(
        &group(&linear, &CreditKey::SalesTouch),
        0.2,
        4_000.0,
        0.2,
        4_000.0,
    );
    // Every model credits the same totals.
    for report in [&first, &last, &linear] {
        assert_credit(&report.total, 3.0, 35_000.0, 1.0, 20_000.0);
    }
}

#[test]
fn campaign_events_and_spend_roll_up_to_their_source_and_channel() {
    let e = example();
    let by_source = attribution(
        &e.deals,
        &e.spend,
        &e.catalog,
        &e.march,
        AttributionModel::WShaped,
        AttributionGroup::Source,
    );
    let webinar = group(&by_source, &CreditKey::Id(e.webinar_source));
    assert_credit(&webinar, 0.6, 12_000.0, 0.6, 12_000.0);
    assert!(close(webinar.spend, 3_100.0));
    assert!(close(
        group(&by_source, &CreditKey::Id(e.search_source)).spend,
        6_200.0
    ));
    let by_channel = attribution(
        &e.deals,
        &e.spend,
        &e.catalog,
        &e.march,
        AttributionModel::WShaped,
        AttributionGroup::Channel,
    );
    let search = group(&by_channel, &CreditKey::Channel("PAID_SEARCH".into()));
    assert_credit(&search, 1.35, 17_000.0, 0.35, 7_000.0);
    assert!(close(search.spend, 6_200.0));
    // Half of March's spend in a range of half the month: 31 days, Mar 1 to Mar 16 12:00 is
    // 15.5 days; the deals created Mar 6-7 and won Mar 8 are all inside it.
    let half = Range::new(e.march.from, at(16, 12)).unwrap();
    let report = attribution(
        &e.deals,
        &e.spend,
        &e.catalog,
        &half,
        AttributionModel::WShaped,
        AttributionGroup::Campaign,
    );
    assert!(close(report.total.spend, 4_650.0));
    assert!(close(
        group(&report, &CreditKey::Id(e.webinar)).spend,
        1_550.0
    ));
}

#[test]
fn w_shaped_when_positions_coincide() {
    let campaign = Uuid::now_v7();
    let created = at(10, 9);
    let ordered = |days: &[u32]| {
        eligible(
            &days.iter().map(|d| event(*d, campaign)).collect::<Vec<_>>(),
            created,
        )
    };
    let w = |touchpoints: &[Touchpoint], mql: &[DateTime<Utc>]| {
        shares(AttributionModel::WShaped, touchpoints, mql, created)
    };
    // One touchpoint holds all three positions: 100%.
    assert_eq!(w(&ordered(&[1]), &[at(1, 9)]), vec![1.0]);
    // Two, the first is also the MQL touch: first+MQL 2/3, opportunity 1/3.
    let two = ordered(&[1, 2]);
    let s = w(&two, &[at(1, 12)]);
    assert!(close(s[0], 2.0 / 3.0) && close(s[1], 1.0 / 3.0), "{s:?}");
    // The MQL touch is the last one: first 1/3, MQL+opportunity 2/3.
    let s = w(&two, &[at(2, 12)]);
    assert!(close(s[0], 1.0 / 3.0) && close(s[1], 2.0 / 3.0), "{s:?}");
    // No MQL move (an imported lead): the first touch holds the MQL position.
    let s = w(&ordered(&[1, 2, 3]), &[]);
    assert!(
        close(s[0], 0.6) && close(s[1], 0.1) && close(s[2], 0.3),
        "{s:?}"
    );
    // Three distinct positions, nothing else: a third each.
    let s = w(&ordered(&[1, 2, 3]), &[at(2, 10)]);
    assert!(s.iter().all(|x| close(*x, 1.0 / 3.0)), "{s:?}");
    // The latest MQL move before the deal counts, not one after it nor an older one.
    let s = w(&ordered(&[1, 2, 3, 4]), &[at(2, 10), at(3, 10), at(11, 9)]);
    assert!(
        close(s[0], 0.3) && close(s[1], 0.1) && close(s[2], 0.3) && close(s[3], 0.3),
        "{s:?}"
    );
    // Touchpoints at the deal's creation count; after it they do not.
    let late = eligible(&[event(10, campaign), event(11, campaign)], created);
    assert_eq!(late.len(), 1);
    // Nothing to credit: no shares.
    assert!(w(&[], &[]).is_empty());
}

#[test]
fn deals_outside_the_range_and_events_without_values() {
    let e = example();
    // April: no deal created or won, no spend.
    let april = Range::month_of(NaiveDate::from_ymd_opt(2027, 4, 1).unwrap());
    let report = attribution(
        &e.deals,
        &e.spend,
        &e.catalog,
        &april,
        AttributionModel::Linear,
        AttributionGroup::Campaign,
    );
    assert_eq!(report.total, Credit::default());
    assert!(report.groups.is_empty());
    // An event with no campaign and no source is Unattributed under every grouping.
    let mut bare = event(1, e.webinar);
    bare.campaign_id = None;
    let deal = CreditedDeal {
        amount: 1_000.0,
        created_at: at(2, 9),
        won_at: None,
        mql_entries: vec![],
        touchpoints: vec![bare],
    };
    for grouping in [
        AttributionGroup::Campaign,
        AttributionGroup::Source,
        AttributionGroup::Channel,
    ] {
        let r = attribution(
            std::slice::from_ref(&deal),
            &[],
            &e.catalog,
            &e.march,
            AttributionModel::WShaped,
            grouping,
        );
        assert_eq!(r.groups.len(), 1);
        assert_eq!(r.groups[0].0, CreditKey::Unattributed);
        assert_eq!(r.groups[0].1.cost_per_opportunity, Some(0.0));
    }
}

#[test]
fn a_deals_lines_merge_its_touchpoints_of_one_key_and_sum_to_one() {
    let e = example();
    let ana = &e.deals[0];
    // W_SHAPED on Ana (see the worked example): the webinar earns the first touch (30%) and
    // the MQL touch (30%), the search event of Mar 5 the opportunity-creation touch (30%) and
    // the 10% goes half to the search event of Mar 2, half to the rep's touch.
    let lines = credit_lines(AttributionModel::WShaped, ana);
    let share = |origin: TouchOrigin, campaign: Option<Uuid>| {
        let line = lines
            .iter()
            .find(|l| l.origin == origin && l.campaign_id == campaign)
            .unwrap_or_else(|| panic!("no line {origin:?} {campaign:?} in {lines:?}"));
        line.share
    };
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(close(share(TouchOrigin::Event, Some(e.webinar)), 0.6));
    assert!(close(share(TouchOrigin::Event, Some(e.search)), 0.35));
    assert!(close(share(TouchOrigin::Sales, None), 0.05));
    // A deal without touchpoints: one line without source or campaign, the whole deal.
    let bare = credit_lines(AttributionModel::Linear, &e.deals[2]);
    assert_eq!(
        bare,
        vec![CreditLine {
            origin: TouchOrigin::Event,
            source_id: None,
            campaign_id: None,
            share: 1.0,
        }]
    );
    for model in [
        AttributionModel::FirstTouch,
        AttributionModel::LastTouch,
        AttributionModel::Linear,
        AttributionModel::WShaped,
    ] {
        for deal in &e.deals {
            let sum: f64 = credit_lines(model, deal).iter().map(|l| l.share).sum();
            assert!(close(sum, 1.0), "{model:?}: {sum}");
        }
    }
}

/// The report from kept lines (one keyed credit per deal and line, as the store sums them)
/// equals the report from the touchpoints, under every model and grouping.
#[test]
fn kept_lines_report_what_the_touchpoints_do() {
    let e = example();
    for model in [
        AttributionModel::FirstTouch,
        AttributionModel::LastTouch,
        AttributionModel::Linear,
        AttributionModel::WShaped,
    ] {
        let mut kept = Vec::new();
        for deal in &e.deals {
            let created = e.march.contains(deal.created_at);
            let won = deal.won_at.is_some_and(|at| e.march.contains(at));
            for line in credit_lines(model, deal) {
                let mut credit = Credit::default();
                add_deal(&mut credit, line.share, deal.amount, created, won);
                kept.push(KeyedCredit {
                    origin: line.origin,
                    source_id: line.source_id,
                    campaign_id: line.campaign_id,
                    credit,
                });
            }
        }
        for grouping in [
            AttributionGroup::Campaign,
            AttributionGroup::Source,
            AttributionGroup::Channel,
        ] {
            let live = attribution(&e.deals, &e.spend, &e.catalog, &e.march, model, grouping);
            let total = deal_totals(&e.deals, &e.march);
            let from_lines = report(total, &kept, &e.spend, &e.catalog, &e.march, grouping);
            assert_eq!(live.total, from_lines.total);
            assert_eq!(live.groups.len(), from_lines.groups.len());
            for ((key, a), (other, b)) in live.groups.iter().zip(&from_lines.groups) {
                assert_eq!(key, other);
                assert_credit(b, a.opportunities, a.pipeline, a.won, a.revenue);
                assert!(close(a.spend, b.spend));
            }
        }
    }
}
