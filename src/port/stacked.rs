//! Stacked booths: two inspection points in tandem in one physical lane (San Ysidro since 2014).
//!
//! Each booth of a lane with `stacked = 2` has a front and a rear inspection point in one lane of
//! road. A vehicle reaches the front only by driving through the rear point, so the front takes
//! a vehicle only when both points are empty; the rear takes one whenever it is empty. A rear
//! vehicle whose inspection ends while the front one is still being inspected cannot leave (the
//! front car is in its way): the rear point is blocked until the front vehicle leaves, and the
//! two then leave together. Under a standing queue a pair of vehicles therefore starts together
//! and the pair takes the longer of the two inspections: a stacked booth gives
//! 2 E[S] / E[max(S1, S2)] times the throughput of a single one (2 for constant inspections,
//! 4/3 for exponential ones), never twice as much with variable inspection times.
//!
//! The event loop keeps its booth sets; this module says which point a vehicle takes, what
//! leaves when an inspection ends, and whether a booth can take a vehicle now.

/// One inspection point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Point {
    Empty,
    Busy,
    /// Inspection over, waiting for the front vehicle to leave.
    Blocked,
}

/// The inspection points of one stacked lane.
pub(super) struct Stacked {
    front: Vec<Point>,
    rear: Vec<Point>,
    /// Whether each booth counts as staffed (open, or still holding vehicles).
    staffed: Vec<bool>,
}

/// Inspection points per stacked booth.
pub(super) const POINTS: u32 = 2;

impl Stacked {
    /// A lane of `booths` stacked booths, all empty.
    pub(super) fn new(booths: u32) -> Self {
        let n = booths as usize;
        Stacked {
            front: vec![Point::Empty; n],
            rear: vec![Point::Empty; n],
            staffed: vec![false; n],
        }
    }

    /// Whether `booth` can take a vehicle now.
    #[inline]
    pub(super) fn accepts(&self, booth: u32) -> bool {
        let b = booth as usize;
        self.rear[b] == Point::Empty && self.front[b] != Point::Blocked
    }

    /// Whether `booth` holds no vehicle.
    pub(super) fn is_empty(&self, booth: u32) -> bool {
        let b = booth as usize;
        self.front[b] == Point::Empty && self.rear[b] == Point::Empty
    }

    /// A vehicle enters `booth` (which must accept): the point it takes, 0 front or 1 rear.
    pub(super) fn place(&mut self, booth: u32) -> u32 {
        let b = booth as usize;
        if self.front[b] == Point::Empty {
            self.front[b] = Point::Busy;
            0
        } else {
            self.rear[b] = Point::Busy;
            1
        }
    }

    /// The inspection at `point` of `booth` ends: how many vehicles leave now (0 when the rear
    /// one is blocked behind the front one, 2 when the front one leaves and frees a blocked
    /// rear one).
    pub(super) fn finish(&mut self, booth: u32, point: u32) -> u32 {
        let b = booth as usize;
        if point == 0 {
            self.front[b] = Point::Empty;
            if self.rear[b] == Point::Blocked {
                self.rear[b] = Point::Empty;
                2
            } else {
                1
            }
        } else if self.front[b] == Point::Busy {
            self.rear[b] = Point::Blocked;
            0
        } else {
            self.rear[b] = Point::Empty;
            1
        }
    }

