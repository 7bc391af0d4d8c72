//! Overloaded variants: demand beyond what a lane serves, so its queue still holds a large share
//! of a day's arrivals at the horizon.
//!
//! Waits count served vehicles only. In an overloaded lane the queue grows for as long as the
//! run lasts and the vehicles still queued at the horizon, who would wait longest, are not in
//! the wait statistics: the mean and percentiles describe the lucky ones and grow with the
//! horizon. Every command that reports waits flags such a variant with the same rule.

use super::Aggregate;
use crate::port::{GroupRef, Metric};

/// A lane is overloaded when the vehicles still queued at the horizon (mean over replications)
/// are more than this share of its mean arrivals per day...
pub const OVERLOAD_SHARE: f64 = 0.05;
/// ...and at least this many (so that a lane of a few vehicles a day is not flagged for one
/// vehicle that arrived just before the horizon).
pub const OVERLOAD_MIN_VEHICLES: f64 = 10.0;

/// The worst lane of one variant by vehicles left queued at the horizon.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overload {
    /// The lane with the largest share (None: no lane with arrivals, or, when `unserved` is
    /// positive, the vehicles still before the lane split of a port with an approach).
    pub lane: Option<usize>,
    /// Its mean vehicles still queued at the horizon.
    pub unserved: f64,
    /// Those as a share of its mean arrivals per day (0 when none are left).
    pub share: f64,
}

impl Overload {
    /// Nothing left queued.
    pub const NONE: Overload = Overload {
        lane: None,
        unserved: 0.0,
        share: 0.0,
    };

    /// From each lane's mean vehicles queued at the horizon and mean arrivals per day.
    pub fn from_lanes(lanes: impl IntoIterator<Item = (usize, f64, f64)>) -> Overload {
        let mut worst = Overload::NONE;
        for (lane, unserved, per_day) in lanes {
            if !(unserved.is_finite() && per_day.is_finite() && per_day > 0.0) {
                continue;
            }
            let share = unserved / per_day;
            let flagged = |o: &Overload| o.flagged() as u8;
            let this = Overload {
                lane: Some(lane),
                unserved,
                share,
            };
            // A flagged lane beats an unflagged one; then the larger share.
            if worst.lane.is_none() || (flagged(&this), share) > (flagged(&worst), worst.share) {
                worst = this;
            }
        }
        worst
    }

    /// Of an aggregated variant. With an approach, the vehicles still before the lane split at
    /// the horizon belong to no lane (a full lane's queue holds them back): they count as one
    /// more line (`lane: None`), against the port's arrivals per day.
    pub fn of(agg: &Aggregate) -> Overload {
        let lanes: Vec<(usize, f64, f64)> = agg
            .groups
            .iter()
            .filter_map(|g| match g.group {
                GroupRef::Lane(i) => Some((
                    i,
                    g.metric(Metric::UnservedAtEnd).mean,
                    g.metric(Metric::ArrivalsPerDay).mean,
                )),
                _ => None,
            })
            .collect();
        let mut worst = Overload::from_lanes(lanes.iter().copied());
        if let Some(all) = agg.group(GroupRef::All) {
            let in_lanes: f64 = lanes.iter().map(|l| l.1).filter(|x| x.is_finite()).sum();
            let before = all.metric(Metric::UnservedAtEnd).mean - in_lanes;
            let per_day = all.metric(Metric::ArrivalsPerDay).mean;
            // Half a vehicle: not the rounding of a mean of sums against a sum of means.
            if before >= 0.5 && per_day > 0.0 {
                let this = Overload {
                    lane: None,
                    unserved: before,
                    share: before / per_day,
                };
                if (this.flagged() as u8, this.share) > (worst.flagged() as u8, worst.share) {
                    worst = this;
                }
            }
        }
        worst
    }

    /// Whether the variant counts as overloaded (see [`OVERLOAD_SHARE`]).
    pub fn flagged(&self) -> bool {
        self.share > OVERLOAD_SHARE && self.unserved >= OVERLOAD_MIN_VEHICLES
    }

    /// The console warning for a flagged variant called `what`, naming its lane `lane_name`.
    pub fn warning(&self, what: &str, lane_name: &str) -> String {
        format!(
            "warning: {what}: {lane_name} leaves {:.0} vehicles queued at the horizon ({:.0}% of a day's arrivals): demand exceeds capacity, and its waits count only the vehicles served, so they look better than they are",
            self.unserved,
            100.0 * self.share
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_flagged_lane_is_reported() {
        let o = Overload::from_lanes([(0, 3.0, 20.0), (1, 60.0, 1000.0), (2, 12.0, 100.0)]);
        // Lane 0 has the largest share (15%) but only 3 vehicles: lane 2 (12%, 12) is flagged.
        assert_eq!(o.lane, Some(2));
        assert!(o.flagged());
        let calm = Overload::from_lanes([(0, 1.0, 1000.0), (1, f64::NAN, 10.0)]);
        assert_eq!(calm.lane, Some(0));
        assert!(!calm.flagged());
        assert!(!Overload::NONE.flagged());
        // At the threshold exactly: not flagged.
        assert!(!Overload::from_lanes([(0, 50.0, 1000.0)]).flagged());
        assert!(Overload::from_lanes([(0, 50.5, 1000.0)]).flagged());
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
