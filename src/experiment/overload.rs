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
    /// The lane with the largest share (None: no lane with arrivals).
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

    /// Of an aggregated variant.
    pub fn of(agg: &Aggregate) -> Overload {
        Overload::from_lanes(agg.groups.iter().filter_map(|g| match g.group {
            GroupRef::Lane(i) => Some((
                i,
                g.metric(Metric::UnservedAtEnd).mean,
                g.metric(Metric::ArrivalsPerDay).mean,
            )),
            _ => None,
        }))
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
}
