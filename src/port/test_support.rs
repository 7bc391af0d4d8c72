//! Builders of port configurations for unit tests: every field not named takes its plain
//! default (no approach, no secondary, no flex booths, no response, one replication of a day).

use crate::engine::SimTime;
use crate::port::{
    ApproachUse, CalendarConfig, ClassConfig, DemandConfig, DisplayName, IdleEmissions, LaneConfig,
    LaneKind, PortConfig, ServiceDist, TravelMode,
};

/// A general lane of `booths` booths all week (at least one booth at most) with exponential
/// service of mean `mean_s`.
pub(crate) fn lane(id: &str, booths: u32, mean_s: f64) -> LaneConfig {
    LaneConfig {
        id: id.into(),
        kind: LaneKind::General,
        display: DisplayName::default(),
        booths: [booths; 24],
        max_booths: booths.max(1),
        service: ServiceDist::Exponential { mean_s },
        storage: None,
        booths_saturday: None,
        booths_sunday: None,
        officer_sd: None,
        stacked: 1,
        booths_by_date: None,
    }
}

/// An untrusted car class using `lanes`, nobody referred, no tolerance.
pub(crate) fn class(id: &str, share: f64, lanes: Vec<usize>) -> ClassConfig {
    ClassConfig {
        id: id.into(),
        display: DisplayName::default(),
        share,
        share_by_hour: None,
        lanes,
        trusted: false,
        mode: TravelMode::Car,
        idle: IdleEmissions::default_for(TravelMode::Car),
        approach: ApproachUse::Shared,
        referral: 0.0,
        tolerance: None,
    }
}

/// Arrivals at `per_hour` every day of the week, no day-to-day swings.
pub(crate) fn demand(per_hour: [f64; 24]) -> DemandConfig {
    DemandConfig {
        per_hour,
        weekday_factors: [1.0; 7],
        scale: 1.0,
        per_hour_saturday: None,
        per_hour_sunday: None,
        day_sd: 0.0,
        staffing: None,
        month_factors: None,
    }
}

/// Port "t", seed 1, one replication of one day without warm-up, with the given demand,
/// classes and lanes.
pub(crate) fn config(
    per_hour: [f64; 24],
    classes: Vec<ClassConfig>,
    lanes: Vec<LaneConfig>,
) -> PortConfig {
    PortConfig {
        name: "t".into(),
        description: String::new(),
        description_es: String::new(),
        seed: 1,
        horizon: SimTime::DAY,
        warmup: SimTime::ZERO,
        replications: 1,
        demand: demand(per_hour),
        classes,
        lanes,
        approach: None,
        calendar: CalendarConfig::default(),
        secondary: None,
        flex: Vec::new(),
        response: None,
        display: DisplayName::default(),
        region: None,
    }
}

/// The scenario seed `base`, moved by `GARITA_TEST_SEED` when it is set (calibration runs
/// only, `tools/test_calibration.sh`).
pub(crate) fn test_seed(base: u64) -> u64 {
    match std::env::var("GARITA_TEST_SEED") {
        Ok(s) => {
            let k: u64 = s
                .trim()
                .parse()
                .expect("GARITA_TEST_SEED is a whole number");
            base ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17)
        }
        Err(_) => base,
    }
}
