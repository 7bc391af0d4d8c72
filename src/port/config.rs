//! Validated port configuration: what the scenario layer produces and the model consumes.

use super::ServiceDist;
use super::calendar::{CalendarConfig, DayType};
use super::class_mix::HourlyShares;
use super::response::ResponseConfig;
use crate::engine::SimTime;

/// A name in English and Spanish for charts and tables.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DisplayName {
    /// English display name (empty: use the id).
    pub en: String,
    /// Spanish display name (empty: use the English one, then the id).
    pub es: String,
}

/// The type of a lane: what inspection programme it serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LaneKind {
    /// General (standard) lanes, open to everyone.
    General,
    /// Ready Lanes, for travellers with RFID-enabled documents.
    Ready,
    /// SENTRI (trusted traveller) lanes.
    Sentri,
    /// FAST lanes for pre-cleared commercial trucks.
    Fast,
}

impl LaneKind {
    /// All kinds, in the order used by the file format.
    pub const ALL: [LaneKind; 4] = [
        LaneKind::General,
        LaneKind::Ready,
        LaneKind::Sentri,
        LaneKind::Fast,
    ];

    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            LaneKind::General => "general",
            LaneKind::Ready => "ready",
            LaneKind::Sentri => "sentri",
            LaneKind::Fast => "fast",
        }
    }
}

/// How travellers cross (used for idle-emission defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TravelMode {
    /// Passenger cars and light trucks.
    Car,
    /// Commercial trucks.
    Truck,
    /// Buses.
    Bus,
    /// Pedestrians (no idling emissions).
    Pedestrian,
}

impl TravelMode {
    /// All modes, in the order used by the file format.
    pub const ALL: [TravelMode; 4] = [
        TravelMode::Car,
        TravelMode::Truck,
        TravelMode::Bus,
        TravelMode::Pedestrian,
    ];

    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            TravelMode::Car => "car",
            TravelMode::Truck => "truck",
            TravelMode::Bus => "bus",
            TravelMode::Pedestrian => "pedestrian",
        }
    }
}

/// Grams of CO2 per US gallon of gasoline burned (US EPA, "Greenhouse Gas Emissions from a
/// Typical Passenger Vehicle", EPA-420-F-18-008).
pub const CO2_G_PER_GALLON_GASOLINE: f64 = 8_887.0;
/// Grams of CO2 per US gallon of diesel burned (same EPA source).
pub const CO2_G_PER_GALLON_DIESEL: f64 = 10_180.0;

/// Idle emission rates of one class, in grams per vehicle-hour spent waiting in the queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IdleEmissions {
    /// CO2 (g per vehicle-hour idling).
    pub co2_g_per_h: f64,
    /// NOx (g per vehicle-hour idling), when known.
    pub nox_g_per_h: Option<f64>,
    /// PM2.5 (g per vehicle-hour idling), when known.
    pub pm25_g_per_h: Option<f64>,
}

impl IdleEmissions {
    /// Defaults by mode: CO2 only, from idle fuel burn (US DOE Vehicle Technologies Office,
    /// Fact #861, 2015, from Argonne National Laboratory's idling worksheet): a compact
    /// gasoline sedan 0.16 gal/h, a diesel combination truck 0.49 gal/h, a diesel transit bus
    /// 0.97 gal/h; times EPA's grams of CO2 per gallon. Pedestrians emit nothing.
    pub fn default_for(mode: TravelMode) -> Self {
        let co2_g_per_h = match mode {
            TravelMode::Car => 0.16 * CO2_G_PER_GALLON_GASOLINE,
            TravelMode::Truck => 0.49 * CO2_G_PER_GALLON_DIESEL,
            TravelMode::Bus => 0.97 * CO2_G_PER_GALLON_DIESEL,
            TravelMode::Pedestrian => 0.0,
        };
        IdleEmissions {
            co2_g_per_h,
            nox_g_per_h: None,
            pm25_g_per_h: None,
        }
    }
}

