//! The choice of port in a region: each trip starts at an origin and picks a port by a logit
//! on the generalised cost of crossing there (posted wait + travel time + toll / value of time).
//!
//! The event loop (`model.rs`) talks to this module at four points and nowhere else:
//! - a latent trip draws its origin ([`Choice::draw_origin`]);
//! - the trip (and each retry of it) asks [`Choice::choose`] which port it takes, handing in
//!   the posted wait of every lane (kept by `response.rs`); the answer names the lane it would
//!   look at there and the generalised cost, which a `[response]` checks against its tolerance;
//! - a trip that joins a queue is recorded by [`Choice::joined`], and the loop takes the
//!   lanes it may use from [`Choice::lanes`];
//! - at the horizon [`Choice::flows`] gives the trips by (origin, class, port, hour).
//!
//! Streams: `origin` (one draw per latent trip) and `port-choice` (one draw per choice, also
//! when a single port serves the class, so that editing one port never shifts other draws).

use super::config::{PortConfig, RegionConfig};
use crate::engine::{RngStream, SimTime, StreamId};

const HOUR_NS: u64 = SimTime::HOUR.as_nanos();

/// What a trip sees at the port it picked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Pick {
    /// The port (index into `RegionConfig::ports`).
    pub port: usize,
    /// The lane of that port the traveller looks at: its class's lane of smallest posted wait.
    pub lane: usize,
    /// Posted wait there + travel time + toll as time (s); infinite when the port is closed.
    pub cost_s: f64,
}

/// The port choice of one replication.
pub(super) struct Choice {
    region: RegionConfig,
    origin_cum: Vec<f64>,
    origin_rng: RngStream,
    choice_rng: RngStream,
    n_classes: usize,
    /// Trips that joined a queue after the warm-up, by (origin, class, port) then hour of day.
    flows: Vec<[u64; 24]>,
    warmup_ns: u64,
    /// Scratch: the weight of each port for the current choice.
    weights: Vec<f64>,
    /// Scratch: per port, the lane a trip would look at and its generalised cost (None: the
    /// port does not serve the class).
    looks: Vec<Option<(usize, f64)>>,
}

impl Choice {
    /// The choice layer of replication `replication`; None when `cfg` is a single port.
    pub(super) fn new(cfg: &PortConfig, replication: u32) -> Option<Self> {
        let region = cfg.region.as_ref()?;
        let rep = u64::from(replication);
        let mut acc = 0.0;
        let origin_cum = region
            .origins
            .iter()
            .map(|o| {
                acc += o.share;
                acc
            })
            .collect();
        let n = region.origins.len() * cfg.classes.len() * region.ports.len();
        Some(Choice {
            origin_cum,
            origin_rng: RngStream::new(cfg.seed, rep, StreamId::named("origin")),
            choice_rng: RngStream::new(cfg.seed, rep, StreamId::named("port-choice")),
            n_classes: cfg.classes.len(),
            flows: vec![[0; 24]; n],
            warmup_ns: cfg.warmup.min(cfg.horizon).as_nanos(),
            weights: vec![0.0; region.ports.len()],
            looks: Vec::with_capacity(region.ports.len()),
            region: region.clone(),
        })
    }

    /// Draws the origin of a new trip.
    pub(super) fn draw_origin(&mut self) -> usize {
        let u = self.origin_rng.uniform();
        let last = self.origin_cum.len() - 1;
        self.origin_cum.iter().position(|&c| u < c).unwrap_or(last)
    }

    /// The lanes `class` may use at `port`, in preference order.
    pub(super) fn lanes(&self, class: usize, port: usize) -> &[usize] {
        &self.region.class_lanes[class][port]
    }

    /// The port a trip of `class` from `origin` takes, given the posted wait of every lane
    /// (`posted_s`, infinite when closed). Among the ports that serve the class, P(port) is
    /// proportional to exp(-cost / scale); ports with a finite cost are preferred to closed
    /// ones, and when every port is closed the choice is on travel and toll alone.
    pub(super) fn choose(&mut self, origin: usize, class: usize, posted_s: &[f64]) -> Pick {
        let r = &self.region;
        let travel = &r.origins[origin].travel_s;
        let looks = &mut self.looks;
        looks.clear();
        for (p, lanes) in r.class_lanes[class].iter().enumerate() {
            looks.push(
                super::cheapest_lane(lanes, posted_s)
                    .map(|(l, w)| (l, w + travel[p] + r.toll_s[p])),
            );
        }
        let any_open = looks.iter().flatten().any(|(_, c)| c.is_finite());
        // The cost that decides: the full cost, or travel and toll when every port is closed.
        let deciding = |p: usize, c: f64| if any_open { c } else { travel[p] + r.toll_s[p] };
        let min = looks
            .iter()
            .enumerate()
            .filter_map(|(p, l)| l.map(|(_, c)| deciding(p, c)))
            .fold(f64::INFINITY, f64::min);
        let mut total = 0.0;
        for (p, l) in looks.iter().enumerate() {
            self.weights[p] = match l {
                Some((_, c)) if deciding(p, *c).is_finite() => {
                    libm::exp(-(deciding(p, *c) - min) / r.scale_s)
                }
                _ => 0.0,
            };
            total += self.weights[p];
        }
        let u = self.choice_rng.uniform() * total;
        let mut acc = 0.0;
        let mut chosen = None;
        for (p, &w) in self.weights.iter().enumerate() {
            if w > 0.0 {
                chosen = Some(p);
                acc += w;
                if u < acc {
                    break;
                }
            }
        }
        let port = chosen.expect("validation gives every class a port that serves it");
        let (lane, cost_s) = looks[port].expect("a chosen port serves the class");
        Pick { port, lane, cost_s }
    }

    /// A trip of `class` from `origin` joined a queue at `port` at `now_ns`.
    #[inline]
    pub(super) fn joined(&mut self, now_ns: u64, origin: usize, class: usize, port: usize) {
        if now_ns >= self.warmup_ns {
            let h = ((now_ns / HOUR_NS) % 24) as usize;
            let i = (origin * self.n_classes + class) * self.region.ports.len() + port;
            self.flows[i][h] += 1;
        }
    }

    /// Trips per hour that joined a queue, by (origin, class, port) then hour of day (the
    /// layout of `ReplicationResult::flows`), given the measured seconds of each hour of day.
    pub(super) fn flows(&self, hour_s: &[f64; 24]) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.flows.len() * 24);
        for f in &self.flows {
            for h in 0..24 {
                out.push(if hour_s[h] > 0.0 {
                    f[h] as f64 * 3600.0 / hour_s[h]
                } else {
                    f64::NAN
                });
            }
        }
        out
    }
}

/// The logit shares of the ports for costs `cost_s` (s) at `scale_s`: what [`Choice::choose`]
/// draws from when every port is open. For tests and documentation.
#[cfg(test)]
pub(super) fn logit_shares(cost_s: &[f64], scale_s: f64) -> Vec<f64> {
    let min = cost_s.iter().copied().fold(f64::INFINITY, f64::min);
    let w: Vec<f64> = cost_s
        .iter()
        .map(|c| libm::exp(-(c - min) / scale_s))
        .collect();
    let total: f64 = w.iter().sum();
    w.iter().map(|x| x / total).collect()
}
