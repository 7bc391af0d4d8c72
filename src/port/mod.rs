//! The port-of-entry model built on the engine: demand, traveller classes, lanes, booths,
//! staffing and lane choice.
//!
//! Invariant: no I/O and no printing; randomness comes only from streams derived from the seed
//! and replication index handed in by the caller.

mod approach;
mod calendar;
mod capacity;
mod choice;
mod class_mix;
mod config;
mod demand;
mod flex;
mod metrics;
mod model;
mod officers;
mod response;
mod secondary;
mod service;
mod stacked;

pub use calendar::{CalendarConfig, Date, DayType, SpecialDate, fill_schedule_gaps, lower_median};
pub use capacity::{
    CapacityCheck, capacity_checks, demand_per_day, flex_capacity_per_day, lane_capacity_per_day,
};
pub use class_mix::{HourlyShares, share_in_hour, varies_by_hour};
pub use config::{
    ApproachConfig, ApproachUse, CO2_G_PER_GALLON_DIESEL, CO2_G_PER_GALLON_GASOLINE, ClassConfig,
    DemandConfig, DisplayName, FlexConfig, IdleEmissions, LaneConfig, LaneKind, OriginConfig,
    PortConfig, RegionConfig, RegionPort, SecondaryConfig, StaffingDemand, TravelMode,
};
pub use demand::{MAX_STAFFING_RATIO, staffing_reference};
pub use metrics::{CDF_POINTS_S, GroupRef, GroupResult, HourlyMetric, Metric, ReplicationResult};
pub use model::{TraceRecord, TraceSink, simulate, simulate_posted};
pub use response::{PostedSeries, ResponseConfig};
pub use service::ServiceDist;

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fast;
#[cfg(test)]
mod tests_region;
#[cfg(test)]
mod tests_response;

/// `a / b`, or NaN when `b` is not positive (a rate or mean with nothing to count).
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// The lane a traveller looks at among `lanes` (a class's eligible lanes, in preference order):
/// the one of smallest `posted_s` (ties to the first listed), with its posted wait; None when
/// `lanes` is empty. The response (`response.rs`) and the port choice (`choice.rs`) both use it.
fn cheapest_lane(lanes: &[usize], posted_s: &[f64]) -> Option<(usize, f64)> {
    let (&first, rest) = lanes.split_first()?;
    let mut best = (first, posted_s[first]);
    for &l in rest {
        if posted_s[l] < best.1 {
            best = (l, posted_s[l]);
        }
    }
    Some(best)
}