/// Arrivals: a non-homogeneous Poisson process, piecewise constant by hour.
#[derive(Clone, Debug, PartialEq)]
pub struct DemandConfig {
    /// Arrivals per hour by hour of day (before weekday factors and scale).
    pub per_hour: [f64; 24],
    /// Multipliers by day of week, Monday first.
    pub weekday_factors: [f64; 7],
    /// Overall multiplier.
    pub scale: f64,
    /// Arrivals per hour on Saturdays, when they differ from `per_hour`.
    pub per_hour_saturday: Option<[f64; 24]>,
    /// Arrivals per hour on Sundays, when they differ from `per_hour`.
    pub per_hour_sunday: Option<[f64; 24]>,
    /// Standard deviation of the logarithm of each simulated day's demand factor (log-normal,
    /// mean 1; 0 = every day the same).
    pub day_sd: f64,
    /// Demand that follows the booths open (None: it does not).
    pub staffing: Option<StaffingDemand>,
    /// Multipliers by calendar month, January first (None: every month the same; needs the
    /// calendar's `start`).
    pub month_factors: Option<[f64; 12]>,
}

/// Demand that follows the staffing: CBP opens the lanes for the traffic it expects, so the
/// booths open carry information about the demand. In each simulated hour the latent rate is
/// multiplied by `(open / reference)^elasticity`, where `open` is the sum of the booths open
/// that hour over `lanes` and `reference` is the same sum of their `booths` tables at that
/// hour of day, as the scenario gives them (the ratio within 1/4 to 4; a factor of 1 where
/// the reference is 0).
#[derive(Clone, Debug, PartialEq)]
pub struct StaffingDemand {
    /// The exponent, 0 to 1 (0: no effect; 1: demand proportional to the booths open).
    pub elasticity: f64,
    /// Indices into `PortConfig::lanes` of the lanes whose booths count.
    pub lanes: Vec<usize>,
    /// The typical booths open by hour of day: the sum over `lanes` of their weekday `booths`
    /// (for a lane replaying a series, its hourly median over the run), fixed when the scenario
    /// is read, so that a later replay of other staffing is measured against it.
    pub reference: [f64; 24],
    /// The lanes whose booths open set the factor, when a what-if has changed the booths
    /// (`garita staff`'s search and schedule, a pilot's staffing intervention): the scenario's
    /// own, so that opening booths changes the capacity and not the latent demand (the
    /// elasticity stands for staffing that follows the traffic CBP expects, not for traffic
    /// that booths attract). None: the lanes of the configuration itself (as read, or as
    /// `garita validate` and `garita calibrate` replay the observed staffing).
    pub basis: Option<Vec<LaneConfig>>,
}

impl DemandConfig {
    /// Arrival rate (per hour) in hour `hour_of_week` (0 = Monday 00:00).
    pub fn rate_per_hour(&self, hour_of_week: usize) -> f64 {
        let dow = (hour_of_week / 24) % 7;
        self.per_hour_on(DayType::of_weekday(dow))[hour_of_week % 24]
            * self.weekday_factors[dow]
            * self.scale
    }

    /// Arrivals per hour by hour of day on days of type `t` (before weekday factors and scale).
    pub fn per_hour_on(&self, t: DayType) -> &[f64; 24] {
        match t {
            DayType::Weekday => &self.per_hour,
            DayType::Saturday => self.per_hour_saturday.as_ref().unwrap_or(&self.per_hour),
            DayType::Sunday => self.per_hour_sunday.as_ref().unwrap_or(&self.per_hour),
        }
    }
}

/// A traveller class.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassConfig {
    /// Identifier (`[a-z0-9_-]+`).
    pub id: String,
    /// Display names.
    pub display: DisplayName,
    /// Share of all arrivals (shares sum to 1).
    pub share: f64,
    /// The class's share in each hour of the day, replacing `share` in the class draw (each
    /// hour's shares normalised; `class_mix.rs`).
    pub share_by_hour: Option<HourlyShares>,
    /// Indices into `PortConfig::lanes` of the lanes this class may use, in preference order.
    pub lanes: Vec<usize>,
    /// Whether the class is a trusted-traveller programme (SENTRI, FAST).
    pub trusted: bool,
    /// How the class travels.
    pub mode: TravelMode,
    /// Idle emission rates while queued.
    pub idle: IdleEmissions,
    /// Whether the class goes through the shared approach or has a road of its own to its lanes.
    pub approach: ApproachUse,
    /// Probability that primary inspection refers a vehicle of this class to secondary.
    pub referral: f64,
    /// This class's tolerance of the posted wait, overriding `[response]`'s (only with a
    /// response).
    pub tolerance: Option<ServiceDist>,
}

/// How a class reaches the lane split.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ApproachUse {
    /// Through the shared approach, in arrival order with every other shared class.
    #[default]
    Shared,
    /// By a road of its own (a dedicated SENTRI lane from the bridge): never behind the shared
    /// approach, though it still waits for room in its lanes' storage.
    Dedicated,
}

