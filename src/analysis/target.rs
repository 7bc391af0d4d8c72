//! Service targets such as `p95<=20m`, `mean<=10m` or `share_le_20m>=0.8`, checked hour by hour
//! against the upper (or, for shares, lower) end of the replications' 95% interval.

use std::fmt;

use crate::port::HourlyMetric;
use crate::scenario::parse_duration_s;
use crate::stats::{MeanCi, Mmc};

/// What a target constrains.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// Mean wait of the hour's arrivals at most this many seconds.
    MeanWaitAtMost(f64),
    /// 95th percentile wait at most this many seconds.
    P95WaitAtMost(f64),
    /// Share of the hour's arrivals waiting 20 minutes or less at least this.
    ShareLe20mAtLeast(f64),
}

/// How one hour fares against a target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HourCheck {
    /// The conservative end of the interval (upper for waits, lower for shares); NaN when the
    /// hour had no served arrival in any replication.
    pub bound: f64,
    /// Whether the conservative bound meets the target (true when the hour has no arrivals).
    pub met: bool,
    /// How far the bound misses, relative to the target (0 when met).
    pub violation: f64,
}

const ALLOWED: &str = "mean<=DURATION, p95<=DURATION or share_le_20m>=SHARE (e.g. \"p95<=20m\", \"mean<=300s\", \"share_le_20m>=0.8\")";

impl Target {
    /// Parses `mean<=10m`, `p95<=20m`, `share_le_20m>=0.8` (spaces allowed).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let bad = |why: &str| format!("invalid target {text:?}: {why} (expected {ALLOWED})");
        if let Some((lhs, rhs)) = t.split_once("<=") {
            let secs =
                parse_duration_s(rhs).ok_or_else(|| bad(&format!("{rhs:?} is not a duration")))?;
            if secs <= 0.0 {
                return Err(bad("the wait limit must be positive"));
            }
            return match lhs {
                "mean" => Ok(Target::MeanWaitAtMost(secs)),
                "p95" => Ok(Target::P95WaitAtMost(secs)),
                other => Err(bad(&format!("unknown measure {other:?} for <="))),
            };
        }
        if let Some((lhs, rhs)) = t.split_once(">=") {
            let x: f64 = rhs
                .parse()
                .map_err(|_| bad(&format!("{rhs:?} is not a number")))?;
            if !(x > 0.0 && x < 1.0) {
                return Err(bad(&format!(
                    "the share must be between 0 and 1 (exclusive), got {x}"
                )));
            }
            return match lhs {
                "share_le_20m" => Ok(Target::ShareLe20mAtLeast(x)),
                other => Err(bad(&format!("unknown measure {other:?} for >="))),
            };
        }
        Err(bad("no <= or >="))
    }

    /// The hourly metric the target reads.
    pub fn metric(self) -> HourlyMetric {
        match self {
            Target::MeanWaitAtMost(_) => HourlyMetric::WaitMean,
            Target::P95WaitAtMost(_) => HourlyMetric::WaitP95,
            Target::ShareLe20mAtLeast(_) => HourlyMetric::ShareWaitLe20m,
        }
    }

    /// Checks one hour's mean and interval. With fewer than two replications the mean itself is
    /// the bound.
    pub fn check(self, m: MeanCi) -> HourCheck {
        if m.n == 0 || !m.mean.is_finite() {
            return HourCheck {
                bound: f64::NAN,
                met: true,
                violation: 0.0,
            };
        }
        let half = if m.ci95.is_finite() { m.ci95 } else { 0.0 };
        match self {
            Target::MeanWaitAtMost(x) | Target::P95WaitAtMost(x) => {
                let bound = m.mean + half;
                HourCheck {
                    bound,
                    met: bound <= x,
                    violation: ((bound - x) / x).max(0.0),
                }
            }
            Target::ShareLe20mAtLeast(x) => {
                let bound = m.mean - half;
                HourCheck {
                    bound,
                    met: bound >= x,
                    violation: ((x - bound) / x).max(0.0),
                }
            }
        }
    }

    /// The wait the target is about (s): its limit, or 20 minutes for the share target.
    pub fn wait_limit_s(self) -> f64 {
        match self {
            Target::MeanWaitAtMost(x) | Target::P95WaitAtMost(x) => x,
            Target::ShareLe20mAtLeast(_) => 1200.0,
        }
    }

    /// Whether a stationary M/M/c queue meets the target.
    pub fn met_by(self, q: &Mmc) -> bool {
        match self {
            Target::MeanWaitAtMost(x) => q.mean_wait_s() <= x,
            Target::P95WaitAtMost(x) => q.wait_quantile_s(0.95) <= x,
            Target::ShareLe20mAtLeast(x) => 1.0 - q.wait_exceeds(1200.0) >= x,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Target::MeanWaitAtMost(s) => write!(f, "mean<={}", fmt_s(s)),
            Target::P95WaitAtMost(s) => write!(f, "p95<={}", fmt_s(s)),
            Target::ShareLe20mAtLeast(x) => write!(f, "share_le_20m>={x}"),
        }
    }
}

fn fmt_s(s: f64) -> String {
    if s >= 60.0 && (s / 60.0).fract() == 0.0 {
        format!("{}m", s / 60.0)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(Target::parse("p95<=20m"), Ok(Target::P95WaitAtMost(1200.0)));
        assert_eq!(
            Target::parse(" mean <= 300s "),
            Ok(Target::MeanWaitAtMost(300.0))
        );
        assert_eq!(
            Target::parse("share_le_20m>=0.8"),
            Ok(Target::ShareLe20mAtLeast(0.8))
        );
        let e = Target::parse("p99<=20m").unwrap_err();
        assert!(e.contains("unknown measure \"p99\""), "{e}");
        let e = Target::parse("p95<=soon").unwrap_err();
        assert!(e.contains("\"soon\" is not a duration"), "{e}");
        let e = Target::parse("share_le_20m>=1.5").unwrap_err();
        assert!(e.contains("between 0 and 1"), "{e}");
        assert!(
            Target::parse("p95=20m")
                .unwrap_err()
                .contains("no <= or >=")
        );
        assert_eq!(Target::P95WaitAtMost(1200.0).to_string(), "p95<=20m");
    }

    #[test]
    fn checks_use_the_conservative_bound() {
        let t = Target::MeanWaitAtMost(100.0);
        let c = t.check(MeanCi {
            mean: 90.0,
            ci95: 5.0,
            n: 5,
        });
        assert!(c.met && c.bound == 95.0);
        let c = t.check(MeanCi {
            mean: 90.0,
            ci95: 20.0,
            n: 5,
        });
        assert!(!c.met && (c.violation - 0.1).abs() < 1e-12);
        let s = Target::ShareLe20mAtLeast(0.8).check(MeanCi {
            mean: 0.85,
            ci95: 0.1,
            n: 5,
        });
        assert!(!s.met);
        let none = t.check(MeanCi {
            mean: f64::NAN,
            ci95: f64::NAN,
            n: 0,
        });
        assert!(none.met);
    }
}
