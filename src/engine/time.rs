//! Simulated time as an integer count of nanoseconds since the start of a run.
//!
//! Integer time makes event ordering exact, hour boundaries exact and outputs portable: no two
//! machines can disagree about which of two events came first. One nanosecond of resolution
//! leaves about 584 years of range.

use std::fmt;

/// A point in simulated time, or a duration, in whole nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

impl SimTime {
    /// Time zero, the start of a run (a Monday at 00:00).
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable time; used as "never".
    pub const MAX: SimTime = SimTime(u64::MAX);
    const NS_PER_S: f64 = 1e9;
    /// One hour.
    pub const HOUR: SimTime = SimTime(3_600_000_000_000);
    /// One day.
    pub const DAY: SimTime = SimTime(86_400_000_000_000);

    /// From whole nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        SimTime(ns)
    }

    /// From seconds, rounded to the nearest nanosecond; negative or NaN values become zero and
    /// values past the range saturate.
    #[inline]
    pub fn from_secs_f64(s: f64) -> Self {
        // `x + 0.5` truncated is round-half-up for the non-negative values that reach the
        // cast, without a libm call; the float-to-int cast saturates at u64::MAX and maps NaN
        // and negatives to 0.
        let ns = s * Self::NS_PER_S;
        if ns > 0.0 {
            SimTime(f64_to_u64(ns + 0.5))
        } else {
            SimTime(0)
        }
    }

    /// From whole hours.
    pub const fn from_hours(h: u64) -> Self {
        SimTime(h * Self::HOUR.0)
    }

    /// Whole nanoseconds.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds as a float (for statistics, never for ordering).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / Self::NS_PER_S
    }

    /// The index of the hour this instant falls in, counted from the start of the run.
    pub const fn hour_index(self) -> u64 {
        self.0 / Self::HOUR.0
    }

    /// Hour of day, 0..=23 (the run starts at midnight).
    pub const fn hour_of_day(self) -> usize {
        (self.hour_index() % 24) as usize
    }

    /// Day of week, 0 = Monday (the run starts on a Monday).
    pub const fn day_of_week(self) -> usize {
        ((self.0 / Self::DAY.0) % 7) as usize
    }

    /// Saturating addition.
    pub const fn saturating_add(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// Saturating subtraction (zero if `d` is later than `self`).
    pub const fn saturating_sub(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.as_secs_f64())
    }
}

/// `x as u64`, the same value for every `x`: below 2^63 through the signed conversion, which is
/// the same truncation (negative values, which saturate to 0, are raised to it) and one
/// instruction on x86-64 without AVX-512, where the unsigned one takes a compare and two
/// conversions. The rest (2^63 and above, NaN) is kept out of line, so that the compiler does
/// not compute both conversions and choose.
#[inline]
pub(crate) fn f64_to_u64(x: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if x < TWO_63 {
        (x as i64).max(0) as u64
    } else {
        f64_to_u64_high(x)
    }
}

#[cold]
#[inline(never)]
fn f64_to_u64_high(x: f64) -> u64 {
    x as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_conversion_is_the_cast() {
        let two_63 = 9_223_372_036_854_775_808.0f64;
        let mut xs = vec![
            0.0,
            -0.0,
            0.4,
            0.5,
            1.0,
            -1.0,
            -5.5,
            3.6e12 + 0.5,
            two_63,
            f64::from_bits(two_63.to_bits() - 1),
            1.9e19,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        xs.extend((0..2000).map(|i| (i as f64 * 0.37).exp2() * 1.000_001));
        for x in xs {
            assert_eq!(f64_to_u64(x), x as u64, "{x}");
        }
    }

    #[test]
    fn calendar_arithmetic() {
        let t = SimTime::DAY.saturating_add(SimTime::from_hours(5));
        assert_eq!(t.hour_of_day(), 5);
        assert_eq!(t.day_of_week(), 1);
        assert_eq!(SimTime::from_hours(24 * 7 + 1).day_of_week(), 0);
        assert_eq!(SimTime::from_secs_f64(1.5).as_nanos(), 1_500_000_000);
        assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(f64::NAN), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(1e300), SimTime::MAX);
        assert_eq!(SimTime::ZERO.saturating_sub(SimTime::HOUR), SimTime::ZERO);
    }
}