impl ApproachUse {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            ApproachUse::Shared => "shared",
            ApproachUse::Dedicated => "dedicated",
        }
    }
}

/// The shared approach: the road between the port entrance and the point where the lanes split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApproachConfig {
    /// Vehicles that fit between the port entrance and the lane split; arrivals beyond it wait
    /// outside the port (on the bridge and the city streets).
    pub storage: u32,
}

/// A lane type at the port: one pooled FIFO queue served by its open booths.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneConfig {
    /// Identifier (`[a-z0-9_-]+`).
    pub id: String,
    /// Lane type.
    pub kind: LaneKind,
    /// Display names.
    pub display: DisplayName,
    /// Open booths by hour of day.
    pub booths: [u32; 24],
    /// Physical booths (at least the most ever open).
    pub max_booths: u32,
    /// Primary inspection time.
    pub service: ServiceDist,
    /// Vehicles that fit in this lane's own queue after the split (None: unlimited).
    pub storage: Option<u32>,
    /// Open booths by hour of day on Saturdays, when they differ from `booths`.
    pub booths_saturday: Option<[u32; 24]>,
    /// Open booths by hour of day on Sundays, when they differ from `booths`.
    pub booths_sunday: Option<[u32; 24]>,
    /// Standard deviation of each booth's daily speed factor (log-normal, mean 1; None: every
    /// booth inspects at the lane's speed).
    pub officer_sd: Option<f64>,
    /// Inspection points in tandem in each booth: 1, or 2 for stacked booths.
    pub stacked: u32,
    /// Open booths by hour for each simulated day (day 0 = the calendar's `start`), replayed
    /// from a series; it overrides the schedules by day type on the days it covers.
    pub booths_by_date: Option<Vec<[u32; 24]>>,
}

impl LaneConfig {
    /// Open booths by hour of day on days of type `t` (`booths` on weekdays).
    #[inline]
    pub fn booths_on(&self, t: DayType) -> &[u32; 24] {
        match t {
            DayType::Weekday => &self.booths,
            DayType::Saturday => self.booths_saturday.as_ref().unwrap_or(&self.booths),
            DayType::Sunday => self.booths_sunday.as_ref().unwrap_or(&self.booths),
        }
    }

    /// Open booths by hour of day on simulated day `day`, of type `t`: the day's own values
    /// when the lane replays a series that covers it, else the schedule of its day type.
    #[inline]
    pub fn booths_of_day(&self, day: u64, t: DayType) -> &[u32; 24] {
        match self
            .booths_by_date
            .as_ref()
            .and_then(|s| s.get(usize::try_from(day).ok()?))
        {
            Some(b) => b,
            None => self.booths_on(t),
        }
    }

    /// Whether the lane has the same schedule every day.
    pub fn same_booths_every_day(&self) -> bool {
        self.booths_saturday.is_none()
            && self.booths_sunday.is_none()
            && self.booths_by_date.is_none()
    }
}

/// A validated port scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct PortConfig {
    /// Scenario name (`[a-z0-9_-]+`), names the output folder.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The description in Spanish (empty: only the English one was given).
    pub description_es: String,
    /// Base seed.
    pub seed: u64,
    /// End of each replication.
    pub horizon: SimTime,
    /// Statistics ignore vehicles arriving before this instant.
    pub warmup: SimTime,
    /// Number of replications.
    pub replications: u32,
    /// Arrivals.
    pub demand: DemandConfig,
    /// Traveller classes.
    pub classes: Vec<ClassConfig>,
    /// Lanes.
    pub lanes: Vec<LaneConfig>,
    /// The shared approach (None: no `[approach]` table).
    pub approach: Option<ApproachConfig>,
    /// The date of day 0 and the special dates.
    pub calendar: CalendarConfig,
    /// Secondary inspection (None: no `[secondary]` table, nobody is referred).
    pub secondary: Option<SecondaryConfig>,
    /// Flex booth groups (`[[flex]]`).
    pub flex: Vec<FlexConfig>,
    /// How travellers react to the posted wait (None: every arrival joins a queue).
    pub response: Option<ResponseConfig>,
    /// The name shown in report titles (empty: the `name`).
    pub display: DisplayName,
    /// A region of ports that travellers choose among (None: one port). Its lanes are the
    /// ports' lanes, in port order, with ids `<port>/<lane>`.
    pub region: Option<RegionConfig>,
}

