//! Dates and day types: what day of the week each simulated day is, which days are holidays,
//! and which booth schedule and demand factor each day takes.
//!
//! Simulated day `d` starts at `d x 24 h`. Without a `start` date day 0 is a Monday (as the
//! `weekday_factors` have always counted); with one it is that date, so day `d` is `start + d`.

use std::fmt;

/// A date of the proleptic Gregorian calendar (no time zone: a port's local days).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01 (negative before).
    days: i64,
}

/// Days from 1970-01-01 to year-month-day (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Year, month, day of a day count (the inverse of `days_from_civil`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// The date `year-month-day`, if it exists (years 1 to 9999).
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then(|| Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// Parses `YYYY-MM-DD` (exactly that form).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = &s[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        Date::from_ymd(digits(0..4)?, digits(5..7)? as u32, digits(8..10)? as u32)
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.days)
    }

    /// Day of the week, 0 = Monday ... 6 = Sunday.
    pub fn weekday(self) -> usize {
        // 1970-01-01 was a Thursday (3).
        (self.days + 3).rem_euclid(7) as usize
    }

    /// The date `n` days later.
    pub fn plus_days(self, n: i64) -> Date {
        Date {
            days: self.days + n,
        }
    }

    /// Days from `earlier` to `self` (negative when `self` is before).
    pub fn days_since(self, earlier: Date) -> i64 {
        self.days - earlier.days
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Which schedule a day follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DayType {
    /// Monday to Friday.
    Weekday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl DayType {
    /// All day types, in the order used by the file format.
    pub const ALL: [DayType; 3] = [DayType::Weekday, DayType::Saturday, DayType::Sunday];

    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            DayType::Weekday => "weekday",
            DayType::Saturday => "saturday",
            DayType::Sunday => "sunday",
        }
    }

    /// The day type of day of the week `dow` (0 = Monday).
    pub fn of_weekday(dow: usize) -> DayType {
        match dow % 7 {
            5 => DayType::Saturday,
            6 => DayType::Sunday,
            _ => DayType::Weekday,
        }
    }
}

/// A date with its own demand factor and booth schedule (a holiday).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpecialDate {
    /// The date.
    pub date: Date,
    /// Multiplies the day's demand.
    pub demand: f64,
    /// The booth schedule the day follows (default: its own day type).
    pub booths: Option<DayType>,
}

/// When day 0 is and which dates are special.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CalendarConfig {
    /// The date of day 0 (None: day 0 is a Monday with no date).
    pub start: Option<Date>,
    /// Holidays and other special dates, in date order (only with a start).
    pub dates: Vec<SpecialDate>,
}

impl CalendarConfig {
    /// Day of the week of simulated day 0 (0 = Monday).
    pub fn first_weekday(&self) -> usize {
        self.start.map_or(0, Date::weekday)
    }

    /// The date of simulated day `day`, when the calendar has a start.
    pub fn date_of(&self, day: u64) -> Option<Date> {
        self.start.map(|s| s.plus_days(day as i64))
    }

    /// Demand factor and booth day type of each simulated day below `days`, or None when no
    /// special date falls in them (then every day follows its weekday).
    pub fn special_days(&self, days: u64) -> Option<Vec<(f64, DayType)>> {
        let start = self.start?;
        let first = self.first_weekday();
        let mut out: Vec<(f64, DayType)> = (0..days)
            .map(|d| (1.0, DayType::of_weekday(first + d as usize)))
            .collect();
        let mut any = false;
        for s in &self.dates {
            let d = s.date.days_since(start);
            if d >= 0 && (d as u64) < days {
                let slot = &mut out[d as usize];
                slot.0 = s.demand;
                if let Some(t) = s.booths {
                    slot.1 = t;
                }
                any = true;
            }
        }
        any.then_some(out)
    }
}

