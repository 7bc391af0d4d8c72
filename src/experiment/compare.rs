//! Paired comparisons under common random numbers.
//!
//! An alternative run with the same seed as its baseline draws the same arrivals, class draws and
//! (lane by lane, keyed by lane id) the same service times, so replication `r` of both is a
//! matched pair. Differences are then summarised by a paired Student-t interval over
//! replications, which is much tighter than comparing two independent intervals.

use crate::port::{Metric, PortConfig, ReplicationResult};
use crate::stats::{MeanCi, mean_ci, student_t_975};

/// One (group, metric) of a baseline/alternative comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDiff {
    /// Group label (`all`, `lane:<id>`, `class:<id>`), matched by label across the two.
    pub group: String,
    /// The metric.
    pub metric: Metric,
    /// Baseline mean and CI.
    pub baseline: MeanCi,
    /// Alternative mean and CI.
    pub alternative: MeanCi,
    /// Paired difference (alternative - baseline), mean and CI over replications.
    pub diff: MeanCi,
}

impl MetricDiff {
    /// Relative change of the means (NaN when the baseline mean is 0).
    pub fn rel_change(&self) -> f64 {
        if self.baseline.mean != 0.0 {
            self.diff.mean / self.baseline.mean
        } else {
            f64::NAN
        }
    }

    /// Half-width of the 95% interval of the difference had the two runs been independent
    /// (Welch's interval from the two means' intervals): what pairing saves.
    pub fn unpaired_ci95(&self) -> f64 {
        welch_ci95(&self.baseline, &self.alternative)
    }

    /// Whether the 95% interval of the difference excludes zero.
    pub fn significant(&self) -> bool {
        self.diff.ci95.is_finite() && self.diff.mean.abs() > self.diff.ci95
    }
}

/// Welch's 95% half-width for the difference of two independent means given their intervals.
pub fn welch_ci95(a: &MeanCi, b: &MeanCi) -> f64 {
    if a.n < 2 || b.n < 2 {
        return f64::NAN;
    }
    // Squared standard errors recovered from each half-width.
    let se2 = |m: &MeanCi| (m.ci95 / student_t_975(m.n - 1)).powi(2);
    let (va, vb) = (se2(a), se2(b));
    let total = va + vb;
    if total == 0.0 {
        return 0.0;
    }
    let df = total * total / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    student_t_975((df.floor() as usize).max(1)) * total.sqrt()
}

/// Paired differences for every (group, metric) present in both runs. Replications are paired
/// by index; only the first `min(len)` are used.
pub fn paired_diffs(
    base_cfg: &PortConfig,
    base: &[ReplicationResult],
    alt_cfg: &PortConfig,
    alt: &[ReplicationResult],
) -> Vec<MetricDiff> {
    let n = base.len().min(alt.len());
    let (Some(b0), Some(a0)) = (base.first(), alt.first()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (bi, bg) in b0.groups.iter().enumerate() {
        let label = base_cfg.group_label(bg.group);
        let Some(ai) = a0
            .groups
            .iter()
            .position(|g| alt_cfg.group_label(g.group) == label)
        else {
            continue;
        };
        for &m in Metric::ALL {
            let bv: Vec<f64> = base[..n].iter().map(|r| r.groups[bi].metric(m)).collect();
            let av: Vec<f64> = alt[..n].iter().map(|r| r.groups[ai].metric(m)).collect();
            let dv: Vec<f64> = bv.iter().zip(&av).map(|(b, a)| a - b).collect();
            let baseline = mean_ci(&bv);
            let alternative = mean_ci(&av);
            if baseline.n == 0 && alternative.n == 0 {
                continue;
            }
            out.push(MetricDiff {
                group: label.clone(),
                metric: m,
                baseline,
                alternative,
                diff: mean_ci(&dv),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_matches_textbook() {
        // Two samples of 5 with sd 1: se^2 = 0.2 each, df = 8, half-width t_8 * sqrt(0.4).
        let m = |mean| MeanCi {
            mean,
            ci95: student_t_975(4) * (1.0f64 / 5.0).sqrt(),
            n: 5,
        };
        let w = welch_ci95(&m(1.0), &m(2.0));
        assert!((w - student_t_975(8) * 0.4f64.sqrt()).abs() < 1e-12, "{w}");
    }
}
