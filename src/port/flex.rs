//! Flex booths (dynamic lane management): booths that can serve either of two lanes.
//!
//! A `[[flex]]` group of `n` booths starts in its first lane. Every `every`, during its `hours`,
//! the rule compares the two lanes' expected waits (the lane-choice estimate); when the other
//! lane's exceeds the current lane's by more than `switch_gap`, one booth of the group moves: it
//! takes no new vehicle, finishes the one it has, serves nobody for `changeover`, then opens in
//! the other lane. Each lane gives every flex booth that may serve it a booth slot of its own
//! after its regular booths (`slot = first_slot + booth`), so the event loop handles a flex
//! booth like any other and only asks this module where each one is.

use super::config::{FlexConfig, PortConfig};
use crate::stats::HourlyLevel;

/// Where one flex booth is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Open in side 0 or 1 of its group's lanes.
    Open(usize),
    /// Finishing its vehicle in side `from`, then moving.
    Leaving(usize),
    /// In changeover towards side `to`.
    Moving(usize),
}

struct Group {
    cfg: FlexConfig,
    /// First slot of the group's booths in each of its two lanes.
    first_slot: [u32; 2],
    places: Vec<Place>,
    /// The number of its first booth over every group's booths.
    first_booth: usize,
}

/// A move the event loop must carry out.
pub(super) enum Move {
    /// Close `slot` of `lane` now if idle (else when its vehicle is done), then changeover.
    Leave { lane: usize, slot: u32 },
}

/// The flex groups of one replication and their statistics.
pub(super) struct Flex {
    groups: Vec<Group>,
    switches: u64,
    /// Switches are counted from here (the end of the warm-up).
    start_ns: u64,
    /// Flex booths open in each lane (time-weighted).
    open_by_lane: Vec<HourlyLevel>,
    /// Each flex booth open in each side of its group (0 or 1, time-weighted).
    open_by_booth: Vec<[HourlyLevel; 2]>,
    /// Each flex booth's moves into each side (counted from `start_ns`).
    moves_by_booth: Vec<[u64; 2]>,
}

impl Flex {
    /// The flex groups of `cfg`, or None when it has none.
    pub(super) fn new(cfg: &PortConfig, start_ns: u64) -> Option<Self> {
        if cfg.flex.is_empty() {
            return None;
        }
        let mut next: Vec<u32> = cfg.lanes.iter().map(|l| l.max_booths * l.stacked).collect();
        let mut first_booth = 0;
        let groups: Vec<Group> = cfg
            .flex
            .iter()
            .map(|f| {
                let first_slot = [next[f.lanes[0]], next[f.lanes[1]]];
                next[f.lanes[0]] += f.booths;
                next[f.lanes[1]] += f.booths;
                first_booth += f.booths as usize;
                Group {
                    cfg: f.clone(),
                    first_slot,
                    places: vec![Place::Open(0); f.booths as usize],
                    first_booth: first_booth - f.booths as usize,
                }
            })
            .collect();
        let booths = first_booth;
        Some(Flex {
            groups,
            switches: 0,
            start_ns,
            open_by_lane: cfg
                .lanes
                .iter()
                .map(|_| HourlyLevel::new(start_ns))
                .collect(),
            open_by_booth: (0..booths)
                .map(|_| [HourlyLevel::new(start_ns), HourlyLevel::new(start_ns)])
                .collect(),
            moves_by_booth: vec![[0; 2]; booths],
        })
    }

    /// Number of groups.
    pub(super) fn len(&self) -> usize {
        self.groups.len()
    }