    /// Records whether `booth` is staffed; returns the change in staffed inspection points.
    pub(super) fn set_staffed(&mut self, booth: u32, staffed: bool) -> i64 {
        let s = &mut self.staffed[booth as usize];
        if *s == staffed {
            return 0;
        }
        *s = staffed;
        if staffed {
            i64::from(POINTS)
        } else {
            -i64::from(POINTS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rear_waits_for_the_front() {
        let mut s = Stacked::new(1);
        assert!(s.accepts(0));
        assert_eq!(s.place(0), 0);
        assert!(s.accepts(0), "the rear is free");
        assert_eq!(s.place(0), 1);
        assert!(!s.accepts(0));
        // The rear finishes first: blocked, nobody leaves.
        assert_eq!(s.finish(0, 1), 0);
        assert!(!s.accepts(0));
        // The front finishes: both leave.
        assert_eq!(s.finish(0, 0), 2);
        assert!(s.is_empty(0) && s.accepts(0));
        // Front finishes first while the rear is inspected: the front cannot be refilled.
        s.place(0);
        s.place(0);
        assert_eq!(s.finish(0, 0), 1);
        assert!(!s.accepts(0));
        assert_eq!(s.finish(0, 1), 1);
        assert!(s.is_empty(0));
    }
}

#[cfg(test)]
mod throughput {
    use crate::engine::SimTime;
    use crate::port::{
        GroupRef, LaneConfig, Metric, PortConfig, ServiceDist, simulate, test_support,
    };
    use crate::stats::mean_ci;

    /// One booth under a standing queue (three times its single-point capacity), no warm-up.
    fn port(service: ServiceDist, stacked: u32) -> PortConfig {
        PortConfig {
            name: "stacked".into(),
            seed: 17,
            horizon: SimTime::from_hours(24 * 7),
            replications: 8,
            ..test_support::config(
                [3.0 * 3600.0 / service.mean_s(); 24],
                vec![test_support::class("g", 1.0, vec![0])],
                vec![LaneConfig {
                    service,
                    stacked,
                    ..test_support::lane("m", 1, 60.0)
                }],
            )
        }
    }

    /// Throughput of a stacked booth over a single one, per replication (common random numbers
    /// do not pair here: the two lanes draw the same stream in a different pattern).
    fn gains(service: ServiceDist) -> Vec<f64> {
        let single = port(service.clone(), 1);
        let stacked = port(service, 2);
        (0..single.replications)
            .map(|r| {
                let served = |cfg: &PortConfig| {
                    simulate(cfg, r, None)
                        .group(GroupRef::Lane(0))
                        .expect("lane")
                        .metric(Metric::Served)
                };
                served(&stacked) / served(&single)
            })
            .collect()
    }

    /// Closed forms of 2 E[S] / E[max(S1, S2)]: 2 for constant inspections, 4/3 for exponential
    /// ones (E[max] = 1.5 E[S]). Student-t 95% intervals over 8 replications, widened for the 2
    /// checks (t(0.0125, 7) / t(0.025, 7) = 2.841 / 2.365: family-wise 95%), plus the one
    /// vehicle a booth may be in the middle of at the horizon.
    #[test]
    fn stacked_throughput_matches_the_closed_forms() {
        let constant = gains(ServiceDist::Constant { mean_s: 60.0 });
        assert!(
            constant.iter().all(|g| (g - 2.0).abs() < 2.0 / 10_000.0),
            "{constant:?}"
        );
        let widen = 2.841 / 2.365;
        let exp = mean_ci(&gains(ServiceDist::Exponential { mean_s: 60.0 }));
        assert!(
            (exp.mean - 4.0 / 3.0).abs() <= widen * exp.ci95 + 1e-4,
            "exponential: {} ± {}",
            exp.mean,
            exp.ci95
        );
        assert!(exp.ci95 < 0.01);
    }

    /// The gain for the bundled scenarios' inspection times (log-normal, sd = 0.6 x mean):
    /// between the exponential 4/3 and the constant 2, printed for the documentation.
    #[test]
    fn stacked_gain_for_the_bundled_inspection_times() {
        let g = mean_ci(&gains(ServiceDist::LogNormal {
            mean_s: 84.0,
            sd_s: 50.4,
        }));
        eprintln!(
            "stacked gain, log-normal cv 0.6: {:.4} ± {:.4}",
            g.mean, g.ci95
        );
        assert!(g.mean - g.ci95 > 4.0 / 3.0 && g.mean + g.ci95 < 2.0);
    }

    /// Stacked booths opening and closing by hour, with referrals to a small secondary area and
    /// a shared approach: every vehicle is accounted for, and busy inspection points never
    /// exceed staffed ones.
    #[test]
    fn stacked_lanes_keep_their_books_with_every_mechanism() {
        let mut cfg = port(
            ServiceDist::LogNormal {
                mean_s: 60.0,
                sd_s: 36.0,
            },
            2,
        );
        cfg.lanes[0].booths = std::array::from_fn(|h| [0, 1, 3, 2][h % 4]);
        cfg.lanes[0].max_booths = 3;
        cfg.lanes[0].storage = Some(20);
        cfg.demand.per_hour = [150.0; 24];
        cfg.warmup = SimTime::from_hours(5);
        cfg.classes[0].referral = 0.05;
        cfg.approach = Some(crate::port::ApproachConfig { storage: 10 });
        cfg.secondary = Some(crate::port::SecondaryConfig {
            spaces: 2,
            officers: [1; 24],
            service: ServiceDist::Exponential { mean_s: 300.0 },
        });
        for r in 0..3 {
            let res = simulate(&cfg, r, None);
            for g in &res.groups {
                assert_eq!(
                    g.metric(Metric::Arrivals),
                    g.metric(Metric::Served) + g.metric(Metric::UnservedAtEnd),
                    "{:?}",
                    g.group
                );
            }
            let lane = res.group(GroupRef::Lane(0)).expect("lane");
            let u = lane.metric(Metric::Utilization);
            assert!(u > 0.0 && u <= 1.0, "{u}");
            // Two points per open booth: 0, 1, 3, 2 booths in turn average 1.5 booths, a little
            // more as closing booths count until their vehicles leave.
            let open = lane.metric(Metric::BoothsOpenMean);
            assert!((2.95..3.3).contains(&open), "{open}");
            assert!(lane.metric(Metric::PrimaryBlockedShare) > 0.0);
        }
    }
}
