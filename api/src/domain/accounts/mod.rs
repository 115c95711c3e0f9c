//! Account-based selling: an account's buying committee under the active ICP ([`committee`]),
//! and its account score, which makes it a marketing-qualified account when it crosses the
//! contract's account threshold ([`in_market`], [`terms`]). Pure: the services load the
//! contacts and apply what is decided here.

mod committee;
mod in_market;
mod terms;

pub use committee::{
    committee_of, engaged_within, role_name, Committee, Member, PersonaSeat, ENGAGED_DAYS,
    RECENTLY_ENGAGED_DAYS,
};
pub use in_market::{
    account_score, assess, AccountScore, Assessment, ContactEngagementFacts, ContactReason,
    Contribution, EventCount, MarketReason, FIT_DIVISOR,
};
pub use terms::AccountTerms;
