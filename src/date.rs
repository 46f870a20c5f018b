//! Calendar dates, `YYYY-MM-DD`: when a suppression expires, and today.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Overrides the system clock's date, so that expiry can be tested (and a
/// CI run replayed as of a given day).
pub const TODAY_VAR: &str = "SITELINT_TODAY";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Exactly `YYYY-MM-DD`, a day that exists.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            let part = text.get(range)?;
            part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse::<u16>().ok()).flatten()
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month: month as u8, day: day as u8 })
    }

    /// `SITELINT_TODAY` when set, else the UTC date of the system clock.
    /// Set but empty counts as not set: CI passes an undefined variable
    /// through as an empty one (`SITELINT_TODAY: ${{ vars.TODAY }}`).
    pub fn today() -> Result<Date, String> {
        if let Ok(text) = std::env::var(TODAY_VAR)
            && !text.is_empty()
        {
            return Date::parse(&text).ok_or(format!("{TODAY_VAR} must be a date, YYYY-MM-DD, not `{text}`"));
        }
        // A clock before 1970 is broken; 1970-01-01 expires nothing early.
        let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Ok(Date::from_unix_seconds(seconds))
    }

    /// The UTC date of a time in seconds since 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`, restricted to dates from 1970 on; std has no
    /// calendar).
    pub fn from_unix_seconds(seconds: u64) -> Date {
        let z = seconds / 86_400 + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        // Years past 65535 are beyond any clock this runs on.
        Date { year: year.min(u64::from(u16::MAX)) as u16, month: month as u8, day: day as u8 }
    }
}

fn days_in_month(year: u16, month: u16) -> u16 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_days_only() {
        assert_eq!(Date::parse("2027-01-31").map(|d| d.to_string()), Some("2027-01-31".into()));
        assert_eq!(Date::parse("2028-02-29").map(|d| d.to_string()), Some("2028-02-29".into()));
        for bad in
            ["2027-02-29", "1900-02-29", "2027-13-01", "2027-00-10", "2027-04-31", "2027-1-31", "27-01-31"]
        {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::parse("2027-01-3x"), None);
        assert_eq!(Date::parse("2027-01-+1"), None);
        assert_eq!(Date::parse("2027-01-3é"), None);
    }

    #[test]
    fn seconds_since_1970_become_dates() {
        assert_eq!(Date::from_unix_seconds(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_seconds(59 * 86_400).to_string(), "1970-03-01");
        assert_eq!(Date::from_unix_seconds(11_016 * 86_400).to_string(), "2000-02-29");
        assert_eq!(Date::from_unix_seconds(20_818 * 86_400).to_string(), "2026-12-31");
        assert_eq!(Date::from_unix_seconds(20_819 * 86_400).to_string(), "2027-01-01");
        // The last second of a day is still that day.
        assert_eq!(Date::from_unix_seconds(20_819 * 86_400 - 1).to_string(), "2026-12-31");
    }

    #[test]
    fn dates_order_by_day() {
        let d = |t| Date::parse(t).unwrap();
        assert!(d("2026-12-31") < d("2027-01-01"));
        assert!(d("2027-01-31") < d("2027-02-01"));
    }
}
