//! Day-to-day swings of demand: each simulated day's arrival rate is multiplied by a
//! log-normal factor of mean 1, drawn per (replication, day) from the stream `day_factor`.

use super::config::DemandConfig;
use crate::engine::{RngStream, SimTime, StreamId};

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
        }
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
