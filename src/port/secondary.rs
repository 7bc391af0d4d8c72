//! Secondary inspection with blocking.
//!
//! Primary refers a vehicle of class `c` with probability `referral[c]` (drawn when its primary
//! inspection starts, from the `referral` stream). At the end of primary inspection a referred
//! vehicle needs one of the secondary area's parking spaces; while none is free it stays in its
//! primary booth, which then serves nobody (the booth is blocked). Blocked booths get spaces in
//! the order they were blocked. In the area, vehicles wait first-come first-served for an
//! officer; officers are on duty by hour of day and, like booths, finish the vehicle they have
//! when their shift ends. A vehicle frees its space when its secondary inspection ends.
//!
//! The event loop asks this module what to do at primary start and end and when a secondary
//! inspection ends; the module keeps the area, the officers and their statistics.

use super::ratio;
use std::collections::VecDeque;

use super::TraceRecord;
use super::config::PortConfig;
use super::metrics::{GroupRef, GroupResult, HourlyMetric, Metric};
use super::model::Vehicle;
use super::service::ServiceSampler;
use crate::engine::{RngStream, SimTime, StreamId};
use crate::stats::HourlyLevel;

const HOUR_NS: u64 = 3_600_000_000_000;

/// A referred vehicle, from the end of its primary inspection on.
#[derive(Clone, Debug)]
struct Referral {
    class: usize,
    lane: usize,
    counted: bool,
    /// End of primary inspection.
    primary_end_ns: u64,
    /// Its trace row, held back until secondary is over.
    trace: Option<TraceRecord>,
}

/// Per-group tallies.
#[derive(Clone, Copy, Default)]
struct Tally {
    referrals: u64,
    done: u64,
    wait_sum_s: f64,
    time_sum_s: f64,
}

/// What the event loop must do after primary inspection ends at a booth.
pub(super) enum PrimaryEnd {
    /// The booth is free: go on as usual.
    Free,
    /// The booth holds its referred vehicle until a secondary space frees.
    Blocked,
}

/// The secondary area of one replication.
pub(super) struct Secondary {
    spaces: usize,
    occupied: usize,
    officers: [u32; 24],
    target: u32,
    busy: u32,
    referral: Vec<f64>,
    referral_rng: RngStream,
    service_rng: RngStream,
    sampler: ServiceSampler,
    /// Referral decided at primary start, per lane and booth.
    pending: Vec<Vec<Option<Referral>>>,
    /// Booths blocked by a referred vehicle, in the order they were blocked.
    blocked: VecDeque<(usize, u32)>,
    /// Vehicles in the area waiting for an officer.
    queue: VecDeque<Referral>,
    /// Vehicles in secondary inspection, by slot (the slot travels in the end event).
    in_service: Vec<Option<(Referral, u64)>>,
    free_slots: Vec<u32>,
    blocked_by_lane: Vec<HourlyLevel>,
    busy_level: HourlyLevel,
    duty_level: HourlyLevel,
    by_lane: Vec<Tally>,
    by_class: Vec<Tally>,
}

impl Secondary {
    /// The secondary area of `cfg`, or None when the scenario has none.
    pub(super) fn new(cfg: &PortConfig, replication: u32, start_ns: u64) -> Option<Self> {
        let sc = cfg.secondary.as_ref()?;
        let rep = u64::from(replication);
        Some(Secondary {
            spaces: sc.spaces as usize,
            occupied: 0,
            officers: sc.officers,
            target: 0,
            busy: 0,
            referral: cfg.classes.iter().map(|c| c.referral).collect(),
            referral_rng: RngStream::new(cfg.seed, rep, StreamId::named("referral")),
            service_rng: RngStream::new(cfg.seed, rep, StreamId::named("secondary")),
            sampler: sc
                .service
                .sampler()
                .expect("validated service parameters give a sampler"),
            pending: cfg
                .lanes
                .iter()
                .enumerate()
                .map(|(i, _)| vec![None; cfg.booth_slots(i) as usize])
                .collect(),
            blocked: VecDeque::new(),
            queue: VecDeque::new(),
            in_service: Vec::new(),
            free_slots: Vec::new(),
            blocked_by_lane: cfg
                .lanes
                .iter()
                .map(|_| HourlyLevel::new(start_ns))
                .collect(),
            busy_level: HourlyLevel::new(start_ns),
            duty_level: HourlyLevel::new(start_ns),
            by_lane: vec![Tally::default(); cfg.lanes.len()],
            by_class: vec![Tally::default(); cfg.classes.len()],
        })
    }