/// A region: several ports in one event calendar, with a logit choice of port.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionConfig {
    /// The ports, in file order.
    pub ports: Vec<RegionPort>,
    /// Where trips start (at least one).
    pub origins: Vec<OriginConfig>,
    /// Logit scale of the port choice (s): P(port) is proportional to exp(-cost / scale).
    pub scale_s: f64,
    /// Each port's toll as time (s): toll / value of time (0 without a toll).
    pub toll_s: Vec<f64>,
    /// `class_lanes[class][port]`: the lanes (indices into `PortConfig::lanes`) the class may
    /// use at that port, in preference order; empty when the port does not serve the class.
    pub class_lanes: Vec<Vec<Vec<usize>>>,
}

/// One port of a region.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionPort {
    /// Identifier.
    pub id: String,
    /// Display names (the port scenario's).
    pub display: DisplayName,
    /// Its lanes: indices `lanes.start..lanes.end` of `PortConfig::lanes`.
    pub lanes: std::ops::Range<usize>,
}

/// Where a region's trips start.
#[derive(Clone, Debug, PartialEq)]
pub struct OriginConfig {
    /// Identifier.
    pub id: String,
    /// Share of all trips (shares sum to 1).
    pub share: f64,
    /// Travel time to each port (s), by port index.
    pub travel_s: Vec<f64>,
}

/// A group of flex booths that can serve either of two lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct FlexConfig {
    /// Identifier.
    pub id: String,
    /// Booths in the group.
    pub booths: u32,
    /// The two lanes (indices); the booths start in the first.
    pub lanes: [usize; 2],
    /// How often the rule looks at the lanes.
    pub every: SimTime,
    /// Moves a booth when the other lane's expected wait exceeds this one's by more (s).
    pub switch_gap_s: f64,
    /// Time a moving booth serves nobody.
    pub changeover: SimTime,
    /// Hours of day [from, to) when the rule may act (None: all day).
    pub hours: Option<(u32, u32)>,
}

/// Secondary inspection: a parking area with a few spaces and officers who inspect the
/// vehicles primary refers to them.
#[derive(Clone, Debug, PartialEq)]
pub struct SecondaryConfig {
    /// Parking spaces for vehicles waiting for or in secondary inspection.
    pub spaces: u32,
    /// Officers on duty by hour of day.
    pub officers: [u32; 24],
    /// Secondary inspection time.
    pub service: ServiceDist,
}

impl PortConfig {
    /// `all`, `lane:<id>` or `class:<id>`: how outputs name a group.
    pub fn group_label(&self, g: super::GroupRef) -> String {
        match g {
            super::GroupRef::All => "all".to_string(),
            super::GroupRef::Lane(i) => format!("lane:{}", self.lanes[i].id),
            super::GroupRef::Class(i) => format!("class:{}", self.classes[i].id),
            super::GroupRef::FlexBooth { booth, lane } => {
                let (g, j) = self.flex_booth(booth);
                format!(
                    "flex:{}/{}/lane:{}",
                    self.flex[g].id,
                    j + 1,
                    self.lanes[lane].id
                )
            }
        }
    }

    /// Flex booth `booth` (numbered over every group's booths, in file order) as (group index,
    /// booth within the group); past the last booth, the last group.
    pub fn flex_booth(&self, booth: usize) -> (usize, usize) {
        let mut k = booth;
        for (g, f) in self.flex.iter().enumerate() {
            if k < f.booths as usize {
                return (g, k);
            }
            k -= f.booths as usize;
        }
        (self.flex.len().saturating_sub(1), k)
    }

    /// Booth slots of lane `lane` in the model: its booths (times the inspection points of a
    /// stacked booth), then one slot per flex booth that may serve it.
    pub fn booth_slots(&self, lane: usize) -> u32 {
        let l = &self.lanes[lane];
        let flex: u32 = self
            .flex
            .iter()
            .filter(|f| f.lanes.contains(&lane))
            .map(|f| f.booths)
            .sum();
        l.max_booths * l.stacked + flex
    }

    /// Whether vehicles pass through an approach before the lane split: there is an
    /// `[approach]` table or some lane has a finite storage. When false the model runs exactly
    /// as without these mechanisms.
    pub fn has_approach(&self) -> bool {
        self.approach.is_some() || self.lanes.iter().any(|l| l.storage.is_some())
    }

    /// Measured (post-warm-up) time in days.
    pub fn measured_days(&self) -> f64 {
        self.horizon.saturating_sub(self.warmup).as_secs_f64() / 86_400.0
    }
}
