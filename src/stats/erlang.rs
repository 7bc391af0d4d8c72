//! Exact Erlang C formulas for the M/M/c queue (the stationary reference for staffing).
//!
//! With `c` servers, arrival rate `lambda` and service rate `mu`, the offered load is
//! `a = lambda / mu` (erlangs). Erlang C is the probability that an arrival waits; it is computed
//! from the Erlang B recursion `B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))`, which is exact and
//! numerically stable for thousands of servers, then `C = c B / (c - a (1 - B))`.

/// Probability that an arrival has to wait in a stationary M/M/c queue with `servers` servers and
/// `offered_load` erlangs. 1 when the queue is unstable (`offered_load >= servers`), 0 when the
/// load is 0.
pub fn erlang_c(servers: u32, offered_load: f64) -> f64 {
    let a = offered_load;
    let c = f64::from(servers);
    if a <= 0.0 {
        return 0.0;
    }
    if servers == 0 || a >= c {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=servers {
        b = a * b / (f64::from(k) + a * b);
    }
    c * b / (c - a * (1.0 - b))
}

/// A stationary M/M/c queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mmc {
    /// Servers.
    pub servers: u32,
    /// Arrivals per second.
    pub arrival_rate_per_s: f64,
    /// Mean service time (s).
    pub mean_service_s: f64,
}

impl Mmc {
    /// Offered load in erlangs.
    pub fn offered_load(&self) -> f64 {
        self.arrival_rate_per_s * self.mean_service_s
    }

    /// Whether the queue is stable (load below the number of servers).
    pub fn is_stable(&self) -> bool {
        self.offered_load() < f64::from(self.servers)
    }

    /// Rate (per second) at which the wait tail decays: `c mu - lambda`.
    fn decay_per_s(&self) -> f64 {
        f64::from(self.servers) / self.mean_service_s - self.arrival_rate_per_s
    }

    /// Mean wait in queue (s): `C / (c mu - lambda)`; infinite when unstable.
    pub fn mean_wait_s(&self) -> f64 {
        if self.arrival_rate_per_s <= 0.0 {
            return 0.0;
        }
        if !self.is_stable() {
            return f64::INFINITY;
        }
        erlang_c(self.servers, self.offered_load()) / self.decay_per_s()
    }

    /// P(wait > t): `C exp(-(c mu - lambda) t)`; 1 when unstable.
    pub fn wait_exceeds(&self, t_s: f64) -> f64 {
        if self.arrival_rate_per_s <= 0.0 {
            return 0.0;
        }
        if !self.is_stable() {
            return 1.0;
        }
        erlang_c(self.servers, self.offered_load()) * (-self.decay_per_s() * t_s.max(0.0)).exp()
    }

    /// The `q` quantile of the wait (s), e.g. `q = 0.95`; infinite when unstable.
    pub fn wait_quantile_s(&self, q: f64) -> f64 {
        if self.arrival_rate_per_s <= 0.0 {
            return 0.0;
        }
        if !self.is_stable() {
            return f64::INFINITY;
        }
        let c = erlang_c(self.servers, self.offered_load());
        let tail = 1.0 - q;
        if c <= tail {
            0.0
        } else {
            (c / tail).ln() / self.decay_per_s()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // One server: C = rho.
        assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
        // Three servers, 2 erlangs: C = 4/9 (textbook value).
        assert!((erlang_c(3, 2.0) - 4.0 / 9.0).abs() < 1e-12);
        // Two servers, 1 erlang: C = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // Ten servers, 8 erlangs: C = 0.409 (Erlang C tables).
        assert!((erlang_c(10, 8.0) - 0.409_2).abs() < 1e-3);
        assert_eq!(erlang_c(3, 3.0), 1.0);
        assert_eq!(erlang_c(3, 0.0), 0.0);
        // Large systems stay finite and in [0, 1].
        let big = erlang_c(2000, 1950.0);
        assert!(big > 0.0 && big < 1.0);
    }

    #[test]
    fn mmc_waits() {
        // M/M/1, rho = 0.5, mean service 1 s: Wq = rho / (mu - lambda) = 1 s.
        let q = Mmc {
            servers: 1,
            arrival_rate_per_s: 0.5,
            mean_service_s: 1.0,
        };
        assert!((q.mean_wait_s() - 1.0).abs() < 1e-12);
        // P(W > t) = rho exp(-(mu - lambda) t).
        assert!((q.wait_exceeds(2.0) - 0.5 * (-1.0f64).exp()).abs() < 1e-12);
        let p95 = q.wait_quantile_s(0.95);
        assert!((q.wait_exceeds(p95) - 0.05).abs() < 1e-12);
        let unstable = Mmc {
            servers: 2,
            arrival_rate_per_s: 2.0,
            mean_service_s: 1.0,
        };
        assert!(unstable.mean_wait_s().is_infinite());
        assert_eq!(unstable.wait_exceeds(100.0), 1.0);
    }
}
