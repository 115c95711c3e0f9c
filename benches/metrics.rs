//! Shared metrics and review queries at scale (the README's target: under 200 ms at p95 on a
//! workspace with 1 million leads and 10 million events). Generates a year of revenue history
//! straight into the database (leads walking the funnel with their stays, deals, SLA clocks,
//! rejections, touches, ~10 events per lead), then times each query over the 30 days ending at
//! the generated "now": 5 warm-ups, 50 timed requests one at a time, p50 and p95.
//!
//!     ACCORD_BENCH_LEADS=100000 cargo bench --bench metrics                        # Postgres
//!     ACCORD_BENCH_LEADS=100000 ACCORD_BENCH_DB=sqlite cargo bench --bench metrics # SQLite
//!
//! Variables: ACCORD_BENCH_LEADS (10000), ACCORD_BENCH_DB (postgres | sqlite),
//! ACCORD_BENCH_METRICS_URL (postgres://postgres@127.0.0.1:5432/accord_bench_metrics, created
//! when missing; one schema per size, `metrics_<leads>`), ACCORD_BENCH_DATA_DIR (SQLite files
//! `accord-metrics-<leads>.db` and the results file; default Cargo's `target/tmp`),
//! ACCORD_BENCH_WARMUPS (5), ACCORD_BENCH_RUNS (50), ACCORD_BENCH_BUDGET_SECONDS (300: past it,
//! a query stops at 10 timed requests or more), ACCORD_BENCH_QUERIES (comma-separated
//! names to run; all by default), ACCORD_BENCH_EXPLAIN (1: EXPLAIN ANALYZE the statements of
//! the slowest query, Postgres, after the statement shapes it repeats most).
//!
//! A generated workspace is reused by later runs of the same size and backend (a million leads
//! take minutes to build); drop the schema (`DROP SCHEMA metrics_1000000 CASCADE`) or delete
//! the file to build it again. An interrupted generation is detected and started over. Each
//! run appends its rows to `metrics-results.md` in the data directory and prints them all, so
//! runs at several sizes add up to one table (and `metrics-generation.md` the build times).
//!
//! The ranges end at the generated "now", but some answers are as of the server's clock
//! (alignmentHealth's last complete weeks, the funnel's current stages and aging, the review's
//! stale action items): a workspace reused days after it was built has aged, and the run says
//! so. Rebuild it for figures comparable with a fresh one.

// Shared by several benchmarks; each uses part of it.
#[allow(dead_code)]
mod support;

use std::time::Instant;

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{json, Value};
use support::metrics::{
    build,
    measure::{self, Client, Row, Spec},
    target::{self, Target},
    world::{build_world, monday_of},
};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const FUNNEL: &str = "query($r: RangeInput!) { funnel(range: $r) { stage entered advanced conversion medianDays current currentMedianAgeDays overMedian } }";

/// Every field of a metrics report.
const SHARED: &str = "fragment M on SharedMetricsView { mqls sals sqls opportunities mqlAcceptanceRate leadToOpportunityRate spend costPerOpportunity leadVelocityRate pipelineCreated marketingSourcedPipeline marketingInfluencedRevenue marketingSourcedRevenue closedWonRevenue won lost winRate firstTouchP50Minutes firstTouchP90Minutes untouched slaDue slaMet slaCompliance rejections rejectionRate rejectionReasons { reason count share } coverage { openPipeline target ratio bandLow bandHigh status } }";

const HEALTH: &str = "query { alignmentHealth(weeks: 8) { rejectionRate { points { weekOf value } wrongWay } midFunnelAging { points { weekOf value } wrongWay } winRateDivergence { points { weekOf value } wrongWay } rejectionRateRises verdict slaCompliance { weekOf value } disputeBacklog oldestDisputeDays } }";

const REVIEW: &str = "query($w: NaiveDate!) { revenueReview(weekOf: $w) { weekOf agenda { reviewedFrom reviewedTo opportunities pipelineCreated pipelineBySource { key name opportunities amount } pipelineBySegment { key name opportunities amount } mqls rejections rejectionRate topReasons { reason count share } stuckDeals { opportunityId stage ownerId amount daysInStage medianDays daysOverMedian } test { testId name variants { label touches replies } leader lift z conclusive } checklist { rejections codedInTime everyRejectionCodedInTime topReasons { reason count } topReasonsKnown campaignTest campaignTestRecorded aligned } } meeting { id quorumMet decisions { id decision } logLate actionItems { id title completedAt } } staleActionItems { id title } decisionsPerMeeting } }";

const WIN_LOSS: &str = "query($r: RangeInput!, $g: WinLossGroup) { winLoss(range: $r, groupBy: $g) { total { ...W } groups { key name metrics { ...W } } } } fragment W on WinLossLineView { won lost wonAmount lostAmount winRate averageCycleDays averageWonCycleDays averageLostCycleDays topLostReasons { reason count share } }";

