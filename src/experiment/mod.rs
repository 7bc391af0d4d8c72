//! Replications in parallel, and their aggregation into means with confidence intervals.
//!
//! Invariant: jobs are indexed `(scenario, replication)`; each job's random streams derive from
//! the scenario's seed and the replication index only, and results are collected in job order,
//! so the output does not depend on the number of threads.

mod aggregate;
mod batch;
mod compare;
mod overload;
mod plan;
mod shard;
pub mod sweep;

pub use aggregate::{Aggregate, GroupAggregate, aggregate};
pub use batch::{
    BatchOptions, BatchOutcome, JobStore, NoProgress, NoStore, Progress, job_list, run_batch,
};
pub use compare::{MetricDiff, paired_diffs, welch_ci95};
pub use overload::{LineQueue, OVERLOAD_MIN_VEHICLES, OVERLOAD_SHARE, Overload};
pub use plan::{Plan, PlanKind, PlanVariant, job_key, keyed_text};
pub use shard::{Shard, ShardEnv, ShardError, ShardRequest, resolve_shard};

use crate::port::{PortConfig, ReplicationResult, TraceSink, simulate};

/// Errors from running experiments.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// The worker pool could not be built.
    #[error("cannot start {threads} worker threads: {message}")]
    Pool {
        /// Requested threads.
        threads: usize,
        /// The cause.
        message: String,
    },
    /// A finished job could not be recorded.
    #[error("{scenario}: replication {replication}: cannot record the result: {message}")]
    Record {
        /// Scenario name.
        scenario: String,
        /// Replication (1-based).
        replication: u32,
        /// The cause.
        message: String,
    },
    /// Some jobs have no result.
    #[error("{0}")]
    Incomplete(String),
    /// The trace could not be written.
    #[error("{scenario}: cannot write the trace: {message}")]
    Trace {
        /// Scenario name.
        scenario: String,
        /// The cause.
        message: String,
    },
}

/// Makes the trace sink for scenario `i` (replication 1 only).
pub type TraceFactory<'a> = dyn Fn(usize) -> Option<Box<dyn TraceSink + Send>> + Sync + 'a;

thread_local! {
    /// The observer installed by [`observe`] on this thread.
    static OBSERVER: std::cell::RefCell<Option<std::sync::Arc<dyn Progress>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `progress` observing every [`run_replications`] it calls on this thread
/// (directly or through `analysis`), then restores the previous observer. Observation only:
/// nothing an observer sees or does changes a result.
pub fn observe<T>(progress: std::sync::Arc<dyn Progress>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<std::sync::Arc<dyn Progress>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            OBSERVER.with(|o| *o.borrow_mut() = previous);
        }
    }
    let _restore = Restore(OBSERVER.with(|o| o.borrow_mut().replace(progress)));
    f()
}

/// Runs every replication of every scenario on `threads` workers (0 = one per core) and returns,
/// per scenario, its replications in order. An observer installed by [`observe`] is told of
/// every job.
pub fn run_replications(
    configs: &[PortConfig],
    threads: usize,
    trace: Option<&TraceFactory<'_>>,
) -> Result<Vec<Vec<ReplicationResult>>, ExperimentError> {
    let jobs: Vec<(usize, u32)> = configs
        .iter()
        .enumerate()
        .flat_map(|(i, c)| (0..c.replications).map(move |r| (i, r)))
        .collect();
    let observer = OBSERVER.with(|o| o.borrow().clone());
    let progress: &dyn Progress = observer.as_deref().unwrap_or(&NoProgress);
    progress.start(jobs.len());
    let run_job = |&(i, r): &(usize, u32)| {
        let mut sink = if r == 0 {
            trace.and_then(|f| f(i))
        } else {
            None
        };
        let sink_ref: Option<&mut dyn TraceSink> = match sink.as_mut() {
            Some(b) => Some(b.as_mut()),
            None => None,
        };
        let res = simulate(&configs[i], r, sink_ref);
        let closed = sink.map_or(Ok(()), |s| s.close());
        progress.job_done(res.vehicles_simulated, false);
        (res, closed)
    };
    let results: Vec<(ReplicationResult, Result<(), String>)> = in_pool(threads, || {
        use rayon::prelude::*;
        jobs.par_iter().map(run_job).collect()
    })?;
    let mut out: Vec<Vec<ReplicationResult>> = configs.iter().map(|_| Vec::new()).collect();
    for ((i, _), (res, closed)) in jobs.iter().zip(results) {
        if let Err(message) = closed {
            return Err(ExperimentError::Trace {
                scenario: configs[*i].name.clone(),
                message,
            });
        }
        out[*i].push(res);
    }
    Ok(out)
}

/// Runs `f` inside a rayon pool of `threads` workers (0 = one per core).
pub fn in_pool<T: Send>(
    threads: usize,
    f: impl FnOnce() -> T + Send,
) -> Result<T, ExperimentError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ExperimentError::Pool {
            threads,
            message: e.to_string(),
        })?;
    Ok(pool.install(f))
}

/// Runs every replication of every scenario on `pool`, like [`run_replications`] without a
/// trace, but checks `stop` before each replication starts: once it returns true the remaining
/// replications are skipped and the result is `None`. A run that is not stopped returns exactly
/// what [`run_replications`] returns (the same jobs, collected in job order).
pub fn run_replications_on(
    pool: &rayon::ThreadPool,
    configs: &[PortConfig],
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Vec<ReplicationResult>>> {
    use rayon::prelude::*;
    let jobs: Vec<(usize, u32)> = configs
        .iter()
        .enumerate()
        .flat_map(|(i, c)| (0..c.replications).map(move |r| (i, r)))
        .collect();
    let results: Vec<Option<ReplicationResult>> = pool.install(|| {
        jobs.par_iter()
            .map(|&(i, r)| (!stop()).then(|| simulate(&configs[i], r, None)))
            .collect()
    });
    let mut out: Vec<Vec<ReplicationResult>> = configs.iter().map(|_| Vec::new()).collect();
    for ((i, _), res) in jobs.iter().zip(results) {
        out[*i].push(res?);
    }
    Some(out)
}

/// A worker pool of `threads` threads (0 = one per core), for [`run_replications_on`].
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, ExperimentError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ExperimentError::Pool {
            threads,
            message: e.to_string(),
        })
}
