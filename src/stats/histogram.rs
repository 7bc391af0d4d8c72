//! A bounded-memory histogram of non-negative durations (seconds) for quantiles and CDFs.
//!
//! Bins: one for exact zeros (waits of vehicles that found a free booth), 1-second bins on
//! [0, 256 s), then each octave [2^k, 2^(k+1)) from 256 s up to 2^24 s (about 194 days) split
//! into 256 equal bins, then one overflow bin. Bin widths are therefore 1 s below 512 s and at
//! most 1/256 (0.39%) of the value above: finer than "1 s or 0.5%, whichever is coarser". The
//! bin of a value comes from its floating-point exponent and top mantissa bits, with no
//! logarithm. Within a bin, quantiles are interpolated linearly and clamped to the maximum.

const LINEAR_BINS: usize = 256;
const SUB_BITS: u32 = 8;
const SUB_BINS: usize = 1 << SUB_BITS;
const FIRST_OCTAVE: i64 = 8; // 2^8 = 256 s
const OCTAVES: usize = 16; // up to 2^24 s
/// Zero bin + linear bins + octave bins + overflow bin.
const N_BINS: usize = 1 + LINEAR_BINS + OCTAVES * SUB_BINS + 1;

/// Counts of observations by bin, with the exact count and maximum.
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

/// Lower edge of bin `b`.
fn lower_edge(b: usize) -> f64 {
    if b == 0 {
        0.0
    } else if b <= LINEAR_BINS {
        (b - 1) as f64
    } else {
        let j = b - 1 - LINEAR_BINS;
        let octave = (j / SUB_BINS) as i32;
        let sub = (j % SUB_BINS) as f64;
        2f64.powi(FIRST_OCTAVE as i32 + octave) * (1.0 + sub / SUB_BINS as f64)
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
        if x <= 0.0 || x.is_nan() {
            0
        } else if x < LINEAR_BINS as f64 {
            1 + x as usize
        } else {
            let bits = x.to_bits();
            let octave = ((bits >> 52) & 0x7ff) as i64 - 1023 - FIRST_OCTAVE;
            if octave >= OCTAVES as i64 {
                return N_BINS - 1;
            }
            let sub = ((bits >> (52 - SUB_BITS)) as usize) & (SUB_BINS - 1);
            1 + LINEAR_BINS + octave as usize * SUB_BINS + sub
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

    /// Records one observation of exactly zero: the same as `record(0.0)`.
    #[inline]
    pub fn record_zero(&mut self) {
        self.counts[0] = self.counts[0].saturating_add(1);
        self.n += 1;
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

    /// `cdf` at each of the sorted points `xs`, in one pass over the bins.
    pub fn cdf_many(&self, xs: &[f64]) -> Vec<f64> {
        if self.n == 0 {
            return vec![f64::NAN; xs.len()];
        }
        let mut out = Vec::with_capacity(xs.len());
        let mut below = 0u64;
        let mut b = 0usize;
        for &x in xs {
            if x < 0.0 {
                out.push(0.0);
                continue;
            }
            if x >= self.max {
                out.push(1.0);
                continue;
            }
            let target = Self::bin(x);
            while b < target {
                below += u64::from(self.counts[b]);
                b += 1;
            }
            out.push(self.cdf_within(b, below, x));
        }
        out
    }

    fn cdf_within(&self, b: usize, below: u64, x: f64) -> f64 {
        let lo = lower_edge(b);
        let hi = self.upper_edge(b);
        let within = if b == 0 || hi <= lo {
            f64::from(self.counts[b])
        } else {
            f64::from(self.counts[b]) * ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
        };
        (below as f64 + within) / self.n as f64
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
        self.cdf_within(b, below, x)
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
            // 1 s or 1/256 (0.39%) of the lower edge, whichever is coarser, as documented.
            assert!(
                hi - lo <= 1.0f64.max(lo / 256.0) + 1e-9,
                "bin {b}: {lo}..{hi}"
            );
            let mid = 0.5 * (lo + hi);
            assert_eq!(Histogram::bin(mid), b, "bin {b} mid {mid}");
        }
        assert!(lower_edge(N_BINS - 1) > 190.0 * 86_400.0);
        assert_eq!(Histogram::bin(1e12), N_BINS - 1);
        assert_eq!(Histogram::bin(255.9), 256);
        assert_eq!(Histogram::bin(256.0), 257);
    }

    #[test]
    fn a_zero_recorded_either_way_is_the_same() {
        let (mut a, mut b) = (Histogram::new(), Histogram::new());
        for h in [&mut a, &mut b] {
            h.record(3.5);
            h.record(0.0);
        }
        a.record(0.0);
        b.record_zero();
        assert_eq!(a, b);
        let (mut a, mut b) = (Histogram::new(), Histogram::new());
        a.record(0.0);
        b.record_zero();
        assert_eq!(a, b);
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
                (got - want).abs() <= 1.0f64.max(want / 256.0),
                "p{p}: {got} vs {want}"
            );
        }
        assert!((h.cdf(250.0) - 0.25).abs() < 0.003);
        let pts = [-1.0, 0.0, 0.5, 250.0, 600.0, 999.0, 5000.0];
        let many = h.cdf_many(&pts);
        for (x, got) in pts.iter().zip(&many) {
            assert_eq!(*got, h.cdf(*x), "cdf({x})");
        }
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
