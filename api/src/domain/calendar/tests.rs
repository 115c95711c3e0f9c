use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::America::New_York;

use super::*;

/// New York wall-clock time as an instant.
fn ny(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    New_York
        .with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .single()
        .expect("unambiguous local time")
        .with_timezone(&Utc)
}

fn utc(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .unwrap()
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn time(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
}

fn with_holidays(days: &[NaiveDate]) -> BusinessCalendar {
    BusinessCalendar {
        holidays: days.to_vec(),
        ..BusinessCalendar::default()
    }
}

#[test]
fn five_minute_first_touch_late_on_friday_is_due_monday_morning() {
    let cal = BusinessCalendar::default();
    // 2026-01-02 is a Friday.
    let due = cal.add_business_duration(ny(1, 2, 16, 58), Duration::minutes(5));
    assert_eq!(due, ny(1, 5, 9, 3));
    assert_eq!(
        cal.business_duration_between(ny(1, 2, 16, 58), due),
        Duration::minutes(5)
    );
}

#[test]
fn four_hour_sla_carries_into_the_next_morning() {
    let cal = BusinessCalendar::default();
    assert_eq!(
        cal.add_business_duration(ny(1, 6, 15, 0), Duration::hours(4)),
        ny(1, 7, 11, 0)
    );
    // Due exactly at closing time, not at the next opening.
    assert_eq!(
        cal.add_business_duration(ny(1, 6, 15, 0), Duration::hours(2)),
        ny(1, 6, 17, 0)
    );
    // 48 hours of working time is six working days.
    assert_eq!(
        cal.add_business_duration(ny(1, 6, 9, 0), Duration::hours(48)),
        ny(1, 13, 17, 0)
    );
}

#[test]
fn holidays_are_skipped() {
    let cal = with_holidays(&[date(1, 7)]);
    assert_eq!(
        cal.add_business_duration(ny(1, 6, 15, 0), Duration::hours(4)),
        ny(1, 8, 11, 0)
    );
    // Christmas Eve (Thursday) afternoon, Christmas off, then the weekend.
    let cal = with_holidays(&[date(12, 25)]);
    assert_eq!(
        cal.add_business_duration(ny(12, 24, 15, 0), Duration::hours(4)),
        ny(12, 28, 11, 0)
    );
    assert_eq!(
        cal.business_duration_between(ny(12, 24, 15, 0), ny(12, 28, 11, 0)),
        Duration::hours(4)
    );
}

#[test]
fn a_start_outside_hours_counts_from_the_next_opening() {
    let cal = BusinessCalendar::default();
    assert_eq!(
        cal.add_business_duration(ny(1, 6, 3, 0), Duration::hours(4)),
        ny(1, 6, 13, 0)
    );
    assert_eq!(
        cal.add_business_duration(ny(1, 6, 20, 0), Duration::minutes(30)),
        ny(1, 7, 9, 30)
    );
    // Saturday.
    assert_eq!(
        cal.add_business_duration(ny(1, 3, 12, 0), Duration::minutes(5)),
        ny(1, 5, 9, 5)
    );
    assert_eq!(
        cal.business_duration_between(ny(1, 3, 0, 0), ny(1, 5, 0, 0)),
        Duration::zero()
    );
}

#[test]
fn daylight_saving_changes_the_night_not_the_working_day() {
    let cal = BusinessCalendar::default();
    // New York springs forward on Sunday 2026-03-08: Friday 16:00 EST is 21:00 UTC, Monday
    // 10:00 EDT is 14:00 UTC.
    let start = ny(3, 6, 16, 0);
    assert_eq!(start, utc(3, 6, 21, 0));
    let due = cal.add_business_duration(start, Duration::hours(2));
    assert_eq!(due, ny(3, 9, 10, 0));
    assert_eq!(due, utc(3, 9, 14, 0));
    assert_eq!(
        cal.business_duration_between(start, due),
        Duration::hours(2)
    );
    assert_eq!(
        cal.business_duration_between(ny(3, 9, 9, 0), ny(3, 9, 17, 0)),
        Duration::hours(8)
    );
    // And falls back on Sunday 2026-11-01.
    assert_eq!(
        cal.add_business_duration(ny(10, 30, 16, 0), Duration::hours(2)),
        utc(11, 2, 15, 0)
    );
}

#[test]
fn hours_that_straddle_a_clock_change_are_as_long_as_they_really_are() {
    // A Sunday shift from 01:00 to 04:00 loses an hour in spring and gains one in autumn.
    let cal = BusinessCalendar {
        working_days: vec![Weekday::Sun],
        opens: time(1, 0),
        closes: time(4, 0),
        ..BusinessCalendar::default()
    };
    let spring = cal.business_duration_between(utc(3, 8, 0, 0), utc(3, 9, 0, 0));
    assert_eq!(spring, Duration::hours(2));
    let autumn = cal.business_duration_between(utc(11, 1, 0, 0), utc(11, 2, 0, 0));
    assert_eq!(autumn, Duration::hours(4));
    // Opening at a time that does not exist that day (02:30) opens at 03:30 EDT.
    let gap = BusinessCalendar {
        opens: time(2, 30),
        closes: time(5, 0),
        ..cal
    };
    assert_eq!(
        gap.add_business_duration(utc(3, 8, 0, 0), Duration::minutes(1)),
        utc(3, 8, 7, 31)
    );
    assert_eq!(
        gap.business_duration_between(utc(3, 8, 0, 0), utc(3, 9, 0, 0)),
        Duration::minutes(90)
    );
}

#[test]
fn adding_then_measuring_gives_the_duration_back() {
    let cal = with_holidays(&[date(3, 10)]);
    let durations = [1, 5, 59, 240, 480, 481, 2880].map(Duration::minutes);
    // Every 37 minutes across the spring-forward week and a holiday.
    let mut start = ny(3, 5, 0, 0);
    while start < ny(3, 12, 0, 0) {
        for d in durations {
            let due = cal.add_business_duration(start, d);
            assert_eq!(
                cal.business_duration_between(start, due),
                d,
                "{start} + {d}"
            );
            let due_time = due.with_timezone(&New_York);
            assert!(due_time.time() > time(9, 0) && due_time.time() <= time(17, 0));
        }
        start += Duration::minutes(37);
    }
}

#[test]
fn calendar_time_mode_is_plain_arithmetic() {
    let cal = BusinessCalendar {
        business_hours_only: false,
        ..BusinessCalendar::default()
    };
    assert_eq!(
        cal.add_business_duration(ny(1, 2, 16, 58), Duration::minutes(5)),
        ny(1, 2, 17, 3)
    );
    assert_eq!(
        cal.business_duration_between(ny(1, 2, 16, 0), ny(1, 5, 16, 0)),
        Duration::hours(72)
    );
    assert_eq!(cal.add_business_days(ny(1, 2, 10, 0), 1), ny(1, 3, 10, 0));
    // Calendar days keep the wall-clock time across the change: 23 hours that Sunday.
    assert_eq!(cal.add_business_days(ny(3, 7, 10, 0), 1), ny(3, 8, 10, 0));
    assert_eq!(ny(3, 8, 10, 0) - ny(3, 7, 10, 0), Duration::hours(23));
    assert_eq!(
        cal.warn_at(ny(1, 2, 16, 0), ny(1, 2, 20, 0), 0.75),
        ny(1, 2, 19, 0)
    );
}

#[test]
fn an_unusable_calendar_falls_back_to_calendar_time() {
    let cal = BusinessCalendar {
        working_days: Vec::new(),
        ..BusinessCalendar::default()
    };
    assert!(cal.validate().is_err());
    assert_eq!(
        cal.add_business_duration(ny(1, 3, 12, 0), Duration::hours(1)),
        ny(1, 3, 13, 0)
    );
    assert_eq!(cal.add_business_days(ny(1, 3, 12, 0), 2), ny(1, 5, 12, 0));
}

#[test]
fn business_days_skip_weekends_and_holidays() {
    let cal = BusinessCalendar::default();
    assert_eq!(cal.add_business_days(ny(1, 2, 10, 0), 0), ny(1, 2, 10, 0));
    assert_eq!(cal.add_business_days(ny(1, 2, 10, 0), 1), ny(1, 5, 10, 0));
    assert_eq!(cal.add_business_days(ny(1, 8, 10, 0), 2), ny(1, 12, 10, 0));
    assert_eq!(
        cal.add_business_days(ny(1, 5, 14, 30), 10),
        ny(1, 19, 14, 30)
    );
    let cal = with_holidays(&[date(1, 12)]);
    assert_eq!(cal.add_business_days(ny(1, 8, 10, 0), 2), ny(1, 13, 10, 0));
    // Outside hours, the count starts at the next opening.
    assert_eq!(cal.add_business_days(ny(1, 3, 10, 0), 0), ny(1, 5, 9, 0));
    assert_eq!(cal.add_business_days(ny(1, 3, 10, 0), 1), ny(1, 6, 9, 0));
    assert_eq!(cal.add_business_days(ny(1, 6, 22, 0), 1), ny(1, 8, 9, 0));
    assert_eq!(cal.add_business_days(ny(1, 6, 7, 0), 1), ny(1, 7, 9, 0));
    // Across the spring change: the same wall-clock time, 71 hours later.
    let due = cal.add_business_days(ny(3, 6, 10, 0), 1);
    assert_eq!(due, ny(3, 9, 10, 0));
    assert_eq!(due - ny(3, 6, 10, 0), Duration::hours(71));
}

#[test]
fn warnings_come_after_a_share_of_the_working_time() {
    let cal = BusinessCalendar::default();
    let (start, due) = (ny(1, 6, 15, 0), ny(1, 7, 11, 0));
    assert_eq!(cal.warn_at(start, due, 0.75), ny(1, 7, 10, 0));
    assert_eq!(cal.warn_at(start, due, 0.5), ny(1, 6, 17, 0));
    assert_eq!(cal.warn_at(start, due, 0.0), start);
    assert_eq!(cal.warn_at(start, due, 1.0), due);
    assert_eq!(cal.warn_at(start, due, 7.0), due);
    assert_eq!(cal.warn_at(start, due, f64::NAN), start);
    // Half of a five-minute SLA straddling the weekend.
    let due = cal.add_business_duration(ny(1, 2, 16, 58), Duration::minutes(5));
    assert_eq!(
        cal.warn_at(ny(1, 2, 16, 58), due, 0.5),
        ny(1, 5, 9, 0) + Duration::seconds(30)
    );
}

#[test]
fn validation_names_the_field() {
    BusinessCalendar::default().validate().unwrap();
    let refused = |cal: BusinessCalendar| cal.validate().unwrap_err();
    let base = BusinessCalendar::default;
    let e = refused(BusinessCalendar {
        opens: time(17, 0),
        ..base()
    });
    assert_eq!(e.to_string(), "closes: must be after opens");
    let e = refused(BusinessCalendar {
        working_days: vec![],
        ..base()
    });
    assert_eq!(e.field, "workingDays");
    let e = refused(BusinessCalendar {
        working_days: vec![Weekday::Mon, Weekday::Mon],
        ..base()
    });
    assert_eq!(e.to_string(), "workingDays: Mon appears twice");
    let e = refused(with_holidays(&[date(12, 25), date(1, 1), date(12, 25)]));
    assert_eq!(e.to_string(), "holidays: 2026-12-25 appears twice");
}

#[test]
fn stored_with_the_zone_name() {
    let cal = with_holidays(&[date(12, 25)]);
    let json = serde_json::to_value(&cal).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "timeZone": "America/New_York",
            "workingDays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
            "opens": "09:00:00",
            "closes": "17:00:00",
            "holidays": ["2026-12-25"],
            "businessHoursOnly": true,
        })
    );
    assert_eq!(
        serde_json::from_value::<BusinessCalendar>(json).unwrap(),
        cal
    );
    let mut json = serde_json::to_value(&cal).unwrap();
    json["timeZone"] = "Europe/Berlin".into();
    let berlin: BusinessCalendar = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(berlin.time_zone, chrono_tz::Europe::Berlin);
    json["timeZone"] = "Mars/Olympus_Mons".into();
    let err = serde_json::from_value::<BusinessCalendar>(json).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown time zone 'Mars/Olympus_Mons'"),
        "{err}"
    );
}
