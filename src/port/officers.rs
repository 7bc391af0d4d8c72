//! Officer variation: each booth of a lane gets a speed factor for the day.
//!
//! With `officer_sd = s` on a lane, at the start of every simulated day each of the lane's
//! booths draws a factor from a log-normal distribution with mean 1 and standard deviation `s`
//! (stream `officer:<lane id>`), and every inspection at that booth that day takes the sampled
//! inspection time times the factor. Parallel booths then differ persistently through the day,
//! as field studies of primary inspection observe.

use crate::engine::{RngStream, StreamId};

/// The day's speed factors of one lane's booths.
pub(super) struct OfficerSpeeds {
    mu: f64,
    sigma: f64,
    rng: RngStream,
    factors: Vec<f64>,
}

impl OfficerSpeeds {
    /// Factors for `booths` booths with standard deviation `sd` (mean 1).
    pub(super) fn new(sd: f64, booths: u32, seed: u64, replication: u64, lane_id: &str) -> Self {
        let sigma2 = libm::log1p(sd * sd);
        let mut s = OfficerSpeeds {
            mu: -0.5 * sigma2,
            sigma: sigma2.sqrt(),
            rng: RngStream::new(
                seed,
                replication,
                StreamId::named(&format!("officer:{lane_id}")),
            ),
            factors: vec![1.0; booths as usize],
        };
        s.new_day();
        s
    }

    /// Draws every booth's factor for a new day.
    pub(super) fn new_day(&mut self) {
        for f in &mut self.factors {
            *f = libm::exp(self.mu + self.sigma * self.rng.normal());
        }
    }

    /// The factor of `booth` today.
    #[inline]
    pub(super) fn factor(&self, booth: u32) -> f64 {
        self.factors[booth as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::mean_ci;

    /// Factors have mean 1 and the standard deviation asked for (95% Student-t intervals over
    /// 20 batches of 5,000 draws; two checks, each at 97.5%: t(0.0125, 19) = 2.433).
    #[test]
    fn factors_have_mean_one_and_the_given_sd() {
        let mut s = OfficerSpeeds::new(0.2, 5_000, 3, 0, "x");
        let (mut means, mut sds) = (Vec::new(), Vec::new());
        for _ in 0..20 {
            s.new_day();
            let n = s.factors.len() as f64;
            let m = s.factors.iter().sum::<f64>() / n;
            let v = s.factors.iter().map(|f| (f - m).powi(2)).sum::<f64>() / (n - 1.0);
            means.push(m);
            sds.push(v.sqrt());
        }
        let widen = 2.433 / 2.093;
        let (m, sd) = (mean_ci(&means), mean_ci(&sds));
        assert!(
            (m.mean - 1.0).abs() <= widen * m.ci95,
            "mean {} ± {}",
            m.mean,
            m.ci95
        );
        // The sample sd is biased low by O(1/n): negligible at n = 5,000 next to the interval.
        assert!(
            (sd.mean - 0.2).abs() <= widen * sd.ci95 + 1e-4,
            "sd {} ± {}",
            sd.mean,
            sd.ci95
        );
    }
}