const SCORECARD: &str = "query($m: String) { marketingScorecard(month: $m) { month from to complete marketing { commitment target actual met count of } sales { commitment target actual met count of } } }";

const WATERFALL: &str = "query($i: DemandWaterfallInput!) { demandWaterfall(input: $i) { rates { mqlToSal salToSql sqlToWon averageDealSize overridden } ratesFrom ratesTo total { customers sqls sals mqls } marketingRevenue marketing { customers sqls sals mqls } mqlsNeededPerMonth committedMqlsPerMonth gapPerMonth } }";

const ATTRIBUTION: &str = "query($r: RangeInput!) { attribution(model: W_SHAPED, range: $r, groupBy: CAMPAIGN) { from to total { opportunities pipeline won revenue spend costPerOpportunity returnOnSpend } groups { key name salesTouches credit { opportunities pipeline won revenue spend costPerOpportunity returnOnSpend } } } }";

const ASSET_PERFORMANCE: &str = "query($r: RangeInput!) { assetPerformance(range: $r) { from to assets { assetId name funnelStage cadenceUses playUses touches engagements leadsReached replies meetings stageAdvances wonDeals wonAmount performs } contentGaps { funnelStage assets used } } }";

const IN_MARKET: &str = "query { accountsInMarket(first: 20) { totalCount edges { node { score inMarketSince scoredAt account { name domain owner { email } buyingCommittee { covered missing personas { persona role present engaged30d engaged90d owned } } } reason { threshold fitPoints engagementPoints personas missingPersonas contacts { name personas engagement points } events { eventType count } } } } } }";

const MARKET_COVERAGE: &str = "query { marketCoverage(groupBy: REGION) { minFit engagedSince total { accounts icpFit engaged owned inPipeline customers } groups { key name counts { accounts icpFit engaged owned inPipeline customers } } waterfall { addressableMarket suspects inquiries mqls sals sqls customers } } }";

/// The queries, over the 30 days before `now` (the review: the week holding `now`, which
/// reviews the week before; win/loss, attribution and asset performance: the 90 days before
/// `now`, their default span; the scorecard: the month holding `now`; the waterfall: rates over
/// the 182 days before `now`; the market coverage and the accounts in market: as of the
/// server's clock).
fn specs(now: DateTime<Utc>) -> Vec<Spec> {
    let range = json!({"from": now - Duration::days(30), "to": now});
    let spec = |name: &str, query: String, variables: Value| Spec {
        name: name.to_owned(),
        query,
        variables,
    };
    let metrics = |group: &str| {
        format!(
            "query($r: RangeInput!) {{ metrics(range: $r, {group} coverageTarget: 2500000) {{ total {{ ...M }} groups {{ key name periodStart metrics {{ ...M }} }} }} }} {SHARED}"
        )
    };
    vec![
        spec("funnel", FUNNEL.into(), json!({"r": range})),
        spec("metrics", metrics(""), json!({"r": range})),
        spec(
            "metrics by SOURCE",
            metrics("groupBy: SOURCE,"),
            json!({"r": range}),
        ),
        spec(
            "metrics by WEEK",
            metrics("groupBy: WEEK,"),
            json!({"r": range}),
        ),
        spec("alignmentHealth(weeks: 8)", HEALTH.into(), json!({})),
        spec(
            "revenueReview(weekOf)",
            REVIEW.into(),
            json!({"w": monday_of(now)}),
        ),
        // Win/loss over its default span, the 90 days before `now`.
        spec(
            "winLoss by REASON",
            WIN_LOSS.into(),
            json!({"r": {"from": now - Duration::days(90), "to": now}, "g": "REASON"}),
        ),
        spec(
            "winLoss by SEGMENT",
            WIN_LOSS.into(),
            json!({"r": {"from": now - Duration::days(90), "to": now}, "g": "SEGMENT"}),
        ),
        spec(
            "marketingScorecard(month)",
            SCORECARD.into(),
            json!({"m": now.format("%Y-%m").to_string()}),
        ),
        spec(
            "demandWaterfall",
            WATERFALL.into(),
            json!({"i": {
                "revenueGoal": 12_000_000.0,
                "period": {"start": (now + Duration::days(31)).date_naive(), "months": 12},
                "marketingContribution": 0.6,
                "ratesFrom": {"from": now - Duration::days(182), "to": now},
            }}),
        ),
        spec(
            "attribution W_SHAPED by CAMPAIGN",
            ATTRIBUTION.into(),
            json!({"r": {"from": now - Duration::days(90), "to": now}}),
        ),
        spec("marketCoverage(REGION)", MARKET_COVERAGE.into(), json!({})),
        // The newest page of marketing-qualified accounts with each one's buying committee.
        spec("accountsInMarket(first: 20)", IN_MARKET.into(), json!({})),
        spec(
            "assetPerformance",
            ASSET_PERFORMANCE.into(),
            json!({"r": {"from": now - Duration::days(90), "to": now}}),
        ),
    ]
}

