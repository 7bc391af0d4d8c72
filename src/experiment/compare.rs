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
    /// Pairs used: replications in which both sides have a value. The baseline and
    /// alternative means are taken over these same pairs, so `diff.mean` is their difference.
    pub n: usize,
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
/// by index; only the first `min(len)` are used, and of those only the pairs in which both
/// sides have a (finite) value: a rare class with nobody served in some replications leaves
/// those replications out of its baseline mean, its alternative mean and their difference alike.
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
            let mut any = false;
            let (mut bv, mut av, mut dv) = (Vec::new(), Vec::new(), Vec::new());
            for (rb, ra) in base[..n].iter().zip(&alt[..n]) {
                let (b, a) = (rb.groups[bi].metric(m), ra.groups[ai].metric(m));
                any |= b.is_finite() || a.is_finite();
                if b.is_finite() && a.is_finite() {
                    bv.push(b);
                    av.push(a);
                    dv.push(a - b);
                }
            }
            if !any {
                continue;
            }
            out.push(MetricDiff {
                group: label.clone(),
                metric: m,
                baseline: mean_ci(&bv),
                alternative: mean_ci(&av),
                diff: mean_ci(&dv),
                n: dv.len(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::{GroupRef, GroupResult};

    /// Replications whose only group has `WaitMean` values `xs` (NaN: nobody served).
    fn reps(xs: &[f64]) -> Vec<ReplicationResult> {
        xs.iter()
            .enumerate()
            .map(|(i, &x)| {
                let mut metrics = vec![f64::NAN; Metric::COUNT];
                metrics[Metric::WaitMean as usize] = x;
                ReplicationResult {
                    replication: i as u32,
                    groups: vec![GroupResult {
                        group: GroupRef::All,
                        metrics,
                        hourly: Vec::new(),
                        wait_cdf: Vec::new(),
                    }],
                    vehicles_simulated: 0,
                    flows: Vec::new(),
                }
            })
            .collect()
    }

    /// A rare class served in only some replications of the baseline: the three means rest on
    /// the same pairs, so the difference is the alternative mean minus the baseline mean.
    #[test]
    fn a_rare_class_is_compared_on_the_same_pairs() {
        let cfg = crate::scenario::load_file(std::path::Path::new("scenarios/mmc-example.toml"))
            .expect("bundled scenario")
            .config;
        let nan = f64::NAN;
        let base = reps(&[
            300.0, nan, 200.0, nan, 400.0, 100.0, nan, 500.0, 300.0, 200.0,
        ]);
        let alt = reps(&[
            250.0, 900.0, 150.0, 800.0, 350.0, 90.0, 700.0, 450.0, 250.0, 150.0,
        ]);
        let d = paired_diffs(&cfg, &base, &cfg, &alt);
        let w = d
            .iter()
            .find(|d| d.metric == Metric::WaitMean)
            .expect("wait row");
        assert_eq!(w.n, 7);
        assert_eq!((w.baseline.n, w.alternative.n, w.diff.n), (7, 7, 7));
        assert!(
            (w.diff.mean - (w.alternative.mean - w.baseline.mean)).abs() < 1e-9,
            "{} vs {} - {}",
            w.diff.mean,
            w.alternative.mean,
            w.baseline.mean
        );
        assert!((w.diff.mean + 310.0 / 7.0).abs() < 1e-9, "{}", w.diff.mean);
        // A metric with no value on either side gives no row.
        assert!(d.iter().all(|d| d.metric == Metric::WaitMean));
    }

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
