use async_graphql::Enum;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A person's role inside one workspace. What each role may do lives in `api::domain::permissions`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    #[sea_orm(string_value = "OWNER")]
    Owner,
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    /// The CMO: signs the lead contract for marketing.
    #[sea_orm(string_value = "MARKETING_LEADER")]
    MarketingLeader,
    /// The CRO: signs the lead contract for sales.
    #[sea_orm(string_value = "SALES_LEADER")]
    SalesLeader,
    #[sea_orm(string_value = "REVOPS")]
    Revops,
    #[sea_orm(string_value = "MARKETER")]
    Marketer,
    #[sea_orm(string_value = "SALES_MANAGER")]
    SalesManager,
    #[sea_orm(string_value = "REP")]
    Rep,
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum, Serialize,
            Deserialize,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] $variant),+
        }

        impl $name {
            /// The stored (and GraphQL) spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }
        }
    };
}

string_enum! {
    /// Where an account stands with us.
    Lifecycle {
        Target = "TARGET",
        Prospect = "PROSPECT",
        Customer = "CUSTOMER",
        Churned = "CHURNED",
    }
}

string_enum! {
    /// A lead's stage in the funnel; transitions live in `api::domain::lifecycle`.
    LeadStage {
        Lead = "LEAD",
        Mql = "MQL",
        Sal = "SAL",
        Sql = "SQL",
        Opportunity = "OPPORTUNITY",
        Customer = "CUSTOMER",
        Nurture = "NURTURE",
        Disqualified = "DISQUALIFIED",
    }
}

string_enum! {
    /// The kind of channel a source is.
    SourceKind {
        PaidSearch = "PAID_SEARCH",
        PaidSocial = "PAID_SOCIAL",
        Organic = "ORGANIC",
        Content = "CONTENT",
        Webinar = "WEBINAR",
        Event = "EVENT",
        Email = "EMAIL",
        Referral = "REFERRAL",
        Partner = "PARTNER",
        Outbound = "OUTBOUND",
        Product = "PRODUCT",
        Other = "OTHER",
    }
}

string_enum! {
    /// The kind of a content asset.
    AssetKind {
        Ebook = "EBOOK",
        Webinar = "WEBINAR",
        CaseStudy = "CASE_STUDY",
        RoiCalculator = "ROI_CALCULATOR",
        BattleCard = "BATTLE_CARD",
        Whitepaper = "WHITEPAPER",
        Blog = "BLOG",
        Video = "VIDEO",
        Demo = "DEMO",
        Other = "OTHER",
    }
}

string_enum! {
    /// The buyer's stage an asset serves.
    FunnelStage {
        Awareness = "AWARENESS",
        Consideration = "CONSIDERATION",
        Decision = "DECISION",
        Validation = "VALIDATION",
    }
}

string_enum! {
    /// An opportunity's sales stage.
    OpportunityStage {
        Discovery = "DISCOVERY",
        Qualification = "QUALIFICATION",
        Proposal = "PROPOSAL",
        Negotiation = "NEGOTIATION",
        ClosedWon = "CLOSED_WON",
        ClosedLost = "CLOSED_LOST",
    }
}

string_enum! {
    /// Whether an ICP is the land or the expand motion.
    IcpMotion {
        Land = "LAND",
        Expand = "EXPAND",
    }
}

string_enum! {
    /// Versioned documents go draft -> active -> superseded.
    VersionStatus {
        Draft = "DRAFT",
        Active = "ACTIVE",
        Superseded = "SUPERSEDED",
    }
}

string_enum! {
    /// A lead contract goes draft -> signed (by both leaders) -> active -> superseded.
    ContractStatus {
        Draft = "DRAFT",
        Signed = "SIGNED",
        Active = "ACTIVE",
        Superseded = "SUPERSEDED",
    }
}

string_enum! {
    /// A routing rule version goes draft -> published (the one routing uses) -> superseded.
    RoutingRuleStatus {
        Draft = "DRAFT",
        Published = "PUBLISHED",
        Superseded = "SUPERSEDED",
    }
}

string_enum! {
    /// How an MQL qualified: a hand-raiser (HOT), by behaviour (WARM), or by product usage (PQL:
    /// its PQL score reached the contract's PQL threshold; clocked like a HOT one).
    MqlKind {
        Hot = "HOT",
        Warm = "WARM",
        Pql = "PQL",
    }
}

string_enum! {
    /// Where a score ledger entry comes from.
    ScoreKind {
        Behaviour = "BEHAVIOUR",
        Pql = "PQL",
    }
}

string_enum! {
    /// Why sales refused an MQL.
    RejectionReason {
        WrongSegment = "WRONG_SEGMENT",
        NoBuyingTrigger = "NO_BUYING_TRIGGER",
        CompetitorLockIn = "COMPETITOR_LOCK_IN",
        BadContactData = "BAD_CONTACT_DATA",
        Duplicate = "DUPLICATE",
        NoBudget = "NO_BUDGET",
        BadTiming = "BAD_TIMING",
        Other = "OTHER",
    }
}

