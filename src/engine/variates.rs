//! Random variates computed with portable arithmetic.
//!
//! Every transcendental function comes from the pure-Rust `libm` crate, never from the
//! platform's C library, and the ziggurat tables are computed with it at first use; `sqrt` and
//! the basic operations are correctly rounded IEEE 754 everywhere. The same stream therefore
//! yields the same variates, bit for bit, on every machine and operating system.

use std::sync::OnceLock;

use super::RngStream;

/// Number of ziggurat layers.
const LAYERS: usize = 256;
/// Right edge of the base layer of the exponential ziggurat (Marsaglia and Tsang, 2000).
const EXP_R: f64 = 7.697_117_470_131_05;
/// Area of each layer: (r + 1) e^-r.
const EXP_V: f64 = 0.003_949_659_822_581_557;

struct ExpTables {
    /// x[0] = v / f(r) (pseudo-width of the base layer), x[1] = r, ..., x[256] = 0.
    x: [f64; LAYERS + 1],
    /// f(x[i]) = e^-x[i].
    f: [f64; LAYERS + 1],
}

fn exp_tables() -> &'static ExpTables {
    static TABLES: OnceLock<ExpTables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; LAYERS + 1];
        x[0] = EXP_V / libm::exp(-EXP_R);
        x[1] = EXP_R;
        for i in 1..LAYERS - 1 {
            x[i + 1] = -libm::log(EXP_V / x[i] + libm::exp(-x[i]));
        }
        x[LAYERS] = 0.0;
        let mut f = [0.0; LAYERS + 1];
        for i in 0..=LAYERS {
            f[i] = libm::exp(-x[i]);
        }
        ExpTables { x, f }
    })
}

impl RngStream {
    /// A standard exponential variate (mean 1), by the ziggurat method.
    #[inline]
    pub fn exp1(&mut self) -> f64 {
        let t = exp_tables();
        loop {
            let bits = self.next_bits();
            let i = (bits & 0xff) as usize;
            let u = (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            let x = u * t.x[i];
            if x < t.x[i + 1] {
                return x;
            }
            if i == 0 {
                // The tail beyond r is r plus a fresh exponential.
                return EXP_R - libm::log(1.0 - self.uniform());
            }
            if t.f[i + 1] + (t.f[i] - t.f[i + 1]) * self.uniform() < libm::exp(-x) {
                return x;
            }
        }
    }

    /// A standard normal variate, by Marsaglia's polar method.
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * libm::log(s) / s).sqrt();
            }
        }
    }

    /// A gamma variate with the given shape (> 0) and scale 1 (Marsaglia and Tsang, 2000).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let g = self.gamma(shape + 1.0);
            return g * libm::pow(self.uniform_open(), 1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform_open();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 {
                return d * v;
            }
            if libm::log(u) < 0.5 * x2 + d * (1.0 - v + libm::log(v)) {
                return d * v;
            }
        }
    }

    /// A uniform draw in (0, 1).
    #[inline]
    pub fn uniform_open(&mut self) -> f64 {
        ((self.next_bits() >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::StreamId;

    fn ks_statistic(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
        xs.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        xs.iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = cdf(x);
                (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
            })
            .fold(0.0, f64::max)
    }

    /// Kolmogorov-Smirnov at the 0.1% level: D < 1.95 / sqrt(n).
    const KS_999: f64 = 1.95;

    #[test]
    fn tables_are_a_proper_ziggurat() {
        let t = exp_tables();
        for i in 1..LAYERS {
            assert!(t.x[i] > t.x[i + 1], "x[{i}]");
        }
        // The recursion closes: the top layer's left edge is close to 0 and its area is v.
        assert!(
            t.x[LAYERS - 1] > 0.0 && t.x[LAYERS - 1] < 0.1,
            "{}",
            t.x[LAYERS - 1]
        );
        let top_area = t.x[LAYERS - 1] * (1.0 - t.f[LAYERS - 1]);
        assert!((top_area - EXP_V).abs() < 1e-6, "{top_area}");
    }

    #[test]
    fn exponential_passes_kolmogorov_smirnov() {
        let mut r = RngStream::new(11, 0, StreamId::named("exp"));
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.exp1()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 5.0 / (n as f64).sqrt(), "{mean}");
        let d = ks_statistic(xs, |x| 1.0 - (-x).exp());
        assert!(d < KS_999 / (n as f64).sqrt(), "D = {d}");
        // The tail beyond r is reached and is exponential too.
        let mut tail = 0;
        for _ in 0..2_000_000 {
            if r.exp1() > EXP_R {
                tail += 1;
            }
        }
        let want = 2e6 * (-EXP_R).exp(); // about 907
        assert!(
            (f64::from(tail) - want).abs() < 5.0 * want.sqrt(),
            "{tail} vs {want}"
        );
    }

    #[test]
    fn normal_passes_kolmogorov_smirnov() {
        let mut r = RngStream::new(12, 0, StreamId::named("normal"));
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let d = ks_statistic(xs, |x| 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2));
        assert!(d < KS_999 / (n as f64).sqrt(), "D = {d}");
    }

    #[test]
    fn gamma_passes_kolmogorov_smirnov() {
        // Shape 2: CDF 1 - e^-x (1 + x). Shape 0.5: the square of a normal / 2.
        let mut r = RngStream::new(13, 0, StreamId::named("gamma"));
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| r.gamma(2.0)).collect();
        let d = ks_statistic(xs, |x| 1.0 - (-x).exp() * (1.0 + x));
        assert!(d < KS_999 / (n as f64).sqrt(), "shape 2: D = {d}");
        let xs: Vec<f64> = (0..n).map(|_| r.gamma(0.5)).collect();
        let d = ks_statistic(xs, |x| libm::erf(x.sqrt()));
        assert!(d < KS_999 / (n as f64).sqrt(), "shape 0.5: D = {d}");
    }

    #[test]
    fn variates_are_pinned() {
        let mut r = RngStream::new(1, 0, StreamId::named("pinned"));
        let got = [r.exp1(), r.normal(), r.gamma(3.0)];
        let bits: Vec<u64> = got.iter().map(|x| x.to_bits()).collect();
        assert_eq!(bits, PINNED, "variates changed: {got:?}");
    }

    const PINNED: [u64; 3] = [
        4607310098068465260,
        13833410146336835392,
        4615133167460151241,
    ];
}
