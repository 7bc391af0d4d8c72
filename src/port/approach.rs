//! The shared approach before the lane split, lane storage and the outside queue.
//!
//! Vehicles of shared classes stand in one line, in arrival order, between the port entrance
//! and the point where the lanes split; the first `storage` of them are inside the port (the
//! approach), the rest wait outside (on the bridge and the city streets). The head of the line
//! chooses its lane at the split, among its class's lanes whose own queue has room, and moves
//! into it at once; when none of its lanes has room it blocks, and everyone behind it waits,
//! whatever lane they want (head-of-line blocking). A dedicated class has a line of its own,
//! with no outside part, and is never behind the shared line.
//!
//! The event loop decides lane choice and room (it owns the lanes); this module keeps the lines
//! and their statistics. Moving through the approach takes no time, so when nothing blocks a
//! vehicle passes the split the instant it arrives, exactly as without an approach.

use super::ratio;
use std::collections::VecDeque;

use super::config::{ApproachUse, PortConfig};
use super::metrics::{GroupRef, GroupResult, HourlyMetric, Metric};
use super::model::Vehicle;
use crate::stats::HourlyLevel;

const HOUR_NS: u64 = 3_600_000_000_000;

/// Approach waits (arrival to split) of one group, by hour of day of arrival.
#[derive(Clone, Copy)]
struct SplitTally {
    count: [u64; 24],
    wait_sum_s: [f64; 24],
}

impl SplitTally {
    const ZERO: SplitTally = SplitTally {
        count: [0; 24],
        wait_sum_s: [0.0; 24],
    };
    fn add(&mut self, hour: usize, wait_s: f64) {
        self.count[hour] += 1;
        self.wait_sum_s[hour] += wait_s;
    }
    fn merge(&mut self, o: &SplitTally) {
        for h in 0..24 {
            self.count[h] += o.count[h];
            self.wait_sum_s[h] += o.wait_sum_s[h];
        }
    }
}

/// The lines before the split and their statistics, for one replication.
pub(super) struct Approach {
    /// Line 0 is the shared approach; then one line per dedicated class.
    lines: Vec<VecDeque<Vehicle>>,
    line_of_class: Vec<usize>,
    /// Vehicles that fit inside the shared approach (`usize::MAX`: no `[approach]` table, so
    /// nothing is counted outside).
    storage: usize,
    lane_full: Vec<bool>,
    lane_full_level: Vec<HourlyLevel>,
    lane_has_storage: Vec<bool>,
    blocked: HourlyLevel,
    inside: HourlyLevel,
    outside: HourlyLevel,
    inside_by_class: Vec<HourlyLevel>,
    outside_by_class: Vec<HourlyLevel>,
    /// Every vehicle before the split, in any line.
    before_split: HourlyLevel,
    split_by_lane: Vec<SplitTally>,
    split_by_class: Vec<SplitTally>,
    class_shared: Vec<bool>,
}

impl Approach {
    /// The approach of `cfg`, or None when the scenario has none (see
    /// [`PortConfig::has_approach`]).
    pub(super) fn new(cfg: &PortConfig, start_ns: u64) -> Option<Self> {
        if !cfg.has_approach() {
            return None;
        }
        let mut lines = vec![VecDeque::new()];
        let line_of_class = cfg
            .classes
            .iter()
            .map(|c| match c.approach {
                ApproachUse::Shared => 0,
                ApproachUse::Dedicated => {
                    lines.push(VecDeque::new());
                    lines.len() - 1
                }
            })
            .collect();
        let level = || HourlyLevel::new(start_ns);
        Some(Approach {
            lines,
            line_of_class,
            storage: cfg.approach.map_or(usize::MAX, |a| a.storage as usize),
            lane_full: vec![false; cfg.lanes.len()],
            lane_full_level: cfg.lanes.iter().map(|_| level()).collect(),
            lane_has_storage: cfg.lanes.iter().map(|l| l.storage.is_some()).collect(),
            blocked: level(),
            inside: level(),
            outside: level(),
            inside_by_class: cfg.classes.iter().map(|_| level()).collect(),
            outside_by_class: cfg.classes.iter().map(|_| level()).collect(),
            before_split: level(),
            split_by_lane: vec![SplitTally::ZERO; cfg.lanes.len()],
            split_by_class: vec![SplitTally::ZERO; cfg.classes.len()],
            class_shared: cfg
                .classes
                .iter()
                .map(|c| c.approach == ApproachUse::Shared)
                .collect(),
        })
    }

