//! Offered load against capacity over an average day, computed from the scenario alone (no
//! simulation), so that `check` and `run` can warn before running.
//!
//! The rule: for each distinct set of lanes that some class may use (its eligible lanes), the
//! demand of every class that can only use lanes of that set is compared with the set's
//! capacity. Demand is vehicles on an average day of the week (the hourly rates times the
//! weekday factors and scale, summed over the week and divided by 7, times the classes' shares).
//! Capacity is the sum over the set's lanes and the hours of the day of open booths x 3600 /
//! mean service time (s), over an average day of the week (five weekdays, a Saturday and a
//! Sunday, each with its own booth table). A stacked booth (`stacked = 2`) serves
//! `2 E[S] / E[max(S1, S2)]` times as many as a single one (its pair of vehicles takes the longer
//! of two inspections under a standing queue; `ServiceDist::mean_max_of_two_s`). Flex booths
//! (`[[flex]]`) are open all day: in a set holding one of their two lanes they count as open in
//! it all day (at the faster lane's service time when the set holds both), an upper bound since
//! each serves one lane at a time. A class with a single lane is compared with that lane alone; classes
//! that share lanes are compared pooled, since vehicles move to whichever eligible lane is
//! shorter. The whole port (every class, every lane some class may use) is always one of the
//! checks. A load above 1 means the queue grows from day to day without bound; a load below 1
//! is necessary for a stable run, not sufficient (queues may still build in the peak hours).

use super::PortConfig;
use super::class_mix::{share_in_hour, varies_by_hour};

/// One comparison of pooled demand with pooled capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityCheck {
    /// Indices of the classes whose eligible lanes all lie in `lanes`, in scenario order.
    pub classes: Vec<usize>,
    /// Indices of the lanes, in scenario order.
    pub lanes: Vec<usize>,
    /// Vehicles of those classes on an average day.
    pub demand_per_day: f64,
    /// Vehicles those lanes can serve in a day with their open booths and mean service times.
    pub capacity_per_day: f64,
}

impl CapacityCheck {
    /// Demand over capacity (infinite when demand meets no capacity, 0 without demand).
    pub fn load(&self) -> f64 {
        if self.demand_per_day <= 0.0 {
            0.0
        } else if self.capacity_per_day <= 0.0 {
            f64::INFINITY
        } else {
            self.demand_per_day / self.capacity_per_day
        }
    }

    /// Whether demand exceeds capacity: the queue grows without bound.
    pub fn is_overloaded(&self) -> bool {
        self.load() > 1.0
    }
}

/// Vehicles lane `lane` can serve in a day with its own booths (flex booths not included; see
/// [`flex_capacity_per_day`]).
pub fn lane_capacity_per_day(cfg: &PortConfig, lane: usize) -> f64 {
    use super::DayType;
    let l = &cfg.lanes[lane];
    let mean_s = l.service.mean_s();
    if mean_s <= 0.0 {
        return f64::INFINITY;
    }
    let day = |t: DayType| l.booths_on(t).iter().map(|&b| f64::from(b)).sum::<f64>();
    let booth_hours = if l.same_booths_every_day() {
        day(DayType::Weekday)
    } else {
        (5.0 * day(DayType::Weekday) + day(DayType::Saturday) + day(DayType::Sunday)) / 7.0
    };
    let per_booth_hour = if l.stacked == 2 {
        2.0 * 3600.0 / l.service.mean_max_of_two_s()
    } else {
        3600.0 / mean_s
    };
    booth_hours * per_booth_hour
}

/// Vehicles the flex booths can serve in a day in the lanes `lanes` (an upper bound: each flex
/// booth counts as open all day in the set, at the shortest mean service time among its lanes
/// in the set).
pub fn flex_capacity_per_day(cfg: &PortConfig, lanes: &[usize]) -> f64 {
    cfg.flex
        .iter()
        .filter_map(|f| {
            let mean_s = f
                .lanes
                .iter()
                .filter(|l| lanes.contains(l))
                .map(|&l| cfg.lanes[l].service.mean_s())
                .reduce(f64::min)?;
            Some(if mean_s > 0.0 {
                f64::from(f.booths) * 24.0 * 3600.0 / mean_s
            } else {
                f64::INFINITY
            })
        })
        .sum()
}

/// Vehicles arriving on an average day of the week.
pub fn demand_per_day(cfg: &PortConfig) -> f64 {
    (0..168).map(|h| cfg.demand.rate_per_hour(h)).sum::<f64>() / 7.0
}