/// Fills the gaps of a schedule by day and hour (`have[day][hour]`, None = no value): each gap
/// takes the same hour of the nearest day that has a value (the earlier day on a tie); an hour
/// that no day has takes `fallback[hour]` (the lane's median for that hour), 0 without one.
/// Returns the filled schedule, the hours filled, and how many of them came from `fallback`.
pub fn fill_schedule_gaps(
    have: &[[Option<u32>; 24]],
    fallback: &[Option<u32>; 24],
) -> (Vec<[u32; 24]>, usize, usize) {
    let days = have.len();
    let mut out = vec![[0u32; 24]; days];
    let mut filled = 0;
    let mut from_fallback = 0;
    for h in 0..24 {
        let days_with: Vec<usize> = (0..days).filter(|&d| have[d][h].is_some()).collect();
        for d in 0..days {
            if let Some(n) = have[d][h] {
                out[d][h] = n;
                continue;
            }
            filled += 1;
            // The nearest day with a value: the first at or after `d`, or the one before it.
            let i = days_with.partition_point(|&o| o < d);
            let after = days_with.get(i).copied();
            let before = i.checked_sub(1).map(|j| days_with[j]);
            let nearest = match (before, after) {
                (Some(b), Some(a)) => Some(if d - b <= a - d { b } else { a }),
                (b, a) => b.or(a),
            };
            out[d][h] = match nearest {
                Some(o) => have[o][h].expect("days_with holds days with a value"),
                None => {
                    from_fallback += 1;
                    fallback[h].unwrap_or(0)
                }
            };
        }
    }
    (out, filled, from_fallback)
}

/// The lower median of `values` (None when empty).
pub fn lower_median(values: &mut [u32]) -> Option<u32> {
    values.sort_unstable();
    (!values.is_empty()).then(|| values[(values.len() - 1) / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_know_their_weekday() {
        let d = Date::parse("2025-09-01").expect("valid");
        assert_eq!(d.to_string(), "2025-09-01");
        assert_eq!(d.weekday(), 0, "1 September 2025 was a Monday");
        assert_eq!(Date::parse("2025-12-24").expect("valid").weekday(), 2);
        assert_eq!(Date::parse("2024-02-29").expect("leap day").weekday(), 3);
        assert_eq!(Date::parse("1970-01-01").expect("epoch").weekday(), 3);
        assert_eq!(
            Date::parse("2000-03-01")
                .expect("valid")
                .plus_days(-1)
                .to_string(),
            "2000-02-29"
        );
        assert_eq!(
            Date::parse("2026-01-01")
                .expect("valid")
                .days_since(Date::parse("2025-09-01").expect("valid")),
            122
        );
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-01",
            "25-01-01",
            "2025/01/01",
            "2025-01-32",
            "+025-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        // Every day of four centuries survives the round trip.
        let mut d = Date::parse("1900-01-01").expect("valid");
        for _ in 0..146_097 {
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
            d = d.plus_days(1);
        }
    }

    #[test]
    fn special_days_override_demand_and_booths() {
        let cal = CalendarConfig {
            start: Date::parse("2025-12-22"),
            dates: vec![SpecialDate {
                date: Date::parse("2025-12-24").expect("valid"),
                demand: 1.4,
                booths: Some(DayType::Sunday),
            }],
        };
        assert_eq!(cal.first_weekday(), 0);
        let days = cal.special_days(7).expect("one special date in range");
        assert_eq!(days[1], (1.0, DayType::Weekday));
        assert_eq!(days[2], (1.4, DayType::Sunday));
        assert_eq!(days[5], (1.0, DayType::Saturday));
        assert_eq!(days[6], (1.0, DayType::Sunday));
        assert_eq!(cal.special_days(2), None);
    }

    #[test]
    fn schedule_gaps_take_the_nearest_day_then_the_fallback() {
        let mut have = vec![[None; 24]; 5];
        have[0][6] = Some(2);
        have[4][6] = Some(5);
        let mut fallback = [None; 24];
        fallback[7] = Some(6);
        let (s, filled, from_fallback) = fill_schedule_gaps(&have, &fallback);
        let h6: Vec<u32> = s.iter().map(|d| d[6]).collect();
        // Day 2 is two days from both: the earlier wins.
        assert_eq!(h6, vec![2, 2, 2, 5, 5]);
        assert!(s.iter().all(|d| d[7] == 6 && d[8] == 0));
        assert_eq!(filled, 5 * 24 - 2);
        assert_eq!(from_fallback, 5 * 23);
        assert_eq!(lower_median(&mut [9, 4, 6, 1]), Some(4));
        assert_eq!(lower_median(&mut []), None);
    }
}
