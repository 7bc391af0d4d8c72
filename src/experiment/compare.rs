//! Paired comparisons under common random numbers.
//!
//! An alternative run with the same seed as its baseline draws the same arrivals, class draws and
//! (lane by lane, keyed by lane id) the same service times, so replication `r` of both is a
//! matched pair. Differences are then summarised by a paired Student-t interval over
//! replications, which is much tighter than comparing two independent intervals.

use crate::port::{Metric, PortConfig, ReplicationResult};
use crate::report::group_label;
use crate::stats::{MeanCi, mean_ci};

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

    /// Whether the 95% interval of the difference excludes zero.
    pub fn significant(&self) -> bool {
        self.diff.ci95.is_finite() && self.diff.mean.abs() > self.diff.ci95
    }
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
        let label = group_label(base_cfg, bg.group);
        let Some(ai) = a0
            .groups
            .iter()
            .position(|g| group_label(alt_cfg, g.group) == label)
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
