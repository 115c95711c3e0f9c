//! Business-hours clocks for SLAs and cadences.
//!
//! A five-minute first-touch SLA on a lead assigned at 16:58 on a Friday is due at 09:03 on
//! Monday, not at 17:03 on Friday when nobody is there to meet it. All arithmetic walks local
//! days in the workspace's time zone and converts each day's opening and closing to UTC on its
//! own, so a daylight-saving change shortens or lengthens the night, never the working day.

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// When a workspace works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessCalendar {
    /// Stored as its IANA name ("America/New_York").
    #[serde(with = "tz_name")]
    pub time_zone: Tz,
    pub working_days: Vec<Weekday>,
    /// Local opening time; a day's hours cannot span midnight.
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    pub holidays: Vec<NaiveDate>,
    /// `false`: clocks run in calendar time, nights and weekends included.
    pub business_hours_only: bool,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        BusinessCalendar {
            time_zone: chrono_tz::America::New_York,
            working_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            opens: NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
            closes: NaiveTime::from_hms_opt(17, 0, 0).expect("valid time"),
            holidays: Vec::new(),
            business_hours_only: true,
        }
    }
}

/// A calendar that cannot be used, with the camelCase field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CalendarError {
    pub field: String,
    pub message: String,
}

fn fault(field: &str, message: impl Into<String>) -> CalendarError {
    CalendarError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Most holidays in one calendar: a few years of public holidays, not a list of every day off.
pub const MAX_HOLIDAYS: usize = 1000;

impl BusinessCalendar {
    /// Refuses a calendar whose clocks could never run; the first fault found.
    pub fn validate(&self) -> Result<(), CalendarError> {
        if self.opens >= self.closes {
            return Err(fault("closes", "must be after opens"));
        }
        if self.working_days.is_empty() {
            return Err(fault("workingDays", "at least one working day"));
        }
        let mut days = HashSet::new();
        if let Some(day) = self.working_days.iter().find(|d| !days.insert(**d)) {
            return Err(fault("workingDays", format!("{day} appears twice")));
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            return Err(fault("holidays", format!("at most {MAX_HOLIDAYS}")));
        }
        let mut dates = HashSet::new();
        if let Some(date) = self.holidays.iter().find(|d| !dates.insert(**d)) {
            return Err(fault("holidays", format!("{date} appears twice")));
        }
        Ok(())
    }

    /// Whether clocks skip closed time. An unusable calendar (see [`Self::validate`]) falls back
    /// to calendar time rather than looping forever looking for an opening.
    fn counts_business_hours(&self) -> bool {
        self.business_hours_only && self.opens < self.closes && !self.working_days.is_empty()
    }

    fn is_working_day(&self, date: NaiveDate) -> bool {
        self.working_days.contains(&date.weekday()) && !self.holidays.contains(&date)
    }

    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }

    /// The working window of `date` in UTC, if it is a working day.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_working_day(date) {
            return None;
        }
        let opens = self.to_utc(date.and_time(self.opens));
        let closes = self.to_utc(date.and_time(self.closes));
        (opens < closes).then_some((opens, closes))
    }

    /// A local wall-clock time as an instant. In the autumn overlap the first occurrence wins;
    /// a time skipped in spring is read with the offset in force before the jump, landing as
    /// far past the jump as it was meant to be past the gap's start (02:30 becomes 03:30).
    fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.time_zone.from_local_datetime(&local) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
            LocalResult::None => {
                let before = local - Duration::days(1);
                let offset = self
                    .time_zone
                    .offset_from_local_datetime(&before)
                    .earliest()
                    .map_or(0, |o| o.fix().local_minus_utc());
                Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(offset))))
            }
        }
    }

    /// When `duration` of working time has passed since `start`. A start outside working hours
    /// begins counting at the next opening; a due time may fall exactly on a closing time.
    /// Zero or negative durations are due at `start`.
    pub fn add_business_duration(&self, start: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
        if duration <= Duration::zero() {
            return start;
        }
        if !self.counts_business_hours() {
            return start + duration;
        }
        let mut remaining = duration;
        let mut date = self.local_date(start);
        loop {
            if let Some((opens, closes)) = self.window(date) {
                let from = opens.max(start);
                if from < closes {
                    let available = closes - from;
                    if remaining <= available {
                        return from + remaining;
                    }
                    remaining -= available;
                }
            }
            date = next_day(date);
        }
    }

    /// Working time elapsed between `start` and `end` (zero if `end` is not after `start`): how
    /// long a rep really had when measuring SLA compliance.
    pub fn business_duration_between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Duration {
        if end <= start {
            return Duration::zero();
        }
        if !self.counts_business_hours() {
            return end - start;
        }
        let last = self.local_date(end);
        let mut date = self.local_date(start);
        let mut total = Duration::zero();
        while date <= last {
            if let Some((opens, closes)) = self.window(date) {
                let (from, to) = (opens.max(start), closes.min(end));
                if from < to {
                    total += to - from;
                }
            }
            date = next_day(date);
        }
        total
    }

    /// The same local time on the `days`-th next working day: when a cadence step on day N is
    /// due. A start outside working hours first moves to the next opening, like every clock here,
    /// so a lead enrolled at 22:00 gets its "day 1" call at opening time, not at 22:00.
    /// In calendar-time mode, the same local time `days` calendar days later.
    pub fn add_business_days(&self, start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let tz = self.time_zone;
        if !self.counts_business_hours() {
            let local = start.with_timezone(&tz).naive_local();
            return self.to_utc(local + Duration::days(i64::from(days)));
        }
        let anchor = self.next_working_instant(start);
        let local = anchor.with_timezone(&tz).naive_local();
        let mut date = local.date();
        let mut left = days;
        while left > 0 {
            date = next_day(date);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        self.to_utc(date.and_time(local.time()))
    }

    /// `at` itself if it is working time, else the next opening.
    fn next_working_instant(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let mut date = self.local_date(at);
        loop {
            if let Some((opens, closes)) = self.window(date) {
                if at < closes {
                    return opens.max(at);
                }
            }
            date = next_day(date);
        }
    }

    /// The moment `share` (0.75: three quarters) of the working time from `start` to `due` has
    /// passed: when an SLA warning goes out, so a warning never lands in the middle of a night
    /// the clock does not count. `share` is clamped to 0..=1; with no working time in between,
    /// the warning is due at `start`.
    pub fn warn_at(&self, start: DateTime<Utc>, due: DateTime<Utc>, share: f64) -> DateTime<Utc> {
        let total = self.business_duration_between(start, due);
        let share = if share.is_nan() {
            0.0
        } else {
            share.clamp(0.0, 1.0)
        };
        // Milliseconds keep a five-minute SLA's 75% exact; f64 holds them exactly for centuries.
        let part = (total.num_milliseconds() as f64 * share).round() as i64;
        if part <= 0 {
            start
        } else if part >= total.num_milliseconds() {
            due
        } else {
            self.add_business_duration(start, Duration::milliseconds(part))
        }
    }
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt()
        .expect("dates stay far from chrono's limits")
}

/// Serde for [`Tz`] as its IANA name, without chrono-tz's serde feature.
mod tz_name {
    use chrono_tz::Tz;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tz: &Tz, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(tz.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse()
            .map_err(|_| D::Error::custom(format!("unknown time zone '{name}'")))
    }
}