    /// Primary inspection of `v` starts at `booth` of `lane`, ending at `end_ns`: decides whether
    /// it will be referred. Returns the trace row back when it is not (to be written now); a
    /// referred vehicle's row waits for its secondary inspection.
    pub(super) fn on_primary_start(
        &mut self,
        lane: usize,
        booth: u32,
        v: &Vehicle,
        end_ns: u64,
        trace: Option<TraceRecord>,
    ) -> Option<TraceRecord> {
        let class = v.class as usize;
        let p = self.referral[class];
        if p <= 0.0 || self.referral_rng.uniform() >= p {
            return trace;
        }
        if v.counted {
            self.by_lane[lane].referrals += 1;
            self.by_class[class].referrals += 1;
        }
        self.pending[lane][booth as usize] = Some(Referral {
            class,
            lane,
            counted: v.counted,
            primary_end_ns: end_ns,
            trace: trace.map(|mut t| {
                t.referred = true;
                t
            }),
        });
        None
    }

    /// Primary inspection ends at `booth` of `lane` at `now`. A referred vehicle takes a space
    /// if one is free (`schedule` receives any secondary inspection that starts), or blocks the
    /// booth.
    pub(super) fn on_primary_end(
        &mut self,
        now: u64,
        lane: usize,
        booth: u32,
        schedule: &mut impl FnMut(u64, u32),
    ) -> PrimaryEnd {
        let Some(r) = self.pending[lane][booth as usize].take() else {
            return PrimaryEnd::Free;
        };
        if self.occupied < self.spaces {
            self.enter_area(now, r, schedule);
            PrimaryEnd::Free
        } else {
            self.pending[lane][booth as usize] = Some(r);
            self.blocked.push_back((lane, booth));
            self.blocked_by_lane[lane].add(now, 1);
            PrimaryEnd::Blocked
        }
    }

    fn enter_area(&mut self, now: u64, r: Referral, schedule: &mut impl FnMut(u64, u32)) {
        self.occupied += 1;
        self.queue.push_back(r);
        self.start_inspections(now, schedule);
    }

    /// Officers free and on duty take the vehicles waiting in the area.
    fn start_inspections(&mut self, now: u64, schedule: &mut impl FnMut(u64, u32)) {
        while self.busy < self.target {
            let Some(r) = self.queue.pop_front() else {
                break;
            };
            let service_s = self.sampler.sample(&mut self.service_rng).max(0.0);
            let end = now.saturating_add(SimTime::from_secs_f64(service_s).as_nanos());
            let slot = match self.free_slots.pop() {
                Some(s) => s,
                None => {
                    self.in_service.push(None);
                    (self.in_service.len() - 1) as u32
                }
            };
            if r.counted {
                let wait_s = (now - r.primary_end_ns) as f64 * 1e-9;
                for t in [&mut self.by_lane[r.lane], &mut self.by_class[r.class]] {
                    t.done += 1;
                    t.wait_sum_s += wait_s;
                    t.time_sum_s += service_s;
                }
            }
            self.in_service[slot as usize] = Some((r, now));
            self.busy += 1;
            self.busy_level.add(now, 1);
            self.set_duty(now);
            schedule(end, slot);
        }
    }

    fn set_duty(&mut self, now: u64) {
        let duty = i64::from(self.target.max(self.busy));
        let d = duty - self.duty_level.level();
        if d != 0 {
            self.duty_level.add(now, d);
        }
    }

    /// Officers on duty change on the hour.
    pub(super) fn on_hour(&mut self, now: u64, schedule: &mut impl FnMut(u64, u32)) {
        self.target = self.officers[((now / HOUR_NS) % 24) as usize];
        self.set_duty(now);
        self.start_inspections(now, schedule);
    }

    /// The secondary inspection in `slot` ends at `now`: its trace row is written
    /// (`trace_out`), its space frees, and the first blocked booth, if any, hands its vehicle
    /// over and is returned (the event loop then frees that booth).
    pub(super) fn on_secondary_end(
        &mut self,
        now: u64,
        slot: u32,
        schedule: &mut impl FnMut(u64, u32),
        trace_out: &mut impl FnMut(TraceRecord),
    ) -> Option<(usize, u32)> {
        let (r, start) = self.in_service[slot as usize].take()?;
        self.free_slots.push(slot);
        self.busy -= 1;
        self.busy_level.add(now, -1);
        if let Some(mut t) = r.trace {
            t.secondary_start = Some(SimTime::from_nanos(start));
            t.secondary_end = Some(SimTime::from_nanos(now));
            trace_out(t);
        }
        self.occupied -= 1;
        let unblocked = self.blocked.pop_front();
        if let Some((lane, booth)) = unblocked {
            self.blocked_by_lane[lane].add(now, -1);
            let r = self.pending[lane][booth as usize]
                .take()
                .expect("a blocked booth holds its referred vehicle");
            self.enter_area(now, r, schedule);
        } else {
            self.start_inspections(now, schedule);
        }
        self.set_duty(now);
        unblocked
    }