    /// Whether nobody of `class`'s line is waiting before the split (a newcomer may then pass
    /// at once if one of its lanes has room).
    #[inline]
    pub(super) fn line_is_empty(&self, class: usize) -> bool {
        self.lines[self.line_of_class[class]].is_empty()
    }

    /// `v` joins the back of its class's line at `now`.
    pub(super) fn push(&mut self, now: u64, v: Vehicle) {
        let class = v.class as usize;
        let line = self.line_of_class[class];
        self.lines[line].push_back(v);
        self.before_split.add(now, 1);
        if line != 0 {
            return;
        }
        let len = self.lines[0].len();
        if len == 1 {
            self.blocked.add(now, 1);
        }
        if len > self.storage {
            self.outside.add(now, 1);
            self.outside_by_class[class].add(now, 1);
        } else {
            self.inside.add(now, 1);
            self.inside_by_class[class].add(now, 1);
        }
    }

    /// The line whose head arrived first among the heads that `can_pass` (given the head's
    /// class) lets through the split, if any.
    pub(super) fn next_to_pass(&self, can_pass: impl Fn(usize) -> bool) -> Option<usize> {
        let mut best: Option<(u64, usize)> = None;
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(v) = line.front()
                && best.is_none_or(|(id, _)| v.id < id)
                && can_pass(v.class as usize)
            {
                best = Some((v.id, i));
            }
        }
        best.map(|(_, i)| i)
    }

    /// Takes the head of `line` at `now` (it passes the split).
    pub(super) fn pop(&mut self, now: u64, line: usize) -> Option<Vehicle> {
        let v = self.lines[line].pop_front()?;
        self.before_split.add(now, -1);
        if line == 0 {
            let class = v.class as usize;
            self.inside.add(now, -1);
            self.inside_by_class[class].add(now, -1);
            let len = self.lines[0].len();
            if len >= self.storage {
                // The first vehicle outside moves into the approach.
                let moved = self.lines[0][self.storage - 1].class as usize;
                self.outside.add(now, -1);
                self.outside_by_class[moved].add(now, -1);
                self.inside.add(now, 1);
                self.inside_by_class[moved].add(now, 1);
            }
            if len == 0 {
                self.blocked.add(now, -1);
            }
        }
        Some(v)
    }

    /// Records that `v` passed the split into `lane` at `now`.
    pub(super) fn record_split(&mut self, now: u64, lane: usize, v: &Vehicle) {
        if v.counted {
            let hour = ((v.arrival_ns / HOUR_NS) % 24) as usize;
            let wait_s = (now - v.arrival_ns) as f64 * 1e-9;
            self.split_by_lane[lane].add(hour, wait_s);
            self.split_by_class[v.class as usize].add(hour, wait_s);
        }
    }

    /// Tells whether `lane`'s storage is full from `now` on.
    #[inline]
    pub(super) fn set_lane_full(&mut self, now: u64, lane: usize, full: bool) {
        if self.lane_full[lane] != full {
            self.lane_full[lane] = full;
            self.lane_full_level[lane].add(now, if full { 1 } else { -1 });
        }
    }

    /// Every vehicle still before the split, line by line in order (at the horizon).
    pub(super) fn stranded(&self) -> impl Iterator<Item = &Vehicle> {
        self.lines.iter().flatten()
    }

    /// Vehicles before the split (any line) x seconds, by hour of day, up to `end_ns`.
    pub(super) fn before_split_area(&mut self, end_ns: u64) -> [f64; 24] {
        self.before_split.finish(end_ns)
    }

    /// Closes the levels at `end_ns` and fills the approach metrics of `groups` (laid out all,
    /// lanes, classes); `hour_s` is the observed time by hour of day.
    pub(super) fn finish(&mut self, end_ns: u64, groups: &mut [GroupResult], hour_s: &[f64; 24]) {
        let blocked = self.blocked.finish(end_ns);
        let inside = self.inside.finish(end_ns);
        let outside = self.outside.finish(end_ns);
        let mut all = SplitTally::ZERO;
        for t in &self.split_by_class {
            all.merge(t);
        }
        for g in groups.iter_mut() {
            match g.group {
                GroupRef::All => {
                    put_split(g, &all);
                    put_level(g, Metric::ApproachBlockedShare, &blocked, hour_s);
                    put_level(g, Metric::OutsideQueueMean, &outside, hour_s);
                    put_level(g, Metric::ApproachQueueMean, &inside, hour_s);
                }
                GroupRef::Lane(i) => {
                    put_split(g, &self.split_by_lane[i]);
                    if self.lane_has_storage[i] {
                        let full = self.lane_full_level[i].finish(end_ns);
                        put_level(g, Metric::LaneFullShare, &full, hour_s);
                    }
                }
                GroupRef::Class(i) => {
                    put_split(g, &self.split_by_class[i]);
                    if self.class_shared[i] {
                        let o = self.outside_by_class[i].finish(end_ns);
                        let a = self.inside_by_class[i].finish(end_ns);
                        put_level(g, Metric::OutsideQueueMean, &o, hour_s);
                        put_level(g, Metric::ApproachQueueMean, &a, hour_s);
                    }
                }
                GroupRef::FlexBooth { .. } => {}
            }
        }
    }
}

