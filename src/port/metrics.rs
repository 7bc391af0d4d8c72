//! The numbers one replication produces, per group (whole port, each lane, each class).

use super::PortConfig;

/// Which travellers a row of results describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupRef {
    /// Every vehicle at the port.
    All,
    /// Vehicles that joined lane `i` (index into `PortConfig::lanes`).
    Lane(usize),
    /// Vehicles of class `i` (index into `PortConfig::classes`).
    Class(usize),
    /// Flex booth `booth` (numbered over every `[[flex]]` group's booths, in file order;
    /// `PortConfig::flex_booth`) while in lane `lane`: its hours per day open there and its
    /// moves into it per day. Only `flex_booth_hours_per_day` and `flex_switches_per_day`.
    FlexBooth {
        /// Flex booth number.
        booth: usize,
        /// Lane index, one of the booth's group's two lanes.
        lane: usize,
    },
}

macro_rules! metric_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $v,)* }
        impl $name {
            /// Every metric, in output order.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
            /// Number of metrics.
            pub const COUNT: usize = Self::ALL.len();
            /// The metric's name in output files.
            pub fn name(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }
            /// The metric called `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($s => Some($name::$v),)* _ => None }
            }
        }
    };
}

metric_enum! {
    /// Whole-run metrics of one replication. Waits count vehicles that arrived after the warm-up
    /// and reached a booth before the horizon.
    Metric {
        /// Vehicles that arrived after the warm-up.
        Arrivals = "arrivals",
        /// Arrivals per measured day.
        ArrivalsPerDay = "arrivals_per_day",
        /// Arrivals that reached a booth before the horizon.
        Served = "served",
        /// Arrivals still queued at the horizon.
        UnservedAtEnd = "unserved_at_end",
        /// Vehicles waiting (not in service) one week before the horizon (at the end of the
        /// warm-up when less than a week is measured); with `unserved_at_end`, how much the
        /// queue grew over that span.
        QueuedWeekBeforeEnd = "queued_week_before_end",
        /// Mean wait (s).
        WaitMean = "wait_mean_s",
        /// Median wait (s).
        WaitP50 = "wait_p50_s",
        /// 90th percentile wait (s).
        WaitP90 = "wait_p90_s",
        /// 95th percentile wait (s).
        WaitP95 = "wait_p95_s",
        /// 99th percentile wait (s).
        WaitP99 = "wait_p99_s",
        /// Longest wait (s).
        WaitMax = "wait_max_s",
        /// Share of served vehicles that waited 20 minutes or less.
        ShareWaitLe20m = "share_wait_le_20m",
        /// Mean wait plus primary inspection (s).
        CrossingMean = "crossing_mean_s",
        /// Busy booth-time over open booth-time.
        Utilization = "utilization",
        /// Time-average open booths.
        BoothsOpenMean = "booths_open_mean",
        /// Open booth-hours (officer-hours at primary) per day.
        BoothHoursPerDay = "booth_hours_per_day",
        /// Time-average number of vehicles waiting (not in service).
        QueueMean = "queue_mean",
        /// Largest number of vehicles waiting.
        QueueMax = "queue_max",
        /// Hours spent waiting, summed over vehicles (including those still queued at the end).
        VehicleHoursWaiting = "vehicle_hours_waiting",
        /// Vehicle-hours waiting per measured day.
        VehicleHoursWaitingPerDay = "vehicle_hours_waiting_per_day",
        /// CO2 emitted while queued (kg): vehicle-hours waiting x the class's idle rate (classes
        /// and all; not defined per lane).
        Co2KgIdling = "co2_kg_idling",
        /// NOx emitted while queued (g), where the classes give a rate.
        NoxGIdling = "nox_g_idling",
        /// PM2.5 emitted while queued (g), where the classes give a rate.
        Pm25GIdling = "pm25_g_idling",
        /// With `[response]`: trips that would have come with no wait (after the warm-up; a
        /// lane counts the trips that looked at its posted wait).
        LatentTrips = "latent_trips",
        /// With `[response]`: trips given up because the posted wait exceeded the tolerance.
        Forgone = "forgone",
        /// With `[response]`: decisions to come back later (a trip shifted twice counts twice).
        Shifted = "shifted",
        /// With `[response]`: forgone / latent_trips.
        ForgoneShare = "forgone_share",
        /// With `[response]`: time-average of the posted wait (s) while the lane is open; for
        /// a class, of the smallest posted wait among its lanes.
        PostedWaitMean = "posted_wait_mean_s",
        /// Mean time from arrival to the lane split (s), over vehicles that reached it
        /// (with an approach; all, lanes and classes).
        ApproachWait = "approach_wait_s",
        /// Share of time the lane's storage was full (lanes with a storage).
        LaneFullShare = "lane_full_share",
        /// Share of time the head of the shared approach was blocked (all).
        ApproachBlockedShare = "approach_blocked_share",
        /// Time-average vehicles waiting outside the port because the approach was full (all and
        /// shared classes).
        OutsideQueueMean = "outside_queue_mean",
        /// Time-average vehicles inside the shared approach, before the split (all and shared
        /// classes).
        ApproachQueueMean = "approach_queue_mean",
        /// Vehicles referred to secondary inspection (counted arrivals).
        Referrals = "referrals",
        /// Mean time from the end of primary inspection to the start of secondary (s), including
        /// the time the vehicle held its primary booth for want of a secondary space.
        SecondaryWait = "secondary_wait_s",
        /// Mean secondary inspection time (s).
        SecondaryTime = "secondary_time_s",
        /// Booth-time that primary booths spent blocked by a referred vehicle with no secondary
        /// space, over open booth-time (all and lanes).
        PrimaryBlockedShare = "primary_blocked_share",
        /// Busy officer-time in secondary over on-duty officer-time (all).
        SecondaryUtilization = "secondary_utilization",
        /// Hours per day that flex booths were open in this lane (lanes; a flex booth's row:
        /// that booth's hours in its lane).
        FlexBoothHoursPerDay = "flex_booth_hours_per_day",
        /// Flex booth moves per day (all; a flex booth's row: its moves into its lane).
        FlexSwitchesPerDay = "flex_switches_per_day",
    }
}