    /// Trace rows of the referred vehicles not through secondary at the horizon.
    pub(super) fn unfinished_traces(&mut self) -> Vec<TraceRecord> {
        let mut out = Vec::new();
        for booths in &mut self.pending {
            out.extend(booths.iter_mut().filter_map(|r| r.as_mut()?.trace.take()));
        }
        out.extend(self.queue.iter_mut().filter_map(|r| r.trace.take()));
        for (r, start) in self.in_service.iter_mut().flatten() {
            if let Some(mut t) = r.trace.take() {
                t.secondary_start = Some(SimTime::from_nanos(*start));
                out.push(t);
            }
        }
        out.sort_by_key(|t| t.id);
        out
    }

    /// Closes the levels at `end_ns` and fills the secondary metrics of `groups` (all, lanes,
    /// classes);
    /// `staffed_by_lane` is each lane's open booth-time (booth x seconds by hour of day).
    pub(super) fn finish(
        &mut self,
        end_ns: u64,
        groups: &mut [GroupResult],
        staffed_by_lane: &[[f64; 24]],
    ) {
        let busy = self.busy_level.finish(end_ns);
        let duty = self.duty_level.finish(end_ns);
        let blocked: Vec<[f64; 24]> = self
            .blocked_by_lane
            .iter_mut()
            .map(|l| l.finish(end_ns))
            .collect();
        let sum = |xs: &[[f64; 24]]| {
            let mut out = [0.0; 24];
            for x in xs {
                for h in 0..24 {
                    out[h] += x[h];
                }
            }
            out
        };
        let mut all = Tally::default();
        for t in &self.by_class {
            all.referrals += t.referrals;
            all.done += t.done;
            all.wait_sum_s += t.wait_sum_s;
            all.time_sum_s += t.time_sum_s;
        }
        for g in groups.iter_mut() {
            match g.group {
                GroupRef::All => {
                    put_tally(g, &all);
                    put_share(
                        g,
                        &sum(&blocked),
                        &sum(staffed_by_lane),
                        Metric::PrimaryBlockedShare,
                    );
                    put_share(g, &busy, &duty, Metric::SecondaryUtilization);
                }
                GroupRef::Lane(i) => {
                    put_tally(g, &self.by_lane[i]);
                    put_share(
                        g,
                        &blocked[i],
                        &staffed_by_lane[i],
                        Metric::PrimaryBlockedShare,
                    );
                }
                GroupRef::Class(i) => put_tally(g, &self.by_class[i]),
                GroupRef::FlexBooth { .. } => {}
            }
        }
    }
}

fn put_tally(g: &mut GroupResult, t: &Tally) {
    g.metrics[Metric::Referrals as usize] = t.referrals as f64;
    g.metrics[Metric::SecondaryWait as usize] = ratio(t.wait_sum_s, t.done as f64);
    g.metrics[Metric::SecondaryTime as usize] = ratio(t.time_sum_s, t.done as f64);
}

