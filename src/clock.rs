//! The clock, injected so tests can move time (payment windows, expiry).
//! Times are UTC `NaiveDateTime`; shoppers see China Standard Time (UTC+8,
//! no daylight saving), so local dates are a fixed 8-hour shift.

use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};

pub trait Clock: Send + Sync + 'static {
    /// Now, in UTC.
    fn now(&self) -> NaiveDateTime;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        Utc::now().naive_utc()
    }
}

/// A clock that stands still until told to move.
#[derive(Debug, Clone)]
pub struct TestClock {
    now: Arc<Mutex<NaiveDateTime>>,
}

impl TestClock {
    pub fn new(start: NaiveDateTime) -> TestClock {
        TestClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> NaiveDateTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// China Standard Time is UTC+8 all year.
const CHINA_OFFSET: Duration = Duration::hours(8);

/// The wall-clock time in China at the UTC instant `at`.
pub fn local_datetime(at: NaiveDateTime) -> NaiveDateTime {
    at + CHINA_OFFSET
}

/// The calendar date in China at the UTC instant `at`.
pub fn local_date(at: NaiveDateTime) -> NaiveDate {
    local_datetime(at).date()
}

/// `2026-11-25 14:30` in China time.
pub fn format_local(at: NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    // Written out rather than through a format string, which is parsed on
    // every call (pages show dozens of times).
    let t = local_datetime(at);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_dates_turn_at_midnight_in_china_not_in_utc() {
        let utc = |h| {
            NaiveDate::from_ymd_opt(2026, 11, 24)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        assert_eq!(local_date(utc(15)).to_string(), "2026-11-24");
        assert_eq!(local_date(utc(16)).to_string(), "2026-11-25");
        assert_eq!(format_local(utc(6)), "2026-11-24 14:00");
    }
}