#[actix_web::main]
async fn main() {
    let target = Target::from_env();
    let warmups: usize = env_or("ACCORD_BENCH_WARMUPS", 5);
    let runs: usize = env_or("ACCORD_BENCH_RUNS", 50);
    let budget = std::time::Duration::from_secs(env_or("ACCORD_BENCH_BUDGET_SECONDS", 300));
    let only: Option<String> = std::env::var("ACCORD_BENCH_QUERIES").ok();
    let existing = target.existing().await;
    let (state, addr) = support::start(target.config()).await;
    let (token, workspace) = support::owner_session(addr, "owner@metrics.bench").await;
    let workspace_id = uuid::Uuid::parse_str(&workspace).unwrap();

    let (now, seconds) = match existing {
        Some(done) => {
            println!(
                "{} leads on {}: reusing the workspace generated in {:.0} s (history ends {})",
                target.leads,
                target.name(),
                done.seconds,
                done.now
            );
            let age = Utc::now() - done.now;
            if age > Duration::days(1) {
                println!(
                    "note: its history ended {} days ago; answers as of the server's clock see an aged workspace",
                    age.num_days()
                );
            }
            (done.now, done.seconds)
        }
        None => {
            let now = Utc::now().duration_trunc(Duration::seconds(1)).unwrap();
            let world = build_world(&state, addr, &token, workspace_id, now, 40).await;
            println!("generating {} leads on {}", target.leads, target.name());
            let started = Instant::now();
            let counts = build::generate(&state, &world, target.leads).await;
            build::settle(state.store.db()).await;
            let seconds = started.elapsed().as_secs_f64();
            target::mark_complete(state.store.db(), workspace_id, target.leads, now, seconds).await;
            println!("generated in {seconds:.0} s: {counts:?}");
            (now, seconds)
        }
    };
    // Background work due at start (SLA clocks that came due since generation, the monthly
    // source rule) is done before anything is timed.
    // Deals whose attribution credit is not kept yet, accounts whose suspects are not counted
    // yet, leads whose reach by the assets and won deals whose assets are not kept yet (all of
    // a freshly generated workspace's) are done here too.
    let started = Instant::now();
    accord_api::jobs::run_due(&state).await.unwrap();
    println!(
        "due work (SLA clocks, deal credits, account suspects, asset reach, won deals' assets) done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // What autovacuum would do after the jobs' writes (it is off on the CI machines): the
    // kept rows' statistics and visibility, without which the planner expects one row and
    // the index-only scan visits the table.
    let db = state.store.db();
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        for table in [
            "deal_credits",
            "accounts",
            "asset_reach_lines",
            "asset_reach_due",
            "won_deal_assets",
            "won_deal_assets_due",
        ] {
            let sql = format!("VACUUM (ANALYZE) {table}");
            sea_orm::ConnectionTrait::execute_unprepared(db, &sql)
                .await
                .unwrap();
        }
    }

    let client = Client::new(addr, &token);
    let mut rows = Vec::new();
    let mut slowest: Option<(f64, Spec)> = None;
    for spec in specs(now) {
        if only
            .as_ref()
            .is_some_and(|o| !o.split(',').any(|n| n == spec.name))
        {
            continue;
        }
        let outcome = client
            .time(&state.prometheus, &spec, warmups, runs, budget)
            .await;
        if let Ok(timing) = &outcome {
            if slowest.as_ref().is_none_or(|s| s.0 < timing.p95) {
                slowest = Some((timing.p95, spec.clone()));
            }
        }
        let row = Row {
            query: spec.name.clone(),
            leads: target.leads,
            backend: target.name(),
            outcome,
        };
        println!("{}", row.markdown());
        rows.push(row);
    }

    println!(
        "\n{} leads on {}, generated in {seconds:.0} s; {warmups} warm-ups, then {runs} timed requests per query (at least 10 once {} s have passed)\n",
        target.leads,
        target.name(),
        budget.as_secs()
    );
    println!("{}", measure::HEADER);
    for row in &rows {
        println!("{}", row.markdown());
    }
    let lines: Vec<String> = rows.iter().map(Row::markdown).collect();
    let all = measure::keep(
        &target.results_path("metrics-results.md"),
        measure::HEADER,
        3,
        &lines,
    );
    let built = format!("| {} | {} | {seconds:.0} |", target.leads, target.name());
    let generation = measure::keep(
        &target.results_path("metrics-generation.md"),
        "| leads | backend | generation s |\n|---:|---|---:|",
        2,
        &[built],
    );
    println!(
        "\nAll runs so far ({}):\n\n{all}\n{generation}",
        target.results_path("").display()
    );
    if env_or("ACCORD_BENCH_EXPLAIN", 0) == 1 {
        if let Some((_, spec)) = slowest {
            measure::explain(&state, &client, &spec, 3).await;
        }
    }
}
