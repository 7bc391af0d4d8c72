//! Overloaded variants: demand beyond what a lane serves, so its queue keeps growing.
//!
//! Waits count served vehicles only. In an overloaded lane the queue grows for as long as the
//! run lasts and the vehicles still queued at the horizon, who would wait longest, are not in
//! the wait statistics: the mean and percentiles describe the lucky ones and grow with the
//! horizon. A lane may also hold a *standing* queue that does not grow (with `[response]`,
//! travellers forgo or shift their trip when the posted wait is long, so the queue settles);
//! its waits are complete and it is not overloaded. The rule therefore measures growth: the
//! vehicles queued at the horizon minus those queued one week earlier, at the same time of day
//! and day of the week (so that a weekly pattern, such as a Sunday-night queue, is not taken for
//! growth), or at the end of the warm-up when less than a week is measured. Every command that
//! reports waits flags such a variant with the same rule.
//!
//! The threshold, 5% of a day's arrivals, against the noise: the queue at one instant varies
//! from day to day with the day's demand (`day_sd`). On the bundled San Ysidro scenario (28 days,
//! 10 replications, `day_sd` 0.14, reacting demand) the growth over the last week of a lane has
//! a standard deviation across replications of at most 1.5% of a day's arrivals (bota-pov: see
//! the README, "Overloaded variants"), so the mean over 5 or more replications is within 5% by
//! a wide margin when the queue stands; a lane short of capacity by 1% of its demand already
//! grows by 7% of a day's arrivals in a week.

use super::Aggregate;
use crate::port::{GroupRef, Metric};

/// A lane is overloaded when its queue grew (mean over replications of the vehicles queued at
/// the horizon minus those queued a week earlier, or at the end of the warm-up when less than a
/// week is measured) by more than this share of its mean arrivals per day...
pub const OVERLOAD_SHARE: f64 = 0.05;
/// ...and by at least this many vehicles (so that a lane of a few vehicles a day is not
/// flagged for one vehicle that arrived just before the horizon).
pub const OVERLOAD_MIN_VEHICLES: f64 = 10.0;

/// The worst lane of one variant by growth of its queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overload {
    /// The lane with the largest share (None: no lane with arrivals, or, when `unserved` is
    /// positive, the vehicles still before the lane split of a port with an approach).
    pub lane: Option<usize>,
    /// Its mean vehicles still queued at the horizon.
    pub unserved: f64,
    /// Its mean growth of the queue: `unserved` minus the vehicles queued a week before the
    /// horizon (metric `queued_week_before_end`).
    pub growth: f64,
    /// That growth as a share of its mean arrivals per day (0 when it did not grow).
    pub share: f64,
}

/// One line's figures: mean vehicles queued at the horizon, a week before (NaN when not
/// recorded: counted as 0) and mean arrivals per day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineQueue {
    /// Mean vehicles still queued at the horizon.
    pub at_end: f64,
    /// Mean vehicles queued a week before the horizon (at the end of the warm-up when less than
    /// a week is measured).
    pub at_reference: f64,
    /// Mean arrivals per day.
    pub per_day: f64,
}

impl LineQueue {
    /// From a group's aggregated metrics.
    pub fn of(g: &super::GroupAggregate) -> LineQueue {
        LineQueue {
            at_end: g.metric(Metric::UnservedAtEnd).mean,
            at_reference: g.metric(Metric::QueuedWeekBeforeEnd).mean,
            per_day: g.metric(Metric::ArrivalsPerDay).mean,
        }
    }
}

impl Overload {
    /// Nothing left queued.
    pub const NONE: Overload = Overload {
        lane: None,
        unserved: 0.0,
        growth: 0.0,
        share: 0.0,
    };

    /// One line (`lane`, or None for the vehicles before the lane split), or None when it has
    /// no arrivals.
    fn line(lane: Option<usize>, q: LineQueue) -> Option<Overload> {
        if !(q.at_end.is_finite() && q.per_day.is_finite() && q.per_day > 0.0) {
            return None;
        }
        let at_reference = if q.at_reference.is_finite() {
            q.at_reference
        } else {
            0.0
        };
        let growth = q.at_end - at_reference;
        Some(Overload {
            lane,
            unserved: q.at_end,
            growth,
            share: growth.max(0.0) / q.per_day,
        })
    }

