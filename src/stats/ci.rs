//! Means and Student-t confidence intervals over independent replications.

/// A sample mean with the half-width of its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanCi {
    /// Sample mean (NaN when no finite values).
    pub mean: f64,
    /// Half-width of the two-sided 95% Student-t interval (NaN when n < 2).
    pub ci95: f64,
    /// Number of finite values used.
    pub n: usize,
}

/// Two-sided 95% quantile of Student's t with `df` degrees of freedom (t_{0.975, df}).
pub fn student_t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706_204_736,
        4.302_652_730,
        3.182_446_305,
        2.776_445_105,
        2.570_581_836,
        2.446_911_851,
        2.364_624_252,
        2.306_004_135,
        2.262_157_163,
        2.228_138_852,
        2.200_985_160,
        2.178_812_830,
        2.160_368_656,
        2.144_786_688,
        2.131_449_546,
        2.119_905_299,
        2.109_815_578,
        2.100_922_040,
        2.093_024_054,
        2.085_963_447,
        2.079_613_845,
        2.073_873_068,
        2.068_657_610,
        2.063_898_562,
        2.059_538_553,
        2.055_529_439,
        2.051_830_516,
        2.048_407_142,
        2.045_229_642,
        2.042_272_456,
    ];
    if df == 0 {
        return f64::NAN;
    }
    if df <= 30 {
        return TABLE[df - 1];
    }
    // Cornish-Fisher expansion around the normal quantile; error below 1e-6 for df > 30.
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    let z3 = z.powi(3);
    let z5 = z.powi(5);
    let z7 = z.powi(7);
    let z9 = z.powi(9);
    z + (z3 + z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92_160.0 * v.powi(4))
}

/// The `p` quantile of Student's t with `df` degrees of freedom, for any `p` in (0, 1): the
/// CDF from the regularised incomplete beta function (continued fraction), inverted by
/// bisection to full double precision. NaN when `df` is 0 or `p` is outside (0, 1).
pub fn student_t_quantile(p: f64, df: usize) -> f64 {
    if df == 0 || !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    // P(T > t) for t >= 0: I_{v/(v+t^2)}(v/2, 1/2) / 2, decreasing in t.
    let v = df as f64;
    let upper = |t: f64| 0.5 * incomplete_beta(v / (v + t * t), 0.5 * v, 0.5);
    let want = 1.0 - p;
    let mut hi = 1.0;
    while upper(hi) > want {
        hi *= 2.0;
        if hi > 1e300 {
            return f64::INFINITY;
        }
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if upper(mid) > want {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The regularised incomplete beta function I_x(a, b), by its continued fraction (modified
/// Lentz), using the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where that converges faster.
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
        + a * libm::log(x)
        + b * libm::log(1.0 - x);
    let front = libm::exp(ln_front);
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..500 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Mean and 95% CI half-width of the finite values in `xs`.
pub fn mean_ci(xs: &[f64]) -> MeanCi {
    let vals = xs.iter().copied().filter(|x| x.is_finite());
    let mut n = 0usize;
    let mut sum = 0.0;
    for x in vals.clone() {
        n += 1;
        sum += x;
    }
    if n == 0 {
        return MeanCi {
            mean: f64::NAN,
            ci95: f64::NAN,
            n: 0,
        };
    }
    let mean = sum / n as f64;
    if n < 2 {
        return MeanCi {
            mean,
            ci95: f64::NAN,
            n,
        };
    }
    let ss: f64 = vals.map(|x| (x - mean) * (x - mean)).sum();
    let sd = (ss / (n - 1) as f64).sqrt();
    MeanCi {
        mean,
        ci95: student_t_975(n - 1) * sd / (n as f64).sqrt(),
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles() {
        assert!((student_t_975(1) - 12.7062).abs() < 1e-4);
        assert!((student_t_975(9) - 2.2622).abs() < 1e-4);
        assert!((student_t_975(31) - 2.039_513_4).abs() < 1e-5);
        assert!((student_t_975(60) - 2.000_297_8).abs() < 1e-5);
        assert!((student_t_975(1000) - 1.962_339).abs() < 1e-5);
        assert!(student_t_975(0).is_nan());
    }

    #[test]
    fn t_quantiles_at_any_level() {
        // Agrees with the table of 97.5% points.
        for df in [1, 2, 5, 9, 10, 11, 29, 30] {
            let q = student_t_quantile(0.975, df);
            assert!((q - student_t_975(df)).abs() < 1e-8, "df {df}: {q}");
        }
        // Published values: t_{0.995, 10}, t_{0.999, 5}, t_{0.9995, 11}, t_{0.9, 1}.
        for (p, df, want) in [
            (0.995, 10, 3.169_272_67),
            (0.999, 5, 5.893_429_84),
            (0.9995, 11, 4.436_979_38),
            (0.9, 1, 3.077_683_54),
            (0.75, 3, 0.764_892_33),
        ] {
            let q = student_t_quantile(p, df);
            assert!((q - want).abs() < 1e-6, "t_({p}, {df}) = {q}, want {want}");
            assert!((student_t_quantile(1.0 - p, df) + q).abs() < 1e-12);
        }
        assert_eq!(student_t_quantile(0.5, 7), 0.0);
        assert!(student_t_quantile(0.9, 0).is_nan());
        assert!(student_t_quantile(1.0, 4).is_nan());
    }

    #[test]
    fn mean_and_interval() {
        let m = mean_ci(&[1.0, 2.0, 3.0, 4.0, f64::NAN]);
        assert_eq!(m.n, 4);
        assert_eq!(m.mean, 2.5);
        let sd = (5.0f64 / 3.0).sqrt();
        assert!((m.ci95 - 3.182_446_305 * sd / 2.0).abs() < 1e-9);
        assert!(mean_ci(&[1.0]).ci95.is_nan());
        assert!(mean_ci(&[]).mean.is_nan());
    }
}
