//! Means and 95% intervals over replications, per group and metric.

use crate::port::{GroupRef, HourlyMetric, Metric, ReplicationResult};
use crate::stats::{MeanCi, mean_ci};

/// One group's aggregated results.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupAggregate {
    /// Which group.
    pub group: GroupRef,
    /// Indexed by `Metric as usize`.
    pub metrics: Vec<MeanCi>,
    /// `hourly[h][HourlyMetric as usize]`.
    pub hourly: Vec<Vec<MeanCi>>,
    /// Share waiting <= `CDF_POINTS_S[i]`.
    pub wait_cdf: Vec<MeanCi>,
}

impl GroupAggregate {
    /// One metric.
    pub fn metric(&self, m: Metric) -> MeanCi {
        self.metrics[m as usize]
    }
    /// One hourly metric.
    pub fn hourly(&self, hour: usize, m: HourlyMetric) -> MeanCi {
        self.hourly[hour][m as usize]
    }
}

/// Aggregated results of one scenario's replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// Groups in the order all, lanes, classes.
    pub groups: Vec<GroupAggregate>,
    /// Replications aggregated.
    pub replications: usize,
    /// Vehicles simulated over all replications.
    pub vehicles_simulated: u64,
}

impl Aggregate {
    /// The aggregate of `group`.
    pub fn group(&self, group: GroupRef) -> Option<&GroupAggregate> {
        self.groups.iter().find(|g| g.group == group)
    }
}

/// Aggregates replications (all of one scenario, same group layout).
pub fn aggregate(reps: &[ReplicationResult]) -> Aggregate {
    let Some(first) = reps.first() else {
        return Aggregate {
            groups: Vec::new(),
            replications: 0,
            vehicles_simulated: 0,
        };
    };
    let mut buf = Vec::with_capacity(reps.len());
    let mut collect = |f: &dyn Fn(&ReplicationResult) -> f64| {
        buf.clear();
        buf.extend(reps.iter().map(f));
        mean_ci(&buf)
    };
    let groups = first
        .groups
        .iter()
        .enumerate()
        .map(|(gi, g)| {
            let metrics = (0..Metric::COUNT)
                .map(|m| collect(&|r| r.groups[gi].metrics[m]))
                .collect();
            let hourly = (0..24)
                .map(|h| {
                    (0..HourlyMetric::COUNT)
                        .map(|m| collect(&|r| r.groups[gi].hourly[h][m]))
                        .collect()
                })
                .collect();
            let wait_cdf = (0..g.wait_cdf.len())
                .map(|i| collect(&|r| r.groups[gi].wait_cdf[i]))
                .collect();
            GroupAggregate {
                group: g.group,
                metrics,
                hourly,
                wait_cdf,
            }
        })
        .collect();
    Aggregate {
        groups,
        replications: reps.len(),
        vehicles_simulated: reps.iter().map(|r| r.vehicles_simulated).sum(),
    }
}