string_enum! {
    /// What a trigger asks of the person who receives it.
    TriggerKind {
        LeadAssigned = "LEAD_ASSIGNED",
        HotLeadEngaged = "HOT_LEAD_ENGAGED",
        PlayStepDue = "PLAY_STEP_DUE",
        SlaWarning = "SLA_WARNING",
        SlaBreached = "SLA_BREACHED",
        LeadRecycled = "LEAD_RECYCLED",
        RejectionDisputed = "REJECTION_DISPUTED",
        DisputeResolved = "DISPUTE_RESOLVED",
        SourcePaused = "SOURCE_PAUSED",
        /// A source is over the contract's rejection limit in the month in progress.
        SourceAtRisk = "SOURCE_AT_RISK",
        /// A webhook its owner registered was disabled (deliveries kept failing, or 410).
        WebhookDisabled = "WEBHOOK_DISABLED",
        /// A CHECK_BACK lead's date came: it is back with its owner.
        CheckBackDue = "CHECK_BACK_DUE",
        /// An MQL no rep could take (all out of office, at capacity, or nobody in its pool):
        /// it waits in the unassigned queue until routing finds someone.
        UnroutableLead = "UNROUTABLE_LEAD",
        /// An account crossed the contract's account threshold: it is in market (a
        /// marketing-qualified account). Sent to the account's owner once per crossing.
        HotAccount = "HOT_ACCOUNT",
        /// A TRIGGERS and an INFLUENCES persona of the ICP engaged at an account in the last 30
        /// days; the message names the personas still missing. Sent to the account's owner.
        CommitteeCovered = "COMMITTEE_COVERED",
    }
}

string_enum! {
    /// The clocks the contract starts when a lead is assigned.
    SlaKind {
        FirstTouch = "FIRST_TOUCH",
        StatusUpdate = "STATUS_UPDATE",
    }
}

string_enum! {
    /// How a rep reaches the buyer in a cadence step or a touch.
    Channel {
        Email = "EMAIL",
        Call = "CALL",
        Linkedin = "LINKEDIN",
        Voicemail = "VOICEMAIL",
        DirectMail = "DIRECT_MAIL",
        Event = "EVENT",
    }
}

string_enum! {
    /// What a cadence step says: messaging moves from thought leadership to customer story to
    /// next step.
    MessageTheme {
        ThoughtLeadership = "THOUGHT_LEADERSHIP",
        Education = "EDUCATION",
        CustomerStory = "CUSTOMER_STORY",
        SocialProof = "SOCIAL_PROOF",
        ValueProposition = "VALUE_PROPOSITION",
        NextStep = "NEXT_STEP",
        BreakUp = "BREAK_UP",
    }
}

string_enum! {
    /// Whether a play enrolls leads.
    PlayStatus {
        Draft = "DRAFT",
        Active = "ACTIVE",
        Paused = "PAUSED",
    }
}

string_enum! {
    /// Where a lead's run through a play stands.
    EnrollmentStatus {
        Active = "ACTIVE",
        /// A reply or a booked meeting moved the lead on (exit to discovery).
        Accelerated = "ACCELERATED",
        /// The last step passed without response: back to nurture as RE_ENGAGE.
        Recycled = "RECYCLED",
        /// Ended early: opted out, rejected, recycled by hand, paused play, moved on otherwise.
        Stopped = "STOPPED",
    }
}

string_enum! {
    /// Whether a cadence step's task is still to do.
    TaskStatus {
        Open = "OPEN",
        Done = "DONE",
        Cancelled = "CANCELLED",
    }
}

string_enum! {
    /// What came of a touch.
    TouchOutcome {
        Sent = "SENT",
        Connected = "CONNECTED",
        NoAnswer = "NO_ANSWER",
        Replied = "REPLIED",
        MeetingBooked = "MEETING_BOOKED",
        Bounced = "BOUNCED",
        OptedOut = "OPTED_OUT",
    }
}

string_enum! {
    /// What a shared goal measures (seed 004, step 5). Every one is higher-is-better.
    GoalMetric {
        /// Pipeline created from leads sales accepted (marketing-sourced deals).
        SalesAcceptedPipeline = "SALES_ACCEPTED_PIPELINE",
        /// Revenue won from marketing-sourced deals.
        MarketingSourcedClosedRevenue = "MARKETING_SOURCED_CLOSED_REVENUE",
        /// Revenue won where marketing touched the account before the close.
        MarketingInfluencedRevenue = "MARKETING_INFLUENCED_REVENUE",
        ClosedWonRevenue = "CLOSED_WON_REVENUE",
        PipelineCreated = "PIPELINE_CREATED",
        Mqls = "MQLS",
        Sals = "SALS",
        /// SALs / MQLs.
        MqlAcceptanceRate = "MQL_ACCEPTANCE_RATE",
        WinRate = "WIN_RATE",
        /// Share of SLA clocks met on time.
        SlaCompliance = "SLA_COMPLIANCE",
    }
}

string_enum! {
    /// Whether a webhook receives deliveries.
    WebhookStatus {
        Active = "ACTIVE",
        /// Turned off: by its owner, after its deliveries kept failing, or by an HTTP 410.
        Disabled = "DISABLED",
    }
}

string_enum! {
    /// Where a delivery stands.
    DeliveryStatus {
        /// Waiting for its next attempt.
        Pending = "PENDING",
        /// The receiver answered 2xx.
        Delivered = "DELIVERED",
        /// Retried for more than 24 hours without success: given up.
        Failed = "FAILED",
        /// Its webhook was disabled or deleted before it went out.
        Cancelled = "CANCELLED",
    }
}
