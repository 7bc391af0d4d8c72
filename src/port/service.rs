//! Primary inspection time distributions.

use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma, LogNormal, Triangular};

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
        Some(match *self {
            ServiceDist::Exponential { mean_s } if mean_s > 0.0 => ServiceSampler::Exp(mean_s),
            ServiceDist::Exponential { .. } => ServiceSampler::Constant(0.0),
            ServiceDist::Constant { mean_s } => ServiceSampler::Constant(mean_s),
            ServiceDist::LogNormal { mean_s, sd_s } if sd_s > 0.0 => {
                let s2 = (1.0 + (sd_s / mean_s).powi(2)).ln();
                ServiceSampler::LogNormal(LogNormal::new(mean_s.ln() - 0.5 * s2, s2.sqrt()).ok()?)
            }
            ServiceDist::Gamma { mean_s, sd_s } if sd_s > 0.0 => {
                let shape = (mean_s / sd_s).powi(2);
                ServiceSampler::Gamma(Gamma::new(shape, mean_s / shape).ok()?)
            }
            ServiceDist::LogNormal { mean_s, .. } | ServiceDist::Gamma { mean_s, .. } => {
                ServiceSampler::Constant(mean_s)
            }
            ServiceDist::Uniform { min_s, max_s } => ServiceSampler::Uniform(min_s, max_s - min_s),
            ServiceDist::Triangular {
                min_s,
                mode_s,
                max_s,
            } if max_s > min_s => {
                ServiceSampler::Triangular(Triangular::new(min_s, max_s, mode_s).ok()?)
            }
            ServiceDist::Triangular { min_s, .. } => ServiceSampler::Constant(min_s),
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
    /// Log-normal.
    LogNormal(LogNormal<f64>),
    /// Gamma.
    Gamma(Gamma<f64>),
    /// Uniform: (min, width).
    Uniform(f64, f64),
    /// Triangular.
    Triangular(Triangular<f64>),
}

impl ServiceSampler {
    /// One draw, in seconds.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            ServiceSampler::Exp(m) => {
                let e: f64 = Exp1.sample(rng);
                e * m
            }
            ServiceSampler::Constant(c) => *c,
            ServiceSampler::LogNormal(d) => d.sample(rng),
            ServiceSampler::Gamma(d) => d.sample(rng),
            ServiceSampler::Uniform(lo, w) => {
                let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                lo + w * u
            }
            ServiceSampler::Triangular(d) => d.sample(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStream, StreamId};

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
        let cases = [
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
        ];
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
}
