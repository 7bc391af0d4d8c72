//! Primary inspection time distributions.

use crate::engine::RngStream;

/// A service-time distribution; all parameters in seconds.
#[derive(Clone, Debug, PartialEq)]
pub enum ServiceDist {
    /// Exponential with the given mean.
    Exponential {
        /// Mean (s).
        mean_s: f64,
    },
    /// Log-normal with the given mean and standard deviation.
    LogNormal {
        /// Mean (s).
        mean_s: f64,
        /// Standard deviation (s).
        sd_s: f64,
    },
    /// Gamma with the given mean and standard deviation.
    Gamma {
        /// Mean (s).
        mean_s: f64,
        /// Standard deviation (s).
        sd_s: f64,
    },
    /// Always the same duration.
    Constant {
        /// The duration (s).
        mean_s: f64,
    },
    /// Uniform on [min, max].
    Uniform {
        /// Minimum (s).
        min_s: f64,
        /// Maximum (s).
        max_s: f64,
    },
    /// Triangular on [min, max] with the given mode.
    Triangular {
        /// Minimum (s).
        min_s: f64,
        /// Mode (s).
        mode_s: f64,
        /// Maximum (s).
        max_s: f64,
    },
}

impl ServiceDist {
    /// The distribution's mean in seconds.
    pub fn mean_s(&self) -> f64 {
        match *self {
            ServiceDist::Exponential { mean_s }
            | ServiceDist::LogNormal { mean_s, .. }
            | ServiceDist::Gamma { mean_s, .. }
            | ServiceDist::Constant { mean_s } => mean_s,
            ServiceDist::Uniform { min_s, max_s } => 0.5 * (min_s + max_s),
            ServiceDist::Triangular {
                min_s,
                mode_s,
                max_s,
            } => (min_s + mode_s + max_s) / 3.0,
        }
    }

