//! A bounded-memory histogram of non-negative durations (seconds) for quantiles and CDFs.
//!
//! Bins: one for exact zeros (waits of vehicles that found a free booth), 1-second bins on
//! [0, 200 s), then geometric bins growing by 0.5% up to about 116 days, then one overflow bin.
//! The resolution is therefore 1 s or 0.5%, whichever is coarser. Within a bin, quantiles are
//! interpolated linearly and clamped to the observed maximum.

const LINEAR_LIMIT_S: f64 = 200.0;
const LINEAR_BINS: usize = 200;
const GROWTH: f64 = 1.005;
const LOG_BINS: usize = 2200;
/// Zero bin + linear bins + log bins + overflow bin.
const N_BINS: usize = 1 + LINEAR_BINS + LOG_BINS + 1;

/// Counts of observations by bin, plus exact count, sum, sum of squares and maximum.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    counts: Box<[u32]>,
    n: u64,
    max: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

fn inv_ln_growth() -> f64 {
    1.0 / GROWTH.ln()
}

/// Lower edge of bin `b` (b >= 1).
fn lower_edge(b: usize) -> f64 {
    if b == 0 {
        0.0
    } else if b <= LINEAR_BINS {
        (b - 1) as f64
    } else {
        LINEAR_LIMIT_S * GROWTH.powi((b - 1 - LINEAR_BINS) as i32)
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Histogram {
            counts: vec![0u32; N_BINS].into_boxed_slice(),
            n: 0,
            max: 0.0,
        }
    }

    #[inline]
    fn bin(x: f64) -> usize {
        if x <= 0.0 {
            0
        } else if x < LINEAR_LIMIT_S {
            1 + x as usize
        } else {
            let k = ((x / LINEAR_LIMIT_S).ln() * inv_ln_growth()) as usize;
            (1 + LINEAR_BINS + k).min(N_BINS - 1)
        }
    }

    /// Records one observation (negative values count as zero).
    #[inline]
    pub fn record(&mut self, x: f64) {
        let b = Self::bin(x);
        self.counts[b] = self.counts[b].saturating_add(1);
        self.n += 1;
        if x > self.max {
            self.max = x;
        }
    }

    /// Adds all observations of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
        self.n += other.n;
        self.max = self.max.max(other.max);
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Largest observation (0 when empty).
    pub fn max(&self) -> f64 {
        self.max
    }

    fn upper_edge(&self, b: usize) -> f64 {
        if b == 0 {
            0.0
        } else if b == N_BINS - 1 {
            self.max
        } else {
            lower_edge(b + 1).min(self.max)
        }
    }

    /// Quantiles for the sorted probabilities `ps` (each in [0, 1]); NaN when empty.
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        if self.n == 0 {
            return vec![f64::NAN; ps.len()];
        }
        let mut out = Vec::with_capacity(ps.len());
        let mut cum = 0u64;
        let mut b = 0usize;
        for &p in ps {
            let rank = (p.clamp(0.0, 1.0) * self.n as f64).max(f64::MIN_POSITIVE);
            while b < N_BINS && (cum + u64::from(self.counts[b])) as f64 + 1e-9 < rank {
                cum += u64::from(self.counts[b]);
                b += 1;
            }
            if b >= N_BINS {
                out.push(self.max);
                continue;
            }
            let c = f64::from(self.counts[b]);
            let lo = lower_edge(b).min(self.max);
            let hi = self.upper_edge(b);
            let frac = if c > 0.0 {
                ((rank - cum as f64) / c).clamp(0.0, 1.0)
            } else {
                0.0
            };
            out.push(lo + (hi - lo) * frac);
        }
        out
    }

    /// One quantile.
    pub fn quantile(&self, p: f64) -> f64 {
        self.quantiles(&[p])[0]
    }

    /// Share of observations less than or equal to `x` (bin-interpolated); NaN when empty.
    pub fn cdf(&self, x: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        if x < 0.0 {
            return 0.0;
        }
        if x >= self.max {
            return 1.0;
        }
        let b = Self::bin(x);
        let below: u64 = self.counts[..b].iter().map(|&c| u64::from(c)).sum();
        let lo = lower_edge(b);
        let hi = self.upper_edge(b);
        let within = if b == 0 || hi <= lo {
            f64::from(self.counts[b])
        } else {
            f64::from(self.counts[b]) * ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
        };
        (below as f64 + within) / self.n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_contiguous_and_resolution_holds() {
        for b in 1..N_BINS - 1 {
            let lo = lower_edge(b);
            let hi = lower_edge(b + 1);
            assert!(hi > lo);
            // 1 s or 0.5%, whichever is coarser.
            assert!(
                hi - lo <= 1.0f64.max(0.00501 * lo) + 1e-9,
                "bin {b}: {lo}..{hi}"
            );
            let mid = 0.5 * (lo + hi);
            assert_eq!(Histogram::bin(mid), b, "bin {b} mid {mid}");
        }
        assert!(lower_edge(N_BINS - 1) > 100.0 * 86_400.0);
    }

    #[test]
    fn quantiles_of_a_uniform_grid() {
        let mut h = Histogram::new();
        for i in 0..100_000 {
            h.record(i as f64 * 0.01); // 0 .. 1000 s
        }
        for (p, want) in [(0.5, 500.0), (0.9, 900.0), (0.99, 990.0)] {
            let got = h.quantile(p);
            assert!(
                (got - want).abs() <= 0.005 * want + 1.0,
                "p{p}: {got} vs {want}"
            );
        }
        assert!((h.cdf(250.0) - 0.25).abs() < 0.003);
        assert_eq!(h.cdf(2000.0), 1.0);
    }

    #[test]
    fn zeros_are_exact() {
        let mut h = Histogram::new();
        for _ in 0..80 {
            h.record(0.0);
        }
        for _ in 0..20 {
            h.record(10.5);
        }
        assert_eq!(h.quantile(0.5), 0.0);
        assert_eq!(h.quantile(0.8), 0.0);
        let q = h.quantile(0.9);
        assert!((10.0..=10.5).contains(&q), "{q}");
        assert_eq!(h.quantile(1.0), 10.5);
        assert!((h.cdf(0.0) - 0.8).abs() < 1e-12);
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        a.record(1.0);
        b.record(3000.0);
        a.merge(&b);
        assert_eq!(a.count(), 2);
        assert_eq!(a.max(), 3000.0);
        assert!(Histogram::new().quantile(0.5).is_nan());
    }
}
