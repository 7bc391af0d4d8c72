//! Demand factors beyond the hourly profile: day-to-day swings (each simulated day's arrival
//! rate is multiplied by a log-normal factor of mean 1, drawn per (replication, day) from the
//! stream `day_factor`), and two deterministic ones computed before a run (no draw): the
//! month's factor (`month_factors`) and demand that follows the booths open
//! (`staffing_elasticity`).

use super::calendar::DayType;
use super::config::{DemandConfig, LaneConfig, PortConfig};
use crate::engine::{RngStream, SimTime, StreamId};

/// The ratio of booths open to the reference is kept within `[1 / MAX_STAFFING_RATIO,
/// MAX_STAFFING_RATIO]`: an hour with every counted lane closed (or a reference of a single
/// booth) does not switch the demand off or multiply it without bound.
pub const MAX_STAFFING_RATIO: f64 = 4.0;

/// The typical booths open by hour of day of `lanes[which]`: the sum of their weekday `booths`
/// (a lane replaying a series has its hourly median over the run there).
pub fn staffing_reference(lanes: &[LaneConfig], which: &[usize]) -> [f64; 24] {
    std::array::from_fn(|h| {
        which
            .iter()
            .filter_map(|&i| lanes.get(i))
            .map(|l| f64::from(l.booths[h]))
            .sum()
    })
}

/// The deterministic demand factor of each simulated hour of `[0, horizon)`, in hour order:
/// the month's factor times `(open / reference)^elasticity`. Empty when the scenario has
/// neither `month_factors` nor a staffing elasticity above 0 (then nothing changes).
pub(super) fn hour_factors(cfg: &PortConfig) -> Vec<f64> {
    let d = &cfg.demand;
    let staffing = d.staffing.as_ref().filter(|s| s.elasticity > 0.0);
    let months = d.month_factors.as_ref().zip(cfg.calendar.start);
    if staffing.is_none() && months.is_none() {
        return Vec::new();
    }
    let days = cfg
        .horizon
        .as_nanos()
        .div_ceil(SimTime::DAY.as_nanos())
        .max(1);
    let special = cfg.calendar.special_days(days);
    let first = cfg.calendar.first_weekday();
    // The booths the factor follows: a what-if's basis, or the scenario's own.
    let lanes = staffing.map_or(&cfg.lanes[..], |s| s.basis.as_deref().unwrap_or(&cfg.lanes));
    let mut out = Vec::with_capacity(days as usize * 24);
    for day in 0..days {
        let month = months.map_or(1.0, |(f, start)| {
            let (_, m, _) = start.plus_days(day as i64).ymd();
            f[m as usize - 1]
        });
        let day_type = special.as_ref().map_or_else(
            || DayType::of_weekday(first + day as usize),
            |s| s[day as usize].1,
        );
        for h in 0..24 {
            let mut f = month;
            if let Some(s) = staffing {
                let reference = s.reference[h];
                if reference > 0.0 {
                    let open: f64 = s
                        .lanes
                        .iter()
                        .map(|&i| f64::from(lanes[i].booths_of_day(day, day_type)[h]))
                        .sum();
                    let ratio =
                        (open / reference).clamp(1.0 / MAX_STAFFING_RATIO, MAX_STAFFING_RATIO);
                    f *= libm::pow(ratio, s.elasticity);
                }
            }
            out.push(f);
        }
    }
    out
}