/// The hourly metric that mirrors a whole-run approach metric.
fn hourly_of(m: Metric) -> HourlyMetric {
    match m {
        Metric::LaneFullShare => HourlyMetric::LaneFullShare,
        Metric::ApproachBlockedShare => HourlyMetric::ApproachBlockedShare,
        Metric::OutsideQueueMean => HourlyMetric::OutsideQueueMean,
        Metric::ApproachQueueMean => HourlyMetric::ApproachQueueMean,
        _ => HourlyMetric::ApproachWait,
    }
}

/// A time-average level (or time share, for a 0/1 level) from its area by hour.
fn put_level(g: &mut GroupResult, m: Metric, area: &[f64; 24], hour_s: &[f64; 24]) {
    let total_s: f64 = hour_s.iter().sum();
    g.metrics[m as usize] = ratio(area.iter().sum(), total_s);
    let hm = hourly_of(m);
    for h in 0..24 {
        g.hourly[h][hm as usize] = ratio(area[h], hour_s[h]);
    }
}

fn put_split(g: &mut GroupResult, t: &SplitTally) {
    let n: u64 = t.count.iter().sum();
    g.metrics[Metric::ApproachWait as usize] = ratio(t.wait_sum_s.iter().sum(), n as f64);
    for h in 0..24 {
        g.hourly[h][HourlyMetric::ApproachWait as usize] =
            ratio(t.wait_sum_s[h], t.count[h] as f64);
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::SimTime;
    use crate::port::{
        ApproachConfig, ApproachUse, ClassConfig, GroupRef, LaneConfig, LaneKind, Metric,
        PortConfig, ReplicationResult, simulate, test_support,
    };
    use crate::stats::mean_ci;

    /// General, Ready and SENTRI lanes, one class each; the general lane is overloaded from
    /// 06:00 to 12:00 (about 140 vehicles an hour against 120 of capacity).
    fn port() -> PortConfig {
        let lane = |id: &str, kind, booths: u32, mean_s: f64| LaneConfig {
            kind,
            ..test_support::lane(id, booths, mean_s)
        };
        let class = |id: &str, share: f64, lane: usize| ClassConfig {
            trusted: lane == 2,
            ..test_support::class(id, share, vec![lane])
        };
        PortConfig {
            name: "approach".into(),
            seed: 11,
            horizon: SimTime::from_hours(24 * 7),
            warmup: SimTime::from_hours(24),
            replications: 6,
            ..test_support::config(
                std::array::from_fn(|h| if (6..12).contains(&h) { 280.0 } else { 150.0 }),
                vec![
                    class("general", 0.5, 0),
                    class("ready", 0.35, 1),
                    class("sentri", 0.15, 2),
                ],
                vec![
                    lane("general", LaneKind::General, 2, 60.0),
                    lane("ready", LaneKind::Ready, 2, 30.0),
                    lane("sentri", LaneKind::Sentri, 1, 30.0),
                ],
            )
        }
    }

    fn run(cfg: &PortConfig) -> Vec<ReplicationResult> {
        (0..cfg.replications)
            .map(|r| simulate(cfg, r, None))
            .collect()
    }

    /// The metrics that exist without an approach (everything before `approach_wait_s`).
    fn core_metrics(r: &ReplicationResult) -> Vec<(GroupRef, Vec<u64>)> {
        let n = Metric::ApproachWait as usize;
        r.groups
            .iter()
            .map(|g| {
                let mut bits: Vec<u64> = g.metrics[..n].iter().map(|x| x.to_bits()).collect();
                for h in &g.hourly {
                    bits.extend(h[..8].iter().map(|x| x.to_bits()));
                }
                bits.extend(g.wait_cdf.iter().map(|x| x.to_bits()));
                (g.group, bits)
            })
            .collect()
    }

    #[test]
    fn huge_storage_is_no_approach_bit_for_bit() {
        let plain = port();
        let mut huge = port();
        huge.approach = Some(ApproachConfig { storage: 1_000_000 });
        for l in &mut huge.lanes {
            l.storage = Some(1_000_000);
        }
        for rep in 0..2 {
            let a = simulate(&plain, rep, None);
            let b = simulate(&huge, rep, None);
            assert_eq!(core_metrics(&a), core_metrics(&b));
            let all = b.group(GroupRef::All).expect("all");
            assert_eq!(all.metric(Metric::ApproachWait), 0.0);
            assert_eq!(all.metric(Metric::OutsideQueueMean), 0.0);
            assert_eq!(all.metric(Metric::ApproachBlockedShare), 0.0);
            // Without an approach none of its metrics is reported.
            let all = a.group(GroupRef::All).expect("all");
            assert!(all.metric(Metric::ApproachWait).is_nan());
        }
    }

    /// The approach's storage decides where the line stands (inside or outside the port),
    /// not how long anyone waits.
    #[test]
    fn approach_storage_moves_the_line_outside_without_changing_waits() {
        let mut small = port();
        small.lanes[0].storage = Some(10);
        small.approach = Some(ApproachConfig { storage: 5 });
        let mut big = small.clone();
        big.approach = Some(ApproachConfig { storage: 100_000 });
        let a = simulate(&small, 0, None);
        let b = simulate(&big, 0, None);
        assert_eq!(core_metrics(&a), core_metrics(&b));
        let (ga, gb) = (
            a.group(GroupRef::All).expect("all"),
            b.group(GroupRef::All).expect("all"),
        );
        assert!(ga.metric(Metric::OutsideQueueMean) > 0.0);
        assert_eq!(gb.metric(Metric::OutsideQueueMean), 0.0);
        let total = |g: &crate::port::GroupResult| {
            g.metric(Metric::OutsideQueueMean) + g.metric(Metric::ApproachQueueMean)
        };
        assert!((total(ga) - total(gb)).abs() < 1e-9 * total(gb).max(1.0));
        assert!(ga.metric(Metric::ApproachQueueMean) <= 5.0);
        // The general lane's storage is full part of the time, never more than always.
        let full = a
            .group(GroupRef::Lane(0))
            .expect("lane")
            .metric(Metric::LaneFullShare);
        assert!(full > 0.0 && full < 1.0, "{full}");
    }

    /// A small general-lane storage behind a shared approach: general vehicles back up past
    /// the split and block Ready drivers (their mean wait rises, paired over replications, the
    /// 95% Student-t interval of the rise above zero); SENTRI drivers on a dedicated approach
    /// are untouched, to the bit (their own lane and inspection times are unchanged), while on
    /// the shared approach they are held too.
    #[test]
    fn head_of_line_blocking_delays_ready_but_not_dedicated_sentri() {
        let base = port();
        let mut blocked = port();
        blocked.approach = Some(ApproachConfig { storage: 60 });
        blocked.lanes[0].storage = Some(15);
        blocked.classes[2].approach = ApproachUse::Dedicated;
        let mut shared_sentri = blocked.clone();
        shared_sentri.classes[2].approach = ApproachUse::Shared;
        let (rb, rx, rs) = (run(&base), run(&blocked), run(&shared_sentri));
        let wait = |r: &ReplicationResult, c| {
            r.group(GroupRef::Class(c))
                .expect("class")
                .metric(Metric::WaitMean)
        };
        let ready_rise: Vec<f64> = rb
            .iter()
            .zip(&rx)
            .map(|(b, x)| wait(x, 1) - wait(b, 1))
            .collect();
        let ci = mean_ci(&ready_rise);
        assert!(
            ci.mean - ci.ci95 > 0.0,
            "ready wait rise {} ± {}",
            ci.mean,
            ci.ci95
        );
        for (b, x) in rb.iter().zip(&rx) {
            assert_eq!(wait(b, 2).to_bits(), wait(x, 2).to_bits());
            let blocked_share = x
                .group(GroupRef::All)
                .expect("all")
                .metric(Metric::ApproachBlockedShare);
            assert!(blocked_share > 0.0);
        }
        let sentri_rise: Vec<f64> = rb
            .iter()
            .zip(&rs)
            .map(|(b, s)| wait(s, 2) - wait(b, 2))
            .collect();
        let ci = mean_ci(&sentri_rise);
        assert!(
            ci.mean - ci.ci95 > 0.0,
            "shared sentri wait rise {} ± {}",
            ci.mean,
            ci.ci95
        );
    }

    /// Every vehicle is served or still waiting (before or after the split) at the end, for
    /// every group; the whole port's queue includes the vehicles before the split (Little's
    /// law: time-average waiting = waiting vehicle-hours / time).
    #[test]
    fn conservation_and_littles_law_with_an_approach() {
        let mut cfg = port();
        cfg.approach = Some(ApproachConfig { storage: 20 });
        cfg.lanes[0].storage = Some(8);
        cfg.lanes[1].storage = Some(4);
        cfg.demand.per_hour = [260.0; 24];
        cfg.horizon = SimTime::from_hours(24 * 3);
        let r = simulate(&cfg, 0, None);
        let all = r.group(GroupRef::All).expect("all");
        let mut class_arrivals = 0.0;
        for g in &r.groups {
            assert_eq!(
                g.metric(Metric::Arrivals),
                g.metric(Metric::Served) + g.metric(Metric::UnservedAtEnd),
                "{:?}",
                g.group
            );
            if let GroupRef::Class(_) = g.group {
                class_arrivals += g.metric(Metric::Arrivals);
            }
        }
        assert_eq!(all.metric(Metric::Arrivals), class_arrivals);
        assert!(all.metric(Metric::UnservedAtEnd) > 0.0);
        let measured_s = cfg.horizon.saturating_sub(cfg.warmup).as_secs_f64();
        let from_waits = all.metric(Metric::VehicleHoursWaiting) * 3600.0 / measured_s;
        let q = all.metric(Metric::QueueMean);
        // Vehicles queued at the warm-up's end and counted from then on make a small gap.
        assert!((q - from_waits).abs() < 0.05 * q, "{q} vs {from_waits}");
    }
}
