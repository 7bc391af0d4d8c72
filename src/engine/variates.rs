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

    /// Calls `f` on `r` and returns the variate with the number of 64-bit draws it used.
    fn with_draws(r: &mut RngStream, f: &dyn Fn(&mut RngStream) -> f64) -> (f64, usize) {
        let mut probe = r.clone();
        let x = f(r);
        let next = r.clone().next_bits();
        let mut k = 0;
        while probe.clone().next_bits() != next {
            probe.next_bits();
            k += 1;
        }
        (x, k)
    }

    /// The first draw of each path of a sampler: (path, index of the draw, its bits). `path`
    /// names the path from the variate and the number of 64-bit draws it used.
    fn first_of_each_path(
        name: &str,
        f: &dyn Fn(&mut RngStream) -> f64,
        path: &dyn Fn(f64, usize) -> &'static str,
        paths: &[&'static str],
    ) -> Vec<(&'static str, u64, u64)> {
        let mut r = RngStream::new(1, 0, StreamId::named(name));
        let mut found: Vec<(&'static str, u64, u64)> = Vec::new();
        for i in 0..1_000_000u64 {
            let (x, k) = with_draws(&mut r, f);
            let p = path(x, k);
            if !found.iter().any(|e| e.0 == p) {
                found.push((p, i, x.to_bits()));
                if found.len() == paths.len() {
                    break;
                }
            }
        }
        found.sort_by_key(|e| paths.iter().position(|p| *p == e.0));
        found
    }

    /// Pins the first variate through every path of each sampler: the exponential's fast
    /// path, wedge acceptance, rejection and tail; the polar normal's first try and rejection;
    /// Marsaglia-Tsang's first try and rejection, for shape >= 1 and (boosted) shape < 1.
    #[test]
    fn variates_are_pinned() {
        let mut got = Vec::new();
        let exp = ["fast", "wedge", "rejected", "tail"];
        got.extend(first_of_each_path(
            "pinned-exp",
            &|r| r.exp1(),
            &|x, k| match k {
                1 => "fast",
                2 if x > EXP_R => "tail",
                2 => "wedge",
                _ => "rejected",
            },
            &exp,
        ));
        let two = ["first", "rejected"];
        got.extend(first_of_each_path(
            "pinned-normal",
            &|r| r.normal(),
            &|_, k| if k == 2 { "first" } else { "rejected" },
            &two,
        ));
        got.extend(first_of_each_path(
            "pinned-gamma",
            &|r| r.gamma(3.0),
            &|_, k| if k == 3 { "first" } else { "rejected" },
            &two,
        ));
        got.extend(first_of_each_path(
            "pinned-gamma-small",
            &|r| r.gamma(0.5),
            &|_, k| if k == 4 { "first" } else { "rejected" },
            &two,
        ));
        assert_eq!(got.len(), PINNED.len(), "every path reached: {got:?}");
        assert_eq!(got, PINNED, "variates changed");
    }

    const PINNED: [(&str, u64, u64); 10] = [
        ("fast", 0, 4606022520429538755),
        ("wedge", 130, 4603252444403221712),
        ("rejected", 179, 4617117493490039909),
        ("tail", 880, 4621060512152740132),
        ("first", 0, 4601474428535143924),
        ("rejected", 6, 4603414701917595493),
        ("first", 0, 4610575220523981326),
        ("rejected", 1, 4607005644245087213),
        ("first", 0, 4574375749968290873),
        ("rejected", 3, 4590028124351509269),
    ];
}