fn put_share(g: &mut GroupResult, num: &[f64; 24], den: &[f64; 24], m: Metric) {
    g.metrics[m as usize] = ratio(num.iter().sum(), den.iter().sum());
    let hm = match m {
        Metric::PrimaryBlockedShare => HourlyMetric::PrimaryBlockedShare,
        _ => HourlyMetric::SecondaryUtilization,
    };
    for h in 0..24 {
        g.hourly[h][hm as usize] = ratio(num[h], den[h]);
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::SimTime;
    use crate::port::{
        ClassConfig, GroupRef, Metric, PortConfig, ReplicationResult, SecondaryConfig, ServiceDist,
        simulate, test_support,
    };
    use crate::stats::{Mmc, mean_ci};

    /// One lane of `booths` exponential 60 s booths at 300 arrivals an hour; every vehicle is
    /// referred with probability `referral` to a secondary area of `spaces` spaces and
    /// `officers` officers (exponential 90 s).
    fn port(booths: u32, referral: f64, spaces: u32, officers: u32) -> PortConfig {
        PortConfig {
            name: "secondary".into(),
            seed: 5,
            horizon: SimTime::from_hours(24 * 20),
            warmup: SimTime::from_hours(24),
            replications: 8,
            secondary: Some(SecondaryConfig {
                spaces,
                officers: [officers; 24],
                service: ServiceDist::Exponential { mean_s: 90.0 },
            }),
            ..test_support::config(
                [300.0; 24],
                vec![ClassConfig {
                    referral,
                    ..test_support::class("g", 1.0, vec![0])
                }],
                vec![test_support::lane("m", booths, 60.0)],
            )
        }
    }

    fn run(cfg: &PortConfig) -> Vec<ReplicationResult> {
        (0..cfg.replications)
            .map(|r| simulate(cfg, r, None))
            .collect()
    }

    fn metric(r: &ReplicationResult, g: GroupRef, m: Metric) -> f64 {
        r.group(g).expect("group").metric(m)
    }

    /// Nobody referred: today's numbers to the bit. Spaces never short: primary's numbers are
    /// today's too (referrals draw from their own stream), and no booth is ever blocked.
    #[test]
    fn without_referrals_or_without_shortage_primary_is_unchanged() {
        let mut plain = port(10, 0.0, 1, 1);
        plain.secondary = None;
        let zero = port(10, 0.0, 1, 1);
        let ample = port(10, 0.2, 100_000, 100);
        let n = Metric::ApproachWait as usize;
        for rep in 0..2 {
            let a = simulate(&plain, rep, None);
            let b = simulate(&zero, rep, None);
            let c = simulate(&ample, rep, None);
            let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            for ((ga, gb), gc) in a.groups.iter().zip(&b.groups).zip(&c.groups) {
                assert_eq!(bits(&ga.metrics[..n]), bits(&gb.metrics[..n]));
                assert_eq!(bits(&ga.metrics[..n]), bits(&gc.metrics[..n]));
                assert_eq!(format!("{:?}", ga.wait_cdf), format!("{:?}", gc.wait_cdf));
            }
            assert_eq!(metric(&b, GroupRef::All, Metric::Referrals), 0.0);
            assert_eq!(metric(&c, GroupRef::All, Metric::PrimaryBlockedShare), 0.0);
            assert!(metric(&c, GroupRef::All, Metric::Referrals) > 0.0);
        }
    }

    /// With spaces never short, secondary is an M/M/2 queue: departures of a stable M/M/c
    /// primary are Poisson (Burke), thinned by the referral probability. Mean secondary wait and
    /// utilisation against Erlang C, within the Student-t 95% interval over 8 replications
    /// widened for the 3 checks (Bonferroni, family-wise 95%).
    #[test]
    fn secondary_with_ample_spaces_is_erlang_c() {
        let cfg = port(10, 0.2, 100_000, 2);
        let reps = run(&cfg);
        let q = Mmc {
            servers: 2,
            arrival_rate_per_s: 300.0 * 0.2 / 3600.0,
            mean_service_s: 90.0,
        };
        let checks = [
            (Metric::SecondaryWait, q.mean_wait_s()),
            (Metric::SecondaryTime, 90.0),
            (Metric::SecondaryUtilization, q.offered_load() / 2.0),
        ];
        // t(0.025/3, 7) / t(0.025, 7) = 3.128 / 2.365.
        let widen = 3.128 / 2.365;
        for (m, exact) in checks {
            let xs: Vec<f64> = reps.iter().map(|r| metric(r, GroupRef::All, m)).collect();
            let ci = mean_ci(&xs);
            assert!(
                (ci.mean - exact).abs() <= widen * ci.ci95,
                "{}: {} ± {} vs {exact}",
                m.name(),
                ci.mean,
                ci.ci95
            );
            assert!(ci.ci95 < 0.1 * exact, "{}: interval too wide", m.name());
        }
    }

    /// Two spaces for a busy secondary: referred vehicles hold their primary booths, primary
    /// loses capacity and its queue waits longer (paired over replications, the 95% Student-t
    /// interval of the rise above zero).
    #[test]
    fn few_spaces_block_primary_booths() {
        let ample = port(6, 0.1, 100_000, 1);
        let tight = port(6, 0.1, 2, 1);
        let (ra, rt) = (run(&ample), run(&tight));
        let rise: Vec<f64> = ra
            .iter()
            .zip(&rt)
            .map(|(a, t)| {
                metric(t, GroupRef::All, Metric::WaitMean)
                    - metric(a, GroupRef::All, Metric::WaitMean)
            })
            .collect();
        let ci = mean_ci(&rise);
        assert!(ci.mean - ci.ci95 > 0.0, "rise {} ± {}", ci.mean, ci.ci95);
        for r in &rt {
            let share = metric(r, GroupRef::Lane(0), Metric::PrimaryBlockedShare);
            assert!(share > 0.0 && share < 1.0, "{share}");
        }
    }
}