    /// The mean of the longer of two independent inspections, E[max(S1, S2)] (s): what a
    /// stacked booth's pair takes under a standing queue. Closed forms: constant `m`;
    /// exponential `1.5 m`; log-normal `2 m Φ(σ/√2)` with σ² = ln(1 + sd²/m²); gamma
    /// `m + θ Γ(k + 1/2) / (√π Γ(k))` (shape k, scale θ); uniform `min + 2 (max - min) / 3`;
    /// triangular: `min + ∫ (1 - F(x)²) dx` over [min, max] by Simpson's rule (2,000 panels).
    pub fn mean_max_of_two_s(&self) -> f64 {
        if self.sd_s() <= 0.0 {
            return self.mean_s();
        }
        match *self {
            ServiceDist::Exponential { mean_s } => 1.5 * mean_s,
            ServiceDist::Constant { mean_s } => mean_s,
            ServiceDist::LogNormal { mean_s, sd_s } => {
                let sigma = libm::log1p((sd_s / mean_s).powi(2)).sqrt();
                // Φ(σ/√2) = (1 + erf(σ/2)) / 2.
                mean_s * (1.0 + libm::erf(sigma / 2.0))
            }
            ServiceDist::Gamma { mean_s, sd_s } => {
                let k = (mean_s / sd_s).powi(2);
                let theta = sd_s * sd_s / mean_s;
                let ratio = libm::exp(libm::lgamma(k + 0.5) - libm::lgamma(k));
                mean_s + theta * ratio / std::f64::consts::PI.sqrt()
            }
            ServiceDist::Uniform { min_s, max_s } => min_s + 2.0 * (max_s - min_s) / 3.0,
            ServiceDist::Triangular {
                min_s,
                mode_s,
                max_s,
            } => {
                let (a, c, b) = (min_s, mode_s, max_s);
                let cdf = |x: f64| {
                    if x <= a {
                        0.0
                    } else if x <= c {
                        (x - a).powi(2) / ((b - a) * (c - a))
                    } else if x < b {
                        1.0 - (b - x).powi(2) / ((b - a) * (b - c))
                    } else {
                        1.0
                    }
                };
                let f = |x: f64| 1.0 - cdf(x).powi(2);
                let n = 2000;
                let h = (b - a) / f64::from(n);
                let inner: f64 = (1..n)
                    .map(|i| f(a + f64::from(i) * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
                    .sum();
                a + h / 3.0 * (f(a) + inner + f(b))
            }
        }
    }

    /// The distribution's standard deviation in seconds.
    pub fn sd_s(&self) -> f64 {
        match *self {
            ServiceDist::Exponential { mean_s } => mean_s,
            ServiceDist::LogNormal { sd_s, .. } | ServiceDist::Gamma { sd_s, .. } => sd_s,
            ServiceDist::Constant { .. } => 0.0,
            ServiceDist::Uniform { min_s, max_s } => (max_s - min_s) / 12f64.sqrt(),
            ServiceDist::Triangular {
                min_s: a,
                mode_s: c,
                max_s: b,
            } => ((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0).sqrt(),
        }
    }

    /// The name used in scenario files.
    pub fn kind_str(&self) -> &'static str {
        match self {
            ServiceDist::Exponential { .. } => "exponential",
            ServiceDist::LogNormal { .. } => "lognormal",
            ServiceDist::Gamma { .. } => "gamma",
            ServiceDist::Constant { .. } => "constant",
            ServiceDist::Uniform { .. } => "uniform",
            ServiceDist::Triangular { .. } => "triangular",
        }
    }

    /// A sampler; `None` if the parameters are invalid (validation rules them out first).
    pub fn sampler(&self) -> Option<ServiceSampler> {
        let finite = |x: f64| x.is_finite() && x >= 0.0;
        Some(match *self {
            ServiceDist::Exponential { mean_s } if finite(mean_s) => ServiceSampler::Exp(mean_s),
            ServiceDist::Constant { mean_s } if finite(mean_s) => ServiceSampler::Constant(mean_s),
            ServiceDist::LogNormal { mean_s, sd_s } if mean_s > 0.0 && sd_s > 0.0 => {
                let s2 = libm::log(1.0 + (sd_s / mean_s).powi(2));
                ServiceSampler::LogNormal {
                    mu: libm::log(mean_s) - 0.5 * s2,
                    sigma: s2.sqrt(),
                }
            }
            ServiceDist::Gamma { mean_s, sd_s } if mean_s > 0.0 && sd_s > 0.0 => {
                let shape = (mean_s / sd_s).powi(2);
                ServiceSampler::Gamma {
                    shape,
                    scale: mean_s / shape,
                }
            }
            ServiceDist::LogNormal { mean_s, sd_s } | ServiceDist::Gamma { mean_s, sd_s }
                if finite(mean_s) && sd_s == 0.0 =>
            {
                ServiceSampler::Constant(mean_s)
            }
            ServiceDist::Uniform { min_s, max_s } if finite(min_s) && max_s >= min_s => {
                ServiceSampler::Uniform(min_s, max_s - min_s)
            }
            ServiceDist::Triangular {
                min_s,
                mode_s,
                max_s,
            } if finite(min_s) && min_s <= mode_s && mode_s <= max_s && min_s < max_s => {
                ServiceSampler::Triangular {
                    min_s,
                    mode_s,
                    max_s,
                }
            }
            _ => return None,
        })
    }
}

/// A ready-to-draw service-time distribution.
#[derive(Clone, Debug)]
pub enum ServiceSampler {
    /// Exponential with this mean.
    Exp(f64),
    /// Fixed.
    Constant(f64),
    /// exp(mu + sigma Z).
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Gamma.
    Gamma {
        /// Shape.
        shape: f64,
        /// Scale (s).
        scale: f64,
    },
    /// Uniform: (min, width).
    Uniform(f64, f64),
    /// Triangular, by inversion.
    Triangular {
        /// Minimum (s).
        min_s: f64,
        /// Mode (s).
        mode_s: f64,
        /// Maximum (s).
        max_s: f64,
    },
}

impl ServiceSampler {
    /// One draw, in seconds.
    #[inline]
    pub fn sample(&self, rng: &mut RngStream) -> f64 {
        match *self {
            ServiceSampler::Exp(m) => rng.exp1() * m,
            ServiceSampler::Constant(c) => c,
            ServiceSampler::LogNormal { mu, sigma } => libm::exp(mu + sigma * rng.normal()),
            ServiceSampler::Gamma { shape, scale } => rng.gamma(shape) * scale,
            ServiceSampler::Uniform(lo, w) => lo + w * rng.uniform(),
            ServiceSampler::Triangular {
                min_s: a,
                mode_s: c,
                max_s: b,
            } => {
                let u = rng.uniform();
                let fc = (c - a) / (b - a);
                if u < fc {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::StreamId;

    /// One distribution of each kind, with a spread where the kind has one.
    fn one_of_each_kind() -> [ServiceDist; 6] {
        [
            ServiceDist::Exponential { mean_s: 45.0 },
            ServiceDist::LogNormal {
                mean_s: 34.0,
                sd_s: 20.0,
            },
            ServiceDist::Gamma {
                mean_s: 120.0,
                sd_s: 60.0,
            },
            ServiceDist::Constant { mean_s: 30.0 },
            ServiceDist::Uniform {
                min_s: 10.0,
                max_s: 50.0,
            },
            ServiceDist::Triangular {
                min_s: 10.0,
                mode_s: 20.0,
                max_s: 60.0,
            },
        ]
    }

    fn moments(d: &ServiceDist) -> (f64, f64) {
        let s = d.sampler().expect("valid");
        let mut r = RngStream::new(3, 0, StreamId::named("svc"));
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut r)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        (m, v.sqrt())
    }

    #[test]
    fn samplers_match_their_moments() {
        let cases = one_of_each_kind();
        for d in cases {
            let (m, sd) = moments(&d);
            // 200k draws: the standard error of the mean is sd/447; allow 5 standard errors.
            let se = d.sd_s() / (200_000f64).sqrt();
            assert!((m - d.mean_s()).abs() <= 5.0 * se + 1e-9, "{d:?}: mean {m}");
            assert!(
                (sd - d.sd_s()).abs() <= 0.02 * d.sd_s() + 1e-9,
                "{d:?}: sd {sd}"
            );
        }
    }

    /// E[max(S1, S2)] against the mean of 200,000 simulated pairs: every case within the
    /// Student-t interval at a family-wise level of 0.1% (six cases, Bonferroni).
    #[test]
    fn mean_of_the_longer_of_two_inspections() {
        let cases = one_of_each_kind();
        let n = 200_000;
        let t = crate::stats::student_t_quantile(1.0 - 0.001 / (2.0 * cases.len() as f64), n - 1);
        for d in cases {
            let s = d.sampler().expect("valid");
            let mut r = RngStream::new(5, 0, StreamId::named("svc-max"));
            let xs: Vec<f64> = (0..n)
                .map(|_| s.sample(&mut r).max(s.sample(&mut r)))
                .collect();
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
            let half = t * (v / n as f64).sqrt();
            let want = d.mean_max_of_two_s();
            assert!(
                (m - want).abs() <= half + 1e-9,
                "{d:?}: {m} vs {want} ± {half}"
            );
        }
        // The bundled inspection times (sd = 0.6 x mean): a stacked booth gives 1.53 times.
        let gain = |d: ServiceDist| 2.0 * d.mean_s() / d.mean_max_of_two_s();
        let g = gain(ServiceDist::LogNormal {
            mean_s: 84.0,
            sd_s: 50.4,
        });
        assert!((g - 1.533).abs() < 0.001, "{g}");
        assert!((gain(ServiceDist::Exponential { mean_s: 60.0 }) - 4.0 / 3.0).abs() < 1e-12);
    }
}
