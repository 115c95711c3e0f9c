//! The review's win/loss item (seed 002's weekly win/loss review: "what didn't work?"): the
//! deals lost in the reviewed week with their reasons and competitors, and how many of them
//! marketing had touched. A marketing touch is an engagement event (website, email, webinar:
//! what marketing's systems send) by any contact of the deal's account before the close, the
//! same test as marketing-influenced revenue; a rep's logged touches are sales' work and do
//! not count.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::metrics::{
    share,
    win_loss::{TOP_LOST_REASONS, UNSPECIFIED},
    ReasonCount,
};

/// The agenda lists at most this many lost deals (the largest); the counts cover them all.
pub const LOST_DEALS_LISTED: usize = 20;

/// A deal lost in the reviewed week.
#[derive(Debug, Clone, PartialEq)]
pub struct LostDeal {
    pub id: Uuid,
    pub name: String,
    pub amount: f64,
    pub owner_id: Option<Uuid>,
    pub reason: Option<String>,
    pub competitor: Option<String>,
    pub closed_at: DateTime<Utc>,
    /// A contact of its account engaged before the close.
    pub marketing_touched: bool,
}

/// What the agenda says about the week's lost deals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LostDeals {
    pub lost: u64,
    pub amount: f64,
    pub marketing_touched: u64,
    /// marketing_touched / lost.
    pub marketing_touched_share: Option<f64>,
    /// The most frequent reasons, most first (ties by reason); share of the lost deals.
    pub top_reasons: Vec<ReasonCount>,
    /// The largest first (ties: the later close first, then by id), at most
    /// [`LOST_DEALS_LISTED`].
    pub deals: Vec<LostDeal>,
}

/// Sums, ranks and trims the week's lost deals.
pub fn lost_deals(mut deals: Vec<LostDeal>) -> LostDeals {
    let lost = deals.len() as u64;
    let touched = deals.iter().filter(|d| d.marketing_touched).count() as u64;
    let mut reasons: std::collections::BTreeMap<&str, u64> = Default::default();
    for deal in &deals {
        *reasons
            .entry(deal.reason.as_deref().unwrap_or(UNSPECIFIED))
            .or_default() += 1;
    }
    let mut reasons: Vec<(&str, u64)> = reasons.into_iter().collect();
    // Stable: ties keep the map's order, by reason.
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    let top_reasons = reasons
        .into_iter()
        .take(TOP_LOST_REASONS)
        .map(|(reason, count)| ReasonCount {
            reason: reason.to_owned(),
            count,
            share: share(count, lost).unwrap_or(0.0),
        })
        .collect();
    let amount = deals.iter().map(|d| d.amount).sum();
    deals.sort_by(|a, b| {
        b.amount
            .total_cmp(&a.amount)
            .then(b.closed_at.cmp(&a.closed_at))
            .then(a.id.cmp(&b.id))
    });
    deals.truncate(LOST_DEALS_LISTED);
    LostDeals {
        lost,
        amount,
        marketing_touched: touched,
        marketing_touched_share: share(touched, lost),
        top_reasons,
        deals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deal(n: u128, amount: f64, reason: Option<&str>, touched: bool) -> LostDeal {
        LostDeal {
            id: Uuid::from_u128(n),
            name: format!("deal {n}"),
            amount,
            owner_id: None,
            reason: reason.map(str::to_owned),
            competitor: None,
            closed_at: "2026-11-24T10:00:00Z".parse().expect("an instant"),
            marketing_touched: touched,
        }
    }

    /// Four lost deals, 3 touched by marketing: 0.75; "No budget" twice (0.5).
    #[test]
    fn the_weeks_lost_deals_with_reasons_and_marketing_share() {
        let review = lost_deals(vec![
            deal(1, 5_000.0, Some("No budget"), true),
            deal(2, 20_000.0, Some("Went with a competitor"), true),
            deal(3, 1_000.0, None, false),
            deal(4, 5_000.0, Some("No budget"), true),
        ]);
        assert_eq!(review.lost, 4);
        assert_eq!(review.amount, 31_000.0);
        assert_eq!(review.marketing_touched, 3);
        assert_eq!(review.marketing_touched_share, Some(0.75));
        let reasons: Vec<(&str, u64, f64)> = review
            .top_reasons
            .iter()
            .map(|r| (r.reason.as_str(), r.count, r.share))
            .collect();
        assert_eq!(
            reasons,
            vec![
                ("No budget", 2, 0.5),
                ("Unspecified", 1, 0.25),
                ("Went with a competitor", 1, 0.25)
            ]
        );
        let order: Vec<u128> = review.deals.iter().map(|d| d.id.as_u128()).collect();
        assert_eq!(order, vec![2, 1, 4, 3]);
    }

    #[test]
    fn a_week_without_losses_has_no_share_and_the_list_is_capped() {
        assert_eq!(lost_deals(Vec::new()), LostDeals::default());
        let many = (0..30).map(|n| deal(n, n as f64, None, false)).collect();
        let review = lost_deals(many);
        assert_eq!(review.lost, 30);
        assert_eq!(review.deals.len(), LOST_DEALS_LISTED);
        assert_eq!(review.deals[0].amount, 29.0);
        assert_eq!(review.marketing_touched_share, Some(0.0));
    }
}