    /// Whether `self` is worse than `other`: a flagged line beats an unflagged one; then the
    /// larger share.
    fn worse_than(&self, other: &Overload) -> bool {
        (self.flagged() as u8, self.share) > (other.flagged() as u8, other.share)
    }

    /// From each lane's queue figures.
    pub fn from_lanes(lanes: impl IntoIterator<Item = (usize, LineQueue)>) -> Overload {
        let mut worst = Overload::NONE;
        for (lane, q) in lanes {
            if let Some(this) = Overload::line(Some(lane), q)
                && (worst.lane.is_none() || this.worse_than(&worst))
            {
                worst = this;
            }
        }
        worst
    }

    /// Of an aggregated variant. With an approach, the vehicles still before the lane split at
    /// the horizon belong to no lane (a full lane's queue holds them back): they count as one
    /// more line (`lane: None`), against the port's arrivals per day.
    pub fn of(agg: &Aggregate) -> Overload {
        let lanes: Vec<(usize, LineQueue)> = agg
            .groups
            .iter()
            .filter_map(|g| match g.group {
                GroupRef::Lane(i) => Some((i, LineQueue::of(g))),
                _ => None,
            })
            .collect();
        let mut worst = Overload::from_lanes(lanes.iter().copied());
        if let Some(all) = agg.group(GroupRef::All) {
            let all = LineQueue::of(all);
            let sum = |f: fn(&LineQueue) -> f64| -> f64 {
                lanes
                    .iter()
                    .map(|l| f(&l.1))
                    .filter(|x| x.is_finite())
                    .sum()
            };
            let before = LineQueue {
                at_end: all.at_end - sum(|q| q.at_end),
                at_reference: all.at_reference - sum(|q| q.at_reference),
                per_day: all.per_day,
            };
            // Half a vehicle: not the rounding of a mean of sums against a sum of means.
            if before.at_end >= 0.5
                && let Some(this) = Overload::line(None, before)
                && this.worse_than(&worst)
            {
                worst = this;
            }
        }
        worst
    }

    /// Whether the variant counts as overloaded (see [`OVERLOAD_SHARE`]).
    pub fn flagged(&self) -> bool {
        self.share > OVERLOAD_SHARE && self.growth >= OVERLOAD_MIN_VEHICLES
    }