metric_enum! {
    /// Metrics by hour of day (of arrival for waits; of the clock for levels), averaged over the
    /// measured days.
    HourlyMetric {
        /// Arrivals per hour.
        Arrivals = "arrivals",
        /// Mean wait of vehicles arriving in this hour (s).
        WaitMean = "wait_mean_s",
        /// Median wait (s).
        WaitP50 = "wait_p50_s",
        /// 95th percentile wait (s).
        WaitP95 = "wait_p95_s",
        /// Share waiting 20 minutes or less.
        ShareWaitLe20m = "share_wait_le_20m",
        /// Time-average vehicles waiting.
        QueueMean = "queue_mean",
        /// Time-average open booths.
        BoothsOpen = "booths_open",
        /// Busy over open booth-time.
        Utilization = "utilization",
        /// With `[response]`: latent trips per hour.
        LatentTrips = "latent_trips",
        /// With `[response]`: trips forgone per hour.
        Forgone = "forgone",
        /// With `[response]`: trips shifted to later per hour.
        Shifted = "shifted",
        /// With `[response]`: time-average posted wait in this hour of the clock (s).
        PostedWaitMean = "posted_wait_mean_s",
        /// Mean time from arrival to the lane split (s), by hour of arrival.
        ApproachWait = "approach_wait_s",
        /// Share of the hour the lane's storage was full.
        LaneFullShare = "lane_full_share",
        /// Share of the hour the head of the shared approach was blocked.
        ApproachBlockedShare = "approach_blocked_share",
        /// Time-average vehicles waiting outside the port.
        OutsideQueueMean = "outside_queue_mean",
        /// Time-average vehicles inside the shared approach.
        ApproachQueueMean = "approach_queue_mean",
        /// Share of open booth-time that primary booths spent blocked by a referred vehicle.
        PrimaryBlockedShare = "primary_blocked_share",
        /// Busy over on-duty officer-time in secondary.
        SecondaryUtilization = "secondary_utilization",
    }
}

/// Fills the idle-emission metrics of `groups` (laid out all, lanes, classes) from each class's
/// vehicle-hours waiting and idle rates; the whole port sums the classes. A pollutant no class
/// gives a rate for stays undefined (NaN).
pub(crate) fn add_idle_emissions(cfg: &PortConfig, groups: &mut [GroupResult]) {
    let mut totals = [0.0; 3];
    let mut given = [false; 3];
    for g in groups.iter_mut() {
        let GroupRef::Class(i) = g.group else {
            continue;
        };
        let rates = &cfg.classes[i].idle;
        let vh = g.metric(Metric::VehicleHoursWaiting);
        let per = [
            Some(rates.co2_g_per_h / 1000.0),
            rates.nox_g_per_h,
            rates.pm25_g_per_h,
        ];
        let slots = [Metric::Co2KgIdling, Metric::NoxGIdling, Metric::Pm25GIdling];
        for (k, (rate, m)) in per.into_iter().zip(slots).enumerate() {
            if let Some(r) = rate {
                let x = vh * r;
                g.metrics[m as usize] = x;
                totals[k] += x;
                given[k] = true;
            }
        }
    }
    if let Some(all) = groups.iter_mut().find(|g| g.group == GroupRef::All) {
        let slots = [Metric::Co2KgIdling, Metric::NoxGIdling, Metric::Pm25GIdling];
        for k in 0..3 {
            if given[k] {
                all.metrics[slots[k] as usize] = totals[k];
            }
        }
    }
}

/// Points (seconds) at which the wait distribution is reported: every minute up to 4 hours.
pub const CDF_POINTS_S: [f64; 241] = {
    let mut a = [0.0; 241];
    let mut i = 0;
    while i < 241 {
        a[i] = (i * 60) as f64;
        i += 1;
    }
    a
};

/// Results for one group. NaN marks a metric that does not apply (e.g. utilization of a
/// class) or is undefined (e.g. the mean wait when nobody was served).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupResult {
    /// Which group.
    pub group: GroupRef,
    /// Indexed by `Metric as usize`.
    pub metrics: Vec<f64>,
    /// `hourly[h][HourlyMetric as usize]`.
    pub hourly: Vec<[f64; HourlyMetric::COUNT]>,
    /// Share of served vehicles with wait <= `CDF_POINTS_S[i]`.
    pub wait_cdf: Vec<f64>,
}

impl GroupResult {
    /// The value of one metric.
    pub fn metric(&self, m: Metric) -> f64 {
        self.metrics[m as usize]
    }
}

/// Everything one replication produces: groups in the order all, lanes, classes.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationResult {
    /// Replication index (0-based).
    pub replication: u32,
    /// One entry per group.
    pub groups: Vec<GroupResult>,
    /// Number of vehicles simulated (including warm-up).
    pub vehicles_simulated: u64,
    /// In a region: trips per hour that joined a queue, by origin, class, port and hour of day
    /// (index `((origin x classes + class) x ports + port) x 24 + hour`); empty for one port.
    pub flows: Vec<f64>,
}

impl ReplicationResult {
    /// The results of `group`.
    pub fn group(&self, group: GroupRef) -> Option<&GroupResult> {
        self.groups.iter().find(|g| g.group == group)
    }
}