/// The demand factor of each day of `[0, horizon)`, in day order; empty when `day_sd` is 0
/// (every day the same, and no draw is made).
pub(super) fn day_factors(
    demand: &DemandConfig,
    seed: u64,
    replication: u32,
    horizon: SimTime,
) -> Vec<f64> {
    let sd = demand.day_sd;
    if sd <= 0.0 {
        return Vec::new();
    }
    let days = horizon.as_nanos().div_ceil(SimTime::DAY.as_nanos()).max(1);
    let mut rng = RngStream::new(seed, u64::from(replication), StreamId::named("day_factor"));
    // exp(sd Z - sd^2 / 2) has mean 1 and log-sd `sd`.
    (0..days)
        .map(|_| libm::exp(sd * rng.normal() - 0.5 * sd * sd))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demand(day_sd: f64) -> DemandConfig {
        DemandConfig {
            per_hour: [100.0; 24],
            weekday_factors: [1.0; 7],
            scale: 1.0,
            day_sd,
            per_hour_saturday: None,
            per_hour_sunday: None,
            staffing: None,
            month_factors: None,
        }
    }

    use crate::port::calendar::Date;
    use crate::port::config::StaffingDemand;
    use crate::port::model::simulate;
    use crate::port::test_support::{class, config, lane};
    use crate::port::{GroupRef, Metric};

    /// Two lanes over three days from Friday 2025-10-31, the first replaying 2, 4 and 0 booths
    /// all day, the second fixed at 3.
    fn two_lanes(elasticity: f64, months: Option<[f64; 12]>) -> PortConfig {
        let mut c = config(
            [100.0; 24],
            vec![class("c", 1.0, vec![0, 1])],
            vec![lane("a", 2, 60.0), lane("b", 3, 60.0)],
        );
        c.horizon = SimTime::from_hours(72);
        c.calendar.start = Date::parse("2025-10-31");
        c.lanes[0].max_booths = 4;
        c.lanes[0].booths_by_date = Some(vec![[2; 24], [4; 24], [0; 24]]);
        c.demand.staffing = Some(StaffingDemand {
            basis: None,
            elasticity,
            lanes: vec![0],
            reference: staffing_reference(&c.lanes, &[0]),
        });
        c.demand.month_factors = months;
        c
    }

    #[test]
    fn staffing_and_month_factors_by_hour() {
        assert!(
            hour_factors(&two_lanes(0.0, None)).is_empty(),
            "elasticity 0: nothing"
        );
        let f = hour_factors(&two_lanes(0.5, None));
        assert_eq!(f.len(), 72);
        // Reference: lane a's weekday table, 2 booths. Day 1 opens 4 (ratio 2), day 2 none
        // (ratio 0, kept at 1/4).
        assert!(f[..24].iter().all(|&x| x == 1.0));
        assert!(f[24..48].iter().all(|&x| (x - 2f64.sqrt()).abs() < 1e-12));
        assert!(f[48..].iter().all(|&x| (x - 0.5).abs() < 1e-12));
        let mut months = [1.0; 12];
        months[9] = 0.8; // October
        months[10] = 1.25; // November
        let f = hour_factors(&two_lanes(0.0, Some(months)));
        assert!(f[..24].iter().all(|&x| x == 0.8), "31 October");
        assert!(f[24..].iter().all(|&x| x == 1.25), "1-2 November");
        let f = hour_factors(&two_lanes(1.0, Some(months)));
        assert_eq!((f[0], f[30], f[60]), (0.8, 2.5, 0.3125));
        // A reference of 0 booths in an hour leaves that hour alone.
        let mut c = two_lanes(1.0, None);
        c.demand.staffing.as_mut().expect("set").reference[5] = 0.0;
        assert_eq!(hour_factors(&c)[24 + 5], 1.0);
    }

    #[test]
    fn arrivals_follow_the_factors_and_zero_elasticity_changes_nothing() {
        let base = {
            let mut c = two_lanes(0.0, None);
            c.demand.staffing = None;
            c
        };
        let zero = two_lanes(0.0, None);
        // (Compared as text: NaN metrics are not equal to themselves.)
        assert_eq!(
            format!("{:?}", simulate(&base, 0, None)),
            format!("{:?}", simulate(&zero, 0, None))
        );
        // Day 1 at twice the reference booths and elasticity 1: twice the arrivals of day 0.
        let count = |c: &PortConfig| {
            let mut c = c.clone();
            c.horizon = SimTime::from_hours(48);
            let r = simulate(&c, 0, None);
            r.group(GroupRef::All)
                .expect("all")
                .metric(Metric::ArrivalsPerDay)
        };
        let flat = count(&base);
        let follow = count(&two_lanes(1.0, None));
        // Two days: 2400 expected arrivals against 3600; Poisson sd about 60, so 5 sd apart.
        assert!(
            (follow / flat - 1.5).abs() < 0.1,
            "{follow} against {flat} arrivals per day"
        );
    }

    #[test]
    fn no_swing_no_factors() {
        assert!(day_factors(&demand(0.0), 1, 0, SimTime::DAY).is_empty());
    }

    #[test]
    fn factors_have_mean_one_and_the_given_log_sd() {
        let f = day_factors(&demand(0.2), 3, 1, SimTime::from_hours(24 * 40_000));
        let n = f.len() as f64;
        let mean = f.iter().sum::<f64>() / n;
        let logs: Vec<f64> = f.iter().map(|x| x.ln()).collect();
        let lm = logs.iter().sum::<f64>() / n;
        let lsd = (logs.iter().map(|x| (x - lm).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        // Standard error of the mean: sd(factor)/sqrt(n) = 0.2/200 = 0.001; allow 5 of them.
        assert!((mean - 1.0).abs() < 0.005, "mean {mean}");
        // Standard error of a sample sd: sd/sqrt(2n) = 0.0007; allow 5 of them.
        assert!((lsd - 0.2).abs() < 0.0035, "log sd {lsd}");
        // Another replication, other days.
        let g = day_factors(&demand(0.2), 3, 2, SimTime::from_hours(48));
        assert_ne!(f[..2], g[..]);
    }
}