/// Every check of the rule in the module documentation: one per distinct eligible-lane set, in
/// the order of the first class that has it, then the whole port if it is not one of them.
pub fn capacity_checks(cfg: &PortConfig) -> Vec<CapacityCheck> {
    let sorted = |v: &[usize]| {
        let mut v = v.to_vec();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut sets: Vec<Vec<usize>> = Vec::new();
    for c in &cfg.classes {
        let s = sorted(&c.lanes);
        if !sets.contains(&s) {
            sets.push(s);
        }
    }
    let all: Vec<usize> = sorted(&sets.concat());
    if !all.is_empty() && !sets.contains(&all) {
        sets.push(all);
    }
    let daily = demand_per_day(cfg);
    sets.into_iter()
        .map(|lanes| {
            let classes: Vec<usize> = (0..cfg.classes.len())
                .filter(|&c| cfg.classes[c].lanes.iter().all(|l| lanes.contains(l)))
                .collect();
            let demand_per_day = if varies_by_hour(&cfg.classes) {
                // Each hour's demand times the classes' shares in that hour.
                (0..168)
                    .map(|h| {
                        cfg.demand.rate_per_hour(h)
                            * classes
                                .iter()
                                .map(|&c| share_in_hour(&cfg.classes, c, h))
                                .sum::<f64>()
                    })
                    .sum::<f64>()
                    / 7.0
            } else {
                daily * classes.iter().map(|&c| cfg.classes[c].share).sum::<f64>()
            };
            CapacityCheck {
                demand_per_day,
                capacity_per_day: lanes
                    .iter()
                    .map(|&l| lane_capacity_per_day(cfg, l))
                    .sum::<f64>()
                    + flex_capacity_per_day(cfg, &lanes),
                classes,
                lanes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::test_support::{class, lane};
    use crate::port::{ClassConfig, LaneConfig};

    fn config(rate: f64, classes: Vec<ClassConfig>, lanes: Vec<LaneConfig>) -> PortConfig {
        crate::port::test_support::config([rate; 24], classes, lanes)
    }

    #[test]
    fn one_lane_is_rho() {
        // M/M/c: 408/h, 6 booths, 45 s: rho = 408 x 45 / 3600 / 6 = 0.85.
        let cfg = config(
            408.0,
            vec![class("g", 1.0, vec![0])],
            vec![lane("m", 6, 45.0)],
        );
        let c = capacity_checks(&cfg);
        assert_eq!(c.len(), 1);
        assert!((c[0].load() - 0.85).abs() < 1e-12, "{:?}", c[0]);
        assert!(!c[0].is_overloaded());
    }

    #[test]
    fn classes_with_several_lanes_are_pooled() {
        // a: 1 booth x 60 s = 1440/day; b: 1 booth x 30 s = 2880/day.
        // "only-a" 30% of 200/h = 1440/day: load exactly 1 on a (not over).
        // "flex" may use a and b: all 4800/day against 4320/day: overloaded.
        let cfg = config(
            200.0,
            vec![
                class("only-a", 0.3, vec![0]),
                class("flex", 0.7, vec![1, 0]),
            ],
            vec![lane("a", 1, 60.0), lane("b", 1, 30.0)],
        );
        let c = capacity_checks(&cfg);
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].classes.clone(), c[0].lanes.clone()),
            (vec![0], vec![0])
        );
        assert!((c[0].load() - 1.0).abs() < 1e-12);
        assert!(!c[0].is_overloaded());
        assert_eq!(
            (c[1].classes.clone(), c[1].lanes.clone()),
            (vec![0, 1], vec![0, 1])
        );
        assert!((c[1].demand_per_day - 4800.0).abs() < 1e-9);
        assert!((c[1].capacity_per_day - 4320.0).abs() < 1e-9);
        assert!(c[1].is_overloaded());
    }

    #[test]
    fn the_whole_port_is_checked_and_weekdays_count() {
        let mut cfg = config(
            100.0,
            vec![class("x", 0.5, vec![0]), class("y", 0.5, vec![1])],
            vec![lane("a", 1, 36.0), lane("b", 0, 36.0)],
        );
        cfg.demand.weekday_factors = [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0];
        let c = capacity_checks(&cfg);
        assert_eq!(c.len(), 3);
        // Average day: 2400 x 7/7 = 2400.
        assert!((c[0].demand_per_day - 1200.0).abs() < 1e-9);
        assert!((c[0].capacity_per_day - 2400.0).abs() < 1e-9);
        // Lane b never opens: infinite load.
        assert_eq!(c[1].load(), f64::INFINITY);
        assert_eq!(c[2].classes, vec![0, 1]);
        assert!((c[2].load() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn stacked_booths_flex_booths_and_weekends_count() {
        use crate::port::{FlexConfig, ServiceDist};
        // One booth of 60 s all day: 1440 a day. Stacked with exponential inspections: 4/3.
        let mut cfg = config(
            50.0,
            vec![class("x", 0.5, vec![0]), class("y", 0.5, vec![1, 0])],
            vec![lane("a", 1, 60.0), lane("b", 1, 30.0)],
        );
        assert!((lane_capacity_per_day(&cfg, 0) - 1440.0).abs() < 1e-9);
        cfg.lanes[0].stacked = 2;
        assert!((lane_capacity_per_day(&cfg, 0) - 1920.0).abs() < 1e-9);
        cfg.lanes[0].service = ServiceDist::Constant { mean_s: 60.0 };
        assert!((lane_capacity_per_day(&cfg, 0) - 2880.0).abs() < 1e-9);
        cfg.lanes[0].stacked = 1;
        // Two flex booths between a (60 s) and b (30 s): 2880 a day in a alone, 5760 in b or
        // in both (the faster lane), an upper bound each.
        cfg.flex = vec![FlexConfig {
            id: "gate".into(),
            booths: 2,
            lanes: [0, 1],
            every: crate::engine::SimTime::from_secs_f64(900.0),
            switch_gap_s: 600.0,
            changeover: crate::engine::SimTime::from_secs_f64(120.0),
            hours: None,
        }];
        assert!((flex_capacity_per_day(&cfg, &[0]) - 2880.0).abs() < 1e-9);
        assert!((flex_capacity_per_day(&cfg, &[0, 1]) - 5760.0).abs() < 1e-9);
        let c = capacity_checks(&cfg);
        assert_eq!(c[0].lanes, vec![0]);
        assert!((c[0].capacity_per_day - (1440.0 + 2880.0)).abs() < 1e-9);
        assert!((c[1].capacity_per_day - (1440.0 + 2880.0 + 5760.0)).abs() < 1e-9);
        // A Saturday and Sunday with no booth in lane b: five days of seven.
        cfg.lanes[1].booths_saturday = Some([0; 24]);
        cfg.lanes[1].booths_sunday = Some([0; 24]);
        assert!((lane_capacity_per_day(&cfg, 1) - 2880.0 * 5.0 / 7.0).abs() < 1e-9);
    }
}