    /// The booths that open at the start: (lane, slot) of every flex booth in its first lane.
    pub(super) fn initial(&mut self, now: u64) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        for g in &self.groups {
            for j in 0..g.cfg.booths {
                out.push((g.cfg.lanes[0], g.first_slot[0] + j));
                self.open_by_booth[g.first_booth + j as usize][0].add(now, 1);
            }
            self.open_by_lane[g.cfg.lanes[0]].add(now, i64::from(g.cfg.booths));
        }
        out
    }

    /// The rule's period of group `g` (ns).
    pub(super) fn every_ns(&self, g: usize) -> u64 {
        self.groups[g].cfg.every.as_nanos()
    }

    /// Group `g`'s rule at `now`, given each lane's expected wait: the move to make, if any.
    pub(super) fn tick(
        &mut self,
        now: u64,
        g: usize,
        wait_s: impl Fn(usize) -> f64,
    ) -> Option<Move> {
        let grp = &mut self.groups[g];
        let hour = ((now / 3_600_000_000_000) % 24) as u32;
        if let Some((from, to)) = grp.cfg.hours
            && !(from <= hour && hour < to)
        {
            return None;
        }
        let w = [wait_s(grp.cfg.lanes[0]), wait_s(grp.cfg.lanes[1])];
        let gap = grp.cfg.switch_gap_s;
        let src = if w[1] - w[0] > gap {
            0
        } else if w[0] - w[1] > gap {
            1
        } else {
            return None;
        };
        // The last booth of the group open in the source side moves.
        let j = grp.places.iter().rposition(|p| *p == Place::Open(src))?;
        grp.places[j] = Place::Leaving(src);
        let booth = grp.first_booth + j;
        if now >= self.start_ns {
            self.switches += 1;
            self.moves_by_booth[booth][1 - src] += 1;
        }
        self.open_by_booth[booth][src].add(now, -1);
        let lane = grp.cfg.lanes[src];
        self.open_by_lane[lane].add(now, -1);
        Some(Move::Leave {
            lane,
            slot: grp.first_slot[src] + j as u32,
        })
    }

    /// Whether `slot` of `lane` is a flex booth open there now.
    pub(super) fn is_open(&self, lane: usize, slot: u32) -> bool {
        self.find(lane, slot)
            .is_some_and(|(g, j, side)| self.groups[g].places[j] == Place::Open(side))
    }

    fn find(&self, lane: usize, slot: u32) -> Option<(usize, usize, usize)> {
        for (g, grp) in self.groups.iter().enumerate() {
            for side in 0..2 {
                let first = grp.first_slot[side];
                if grp.cfg.lanes[side] == lane && slot >= first && slot < first + grp.cfg.booths {
                    return Some((g, (slot - first) as usize, side));
                }
            }
        }
        None
    }

    /// A leaving flex booth at `slot` of `lane` is free: it starts its changeover. Returns
    /// (group, booth, delay in ns) for the arrival event.
    pub(super) fn left(&mut self, lane: usize, slot: u32) -> Option<(usize, u32, u64)> {
        let (g, j, side) = self.find(lane, slot)?;
        let grp = &mut self.groups[g];
        if grp.places[j] != Place::Leaving(side) {
            return None;
        }
        grp.places[j] = Place::Moving(1 - side);
        Some((g, j as u32, grp.cfg.changeover.as_nanos()))
    }

    /// Booth `j` of group `g` ends its changeover at `now`: the (lane, slot) where it opens.
    pub(super) fn arrive(&mut self, now: u64, g: usize, j: u32) -> Option<(usize, u32)> {
        let grp = &mut self.groups[g];
        let Place::Moving(to) = grp.places[j as usize] else {
            return None;
        };
        grp.places[j as usize] = Place::Open(to);
        let lane = grp.cfg.lanes[to];
        self.open_by_lane[lane].add(now, 1);
        self.open_by_booth[grp.first_booth + j as usize][to].add(now, 1);
        Some((lane, grp.first_slot[to] + j))
    }

    /// Closes the levels and fills the flex metrics: booth-hours per day of flex booths open in
    /// each lane, switches per day (all), and one group per flex booth and lane of its group
    /// with that booth's hours per day open in the lane and its moves into it per day.
    pub(super) fn finish(
        &mut self,
        end_ns: u64,
        groups: &mut Vec<super::metrics::GroupResult>,
        days: f64,
    ) {
        use super::metrics::{GroupRef, GroupResult, HourlyMetric, Metric};
        for g in groups.iter_mut() {
            match g.group {
                GroupRef::All => {
                    g.metrics[Metric::FlexSwitchesPerDay as usize] = self.switches as f64 / days;
                }
                GroupRef::Lane(i) => {
                    let a: f64 = self.open_by_lane[i].finish(end_ns).iter().sum();
                    g.metrics[Metric::FlexBoothHoursPerDay as usize] = a / 3600.0 / days;
                }
                GroupRef::Class(_) | GroupRef::FlexBooth { .. } => {}
            }
        }
        for g in &self.groups {
            for j in 0..g.cfg.booths as usize {
                let booth = g.first_booth + j;
                for side in 0..2 {
                    let open: f64 = self.open_by_booth[booth][side].finish(end_ns).iter().sum();
                    let mut metrics = vec![f64::NAN; Metric::COUNT];
                    metrics[Metric::FlexBoothHoursPerDay as usize] = open / 3600.0 / days;
                    metrics[Metric::FlexSwitchesPerDay as usize] =
                        self.moves_by_booth[booth][side] as f64 / days;
                    groups.push(GroupResult {
                        group: GroupRef::FlexBooth {
                            booth,
                            lane: g.cfg.lanes[side],
                        },
                        metrics,
                        hourly: vec![[f64::NAN; HourlyMetric::COUNT]; 24],
                        wait_cdf: Vec::new(),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::SimTime;
    use crate::port::{
        FlexConfig, GroupRef, Metric, PortConfig, ReplicationResult, simulate, test_support,
    };
    use crate::stats::mean_ci;

    /// Two symmetric lanes of `booths` fixed booths (exponential 60 s), one class each, lane a
    /// getting `rate_a` and lane b 100 vehicles an hour, and `flex` booths starting in lane b.
    fn port(booths: u32, rate_a: f64, flex: u32, gap_s: f64) -> PortConfig {
        let lane = |id: &str| test_support::lane(id, booths, 60.0);
        let total = rate_a + 100.0;
        let class = |id: &str, share: f64, l: usize| test_support::class(id, share, vec![l]);
        PortConfig {
            name: "flex".into(),
            seed: 23,
            horizon: SimTime::from_hours(24 * 10),
            warmup: SimTime::from_hours(24),
            replications: 6,
            flex: (flex > 0)
                .then(|| FlexConfig {
                    id: "gate".into(),
                    booths: flex,
                    lanes: [1, 0],
                    every: SimTime::from_secs_f64(900.0),
                    switch_gap_s: gap_s,
                    changeover: SimTime::from_secs_f64(120.0),
                    hours: None,
                })
                .into_iter()
                .collect(),
            ..test_support::config(
                [total; 24],
                vec![class("a", rate_a / total, 0), class("b", 100.0 / total, 1)],
                vec![lane("a"), lane("b")],
            )
        }
    }

    fn wait(r: &ReplicationResult, lane: usize) -> f64 {
        r.group(GroupRef::Lane(lane))
            .expect("lane")
            .metric(Metric::WaitMean)
    }

    /// A switch gap nobody reaches: the flex booths stay where they start, and every wait is
    /// that of the same booths fixed in that lane, to the bit.
    #[test]
    fn a_huge_switch_gap_is_fixed_booths() {
        let flex = port(2, 100.0, 2, 1e12);
        let mut fixed = port(2, 100.0, 0, 0.0);
        fixed.lanes[1].booths = [4; 24];
        fixed.lanes[1].max_booths = 4;
        for rep in 0..2 {
            let (a, b) = (simulate(&flex, rep, None), simulate(&fixed, rep, None));
            for (ga, gb) in a.groups.iter().zip(&b.groups) {
                assert_eq!(
                    format!("{:?}", &ga.metrics[..Metric::ApproachWait as usize]),
                    format!("{:?}", &gb.metrics[..Metric::ApproachWait as usize]),
                    "{:?}",
                    ga.group
                );
            }
            let all = a.group(GroupRef::All).expect("all");
            assert_eq!(all.metric(Metric::FlexSwitchesPerDay), 0.0);
        }
    }

    /// Lane a overloaded (150 an hour for 2 fixed booths), lane b light: the flex booths move to
    /// a, and the gap between the lanes' mean waits shrinks (paired over replications, the 95%
    /// Student-t interval of the shrinkage above zero).
    #[test]
    fn flex_booths_move_to_the_overloaded_lane() {
        let flex = port(2, 150.0, 2, 300.0);
        let mut fixed = port(2, 150.0, 0, 0.0);
        fixed.lanes[1].booths = [4; 24];
        fixed.lanes[1].max_booths = 4;
        let shrink: Vec<f64> = (0..flex.replications)
            .map(|r| {
                let (a, b) = (simulate(&flex, r, None), simulate(&fixed, r, None));
                let flex_hours = a
                    .group(GroupRef::Lane(0))
                    .expect("lane")
                    .metric(Metric::FlexBoothHoursPerDay);
                assert!(
                    flex_hours > 12.0,
                    "flex booth-hours in lane a: {flex_hours}"
                );
                (wait(&b, 0) - wait(&b, 1)).abs() - (wait(&a, 0) - wait(&a, 1)).abs()
            })
            .collect();
        let ci = mean_ci(&shrink);
        assert!(
            ci.mean - ci.ci95 > 0.0,
            "gap shrinks by {} ± {}",
            ci.mean,
            ci.ci95
        );
    }

    /// Each flex booth reports its hours in each lane and its moves into each: over its two
    /// rows the hours make the day less the changeovers (2 minutes a move), the booths' hours
    /// in a lane add up to the lane's flex booth-hours, and their moves to the switches.
    #[test]
    fn each_flex_booth_reports_its_lanes_and_moves() {
        let cfg = port(2, 150.0, 2, 300.0);
        let r = simulate(&cfg, 0, None);
        let days = cfg.measured_days();
        let row = |booth: usize, lane: usize| {
            r.group(GroupRef::FlexBooth { booth, lane })
                .unwrap_or_else(|| panic!("flex booth {booth} in lane {lane}"))
        };
        assert_eq!(
            cfg.group_label(GroupRef::FlexBooth { booth: 1, lane: 0 }),
            "flex:gate/2/lane:a"
        );
        let mut moves = 0.0;
        for lane in 0..2 {
            let sum: f64 = (0..2)
                .map(|b| row(b, lane).metric(Metric::FlexBoothHoursPerDay))
                .sum();
            let lane_hours = r
                .group(GroupRef::Lane(lane))
                .expect("lane")
                .metric(Metric::FlexBoothHoursPerDay);
            assert!(
                (sum - lane_hours).abs() < 1e-6,
                "lane {lane}: {sum} vs {lane_hours}"
            );
        }
        for b in 0..2 {
            let (h0, h1) = (
                row(b, 0).metric(Metric::FlexBoothHoursPerDay),
                row(b, 1).metric(Metric::FlexBoothHoursPerDay),
            );
            let m = row(b, 0).metric(Metric::FlexSwitchesPerDay)
                + row(b, 1).metric(Metric::FlexSwitchesPerDay);
            moves += m;
            // Out of service only while finishing a vehicle before a move and in changeover.
            let away = 24.0 - h0 - h1;
            assert!(
                away >= 2.0 / 60.0 * m - 1e-9,
                "booth {b}: {away} h away, {m} moves"
            );
            assert!(
                away <= 10.0 / 60.0 * m + 1e-9,
                "booth {b}: {away} h away, {m} moves"
            );
        }
        let all = r
            .group(GroupRef::All)
            .expect("all")
            .metric(Metric::FlexSwitchesPerDay);
        assert!((moves - all).abs() < 1e-9, "{moves} vs {all}");
        assert!(all * days >= 1.0, "the booths move");
    }
}