    /// The console warning for a flagged variant called `what`, naming its lane `lane_name`.
    pub fn warning(&self, what: &str, lane_name: &str) -> String {
        format!(
            "warning: {what}: the queue of {lane_name} grows by {:.0} vehicles over the last week measured, or all of it if shorter ({:.0}% of a day's arrivals; {:.0} left queued at the horizon): demand exceeds capacity, and its waits count only the vehicles served, so they look better than they are",
            self.growth,
            100.0 * self.share,
            self.unserved
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(at_end: f64, at_reference: f64, per_day: f64) -> LineQueue {
        LineQueue {
            at_end,
            at_reference,
            per_day,
        }
    }

    #[test]
    fn the_worst_flagged_lane_is_reported() {
        let o = Overload::from_lanes([
            (0, q(3.0, 0.0, 20.0)),
            (1, q(60.0, 10.0, 1000.0)),
            (2, q(12.0, 0.0, 100.0)),
        ]);
        // Lane 0 has the largest share (15%) but only 3 vehicles: lane 2 (12%, 12) is flagged.
        assert_eq!(o.lane, Some(2));
        assert!(o.flagged());
        let calm = Overload::from_lanes([(0, q(1.0, 0.0, 1000.0)), (1, q(f64::NAN, 0.0, 10.0))]);
        assert_eq!(calm.lane, Some(0));
        assert!(!calm.flagged());
        assert!(!Overload::NONE.flagged());
        // At the threshold exactly: not flagged.
        assert!(!Overload::from_lanes([(0, q(50.0, 0.0, 1000.0))]).flagged());
        assert!(Overload::from_lanes([(0, q(50.5, 0.0, 1000.0))]).flagged());
        // Not recorded at the warm-up: counted from zero.
        assert!(Overload::from_lanes([(0, q(50.5, f64::NAN, 1000.0))]).flagged());
    }

    /// A standing queue, however long, is not growth; a queue that grows by more than the share
    /// is, whatever it held at the warm-up.
    #[test]
    fn growth_not_length_flags() {
        let standing = Overload::from_lanes([(0, q(690.0, 700.0, 7000.0))]);
        assert!(!standing.flagged(), "{standing:?}");
        assert_eq!(standing.share, 0.0);
        assert_eq!(standing.unserved, 690.0);
        let growing = Overload::from_lanes([(0, q(1100.0, 700.0, 7000.0))]);
        assert!(growing.flagged(), "{growing:?}");
        assert!((growing.growth - 400.0).abs() < 1e-9);
    }

    /// A lane offered 540 trips an hour against 6 booths of 45 s (480 an hour), over 14 days
    /// after a 2-day warm-up, 5 replications (as the bundled pilot example), `day_sd` 0.05.
    /// Returns the overload and the lane's mean arrivals per day.
    fn offered(response: bool) -> (Overload, f64) {
        use crate::experiment::{aggregate, run_replications};
        let text = format!(
            r#"
name = "offered"
seed = 7
horizon = "14d"
warmup = "2d"
replications = 5
[demand]
rate = 540
day_sd = 0.05
[[classes]]
id = "general"
share = 1.0
lanes = ["main"]
[[lanes]]
id = "main"
booths = 6
service = {{ dist = "exponential", mean = "45s" }}
{}"#,
            if response {
                "[response]\nposted_update = \"5m\"\ntolerance = { dist = \"lognormal\", mean = \"3h\", sd = \"30m\" }\nshift = 0.5\nshift_delay = \"1h\"\nmax_shifts = 2\n"
            } else {
                ""
            }
        );
        let cfg = crate::scenario::parse_str(&text, "offered.toml")
            .expect("valid")
            .config;
        let reps = run_replications(std::slice::from_ref(&cfg), 1, None)
            .expect("runs")
            .remove(0);
        let agg = aggregate(&reps);
        let per_day = agg
            .group(GroupRef::Lane(0))
            .expect("the lane")
            .metric(Metric::ArrivalsPerDay)
            .mean;
        (Overload::of(&agg), per_day)
    }

    /// Fixed demand 12% over capacity: the queue grows by about 60 x 24 x 7 = 10 080 vehicles
    /// in the last week, most of a day's arrivals. Flagged.
    #[test]
    fn a_growing_fixed_demand_queue_is_overloaded() {
        let (o, _) = offered(false);
        assert!(o.flagged(), "{o:?}");
        assert!(o.share > 0.5, "{o:?}");
    }

    /// The same latent demand with travellers who forgo or shift their trip when the posted
    /// wait exceeds their tolerance (about 3 h): the lane holds a standing queue of about 10% of
    /// a day's arrivals at the horizon (which the length alone would flag), but it does not
    /// grow: not flagged. Measured on seeds 7, 100 and 200: growth -0.3%, +0.4% and -0.3% of a
    /// day's arrivals, with a standard deviation over the 5 replications of at most 2.3%.
    #[test]
    fn a_standing_reacting_queue_is_not_overloaded() {
        let (o, per_day) = offered(true);
        assert!(!o.flagged(), "{o:?}");
        assert!(
            o.unserved > OVERLOAD_SHARE * per_day,
            "a long standing queue: {o:?}, {per_day} a day"
        );
    }

    /// Vehicles held before the lane split belong to no lane: they still flag the variant.
    #[test]
    fn vehicles_before_the_split_count() {
        use crate::experiment::run_replications;
        use crate::port::test_support;
        // 300 an hour into one booth of 60 s behind a 20-car lane: the line before the split
        // grows all day, the lane itself never holds more than 20.
        let mut cfg = test_support::config(
            [300.0; 24],
            vec![test_support::class("x", 1.0, vec![0])],
            vec![test_support::lane("a", 1, 60.0)],
        );
        cfg.lanes[0].storage = Some(20);
        cfg.horizon = crate::engine::SimTime::from_hours(48);
        cfg.warmup = crate::engine::SimTime::from_hours(24);
        cfg.replications = 2;
        let reps = run_replications(std::slice::from_ref(&cfg), 1, None)
            .expect("runs")
            .remove(0);
        let o = Overload::of(&crate::experiment::aggregate(&reps));
        assert!(o.flagged(), "{o:?}");
        assert_eq!(o.lane, None);
        assert!(o.unserved > 1000.0, "{o:?}");
    }
}
