//! Batches: every (variant, replication) job of an experiment in one worker pool, resumable and
//! shardable, in bounded memory.
//!
//! Jobs are listed variant by variant, replication by replication. Each job either loads its
//! finished result from a [`JobStore`] or simulates and saves it. A variant's replications are
//! handed to a reducer (in replication order) as soon as the last one finishes, and dropped, so
//! memory holds only the variants in flight, never a whole sweep.
//!
//! Invariant: a job's result depends only on its variant and replication index, and reducers see
//! replications in order, so outcomes are identical for any thread count, any shard split and
//! any mix of loaded and freshly simulated jobs.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::shard::Shard;
use super::{ExperimentError, in_pool};
use crate::port::{PortConfig, ReplicationResult, simulate};

/// Where finished jobs are kept between runs.
pub trait JobStore: Sync {
    /// The finished result of a job, if one was recorded.
    fn load(&self, variant: usize, replication: u32) -> Option<ReplicationResult>;
    /// Records a finished job (atomically: a reader sees all of it or nothing).
    fn save(
        &self,
        variant: usize,
        replication: u32,
        result: &ReplicationResult,
    ) -> Result<(), String>;
}

/// A store that keeps nothing: every job is simulated.
pub struct NoStore;

impl JobStore for NoStore {
    fn load(&self, _: usize, _: u32) -> Option<ReplicationResult> {
        None
    }
    fn save(&self, _: usize, _: u32, _: &ReplicationResult) -> Result<(), String> {
        Ok(())
    }
}

/// Observes progress (called from worker threads).
pub trait Progress: Sync {
    /// The batch starts with `jobs` jobs to do.
    fn start(&self, jobs: usize);
    /// A job finished: `vehicles` simulated, or 0 if its result was loaded.
    fn job_done(&self, vehicles: u64, loaded: bool);
    /// The batch ended.
    fn finish(&self);
}

/// A silent observer.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: usize) {}
    fn job_done(&self, _: u64, _: bool) {}
    fn finish(&self) {}
}

/// How to run a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchOptions {
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// The part of the job list to run.
    pub shard: Shard,
}

/// The job list: `(variant, replication)` in order.
pub fn job_list(replications: &[u32]) -> Vec<(usize, u32)> {
    replications
        .iter()
        .enumerate()
        .flat_map(|(i, &n)| (0..n).map(move |r| (i, r)))
        .collect()
}

/// What a batch produced.
#[derive(Debug)]
pub struct BatchOutcome<T> {
    /// Per variant, the reducer's output when all its replications are in this shard.
    pub variants: Vec<Option<T>>,
    /// Jobs in this shard.
    pub jobs: usize,
    /// Jobs whose result was loaded instead of simulated.
    pub loaded: usize,
}

struct Collector<T> {
    pending: BTreeMap<usize, Vec<Option<ReplicationResult>>>,
    left: Vec<u32>,
    out: Vec<Option<T>>,
    loaded: usize,
}

/// Runs the jobs of `shard` for `configs` (each with its own replication count) and reduces each
/// complete variant with `reduce(variant, replications_in_order)`.
pub fn run_batch<T: Send>(
    configs: &[PortConfig],
    opts: BatchOptions,
    store: &dyn JobStore,
    progress: &dyn Progress,
    reduce: &(dyn Fn(usize, Vec<ReplicationResult>) -> T + Sync),
) -> Result<BatchOutcome<T>, ExperimentError> {
    let reps: Vec<u32> = configs.iter().map(|c| c.replications).collect();
    let all = job_list(&reps);
    let mine: Vec<(usize, u32)> = all
        .iter()
        .enumerate()
        .filter(|(j, _)| opts.shard.owns(*j))
        .map(|(_, &job)| job)
        .collect();
    // Variants whose every replication is in this shard are reduced; others only recorded.
    let mut owned = vec![0u32; configs.len()];
    for &(v, _) in &mine {
        owned[v] += 1;
    }
    let left: Vec<u32> = owned
        .iter()
        .zip(&reps)
        .map(|(&o, &n)| if o == n { n } else { 0 })
        .collect();
    let collector = Mutex::new(Collector {
        pending: BTreeMap::new(),
        left,
        out: configs.iter().map(|_| None).collect(),
        loaded: 0,
    });
    progress.start(mine.len());
    let run_job = |&(v, r): &(usize, u32)| -> Result<(), ExperimentError> {
        let (res, loaded) = match store.load(v, r) {
            Some(res) => (res, true),
            None => {
                let res = simulate(&configs[v], r, None);
                store
                    .save(v, r, &res)
                    .map_err(|message| ExperimentError::Record {
                        scenario: configs[v].name.clone(),
                        replication: r + 1,
                        message,
                    })?;
                (res, false)
            }
        };
        progress.job_done(if loaded { 0 } else { res.vehicles_simulated }, loaded);
        let complete = {
            let mut c = collector.lock().unwrap_or_else(|e| e.into_inner());
            c.loaded += usize::from(loaded);
            if c.left[v] == 0 {
                None
            } else {
                let n = reps[v] as usize;
                let slot = c.pending.entry(v).or_insert_with(|| vec![None; n]);
                slot[r as usize] = Some(res);
                c.left[v] -= 1;
                if c.left[v] == 0 {
                    c.pending.remove(&v)
                } else {
                    None
                }
            }
        };
        if let Some(slots) = complete {
            let results: Vec<ReplicationResult> = slots.into_iter().flatten().collect();
            let t = reduce(v, results);
            let mut c = collector.lock().unwrap_or_else(|e| e.into_inner());
            c.out[v] = Some(t);
        }
        Ok(())
    };
    let ran = in_pool(opts.threads, || {
        use rayon::prelude::*;
        mine.par_iter().try_for_each(run_job)
    });
    progress.finish();
    ran??;
    let c = collector.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(BatchOutcome {
        variants: c.out,
        jobs: mine.len(),
        loaded: c.loaded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::aggregate;

    fn config() -> PortConfig {
        let text = "name = \"b\"\nhorizon = \"1d\"\nwarmup = \"2h\"\nreplications = 3\n[demand]\nrate = 60\n[[classes]]\nid = \"g\"\nshare = 1\nlanes = [\"m\"]\n[[lanes]]\nid = \"m\"\nbooths = 1\nservice = { dist = \"exponential\", mean = \"50s\" }\n";
        crate::scenario::parse_str(text, "b.toml")
            .expect("valid")
            .config
    }

    #[test]
    fn same_outcome_for_any_threads_and_shards() {
        let mut c2 = config();
        c2.seed = 9;
        let configs = vec![config(), c2];
        let reduce = |_: usize, reps: Vec<ReplicationResult>| aggregate(&reps);
        let run = |threads, shard| {
            run_batch(
                &configs,
                BatchOptions { threads, shard },
                &NoStore,
                &NoProgress,
                &reduce,
            )
            .expect("runs")
        };
        let one = run(1, Shard::WHOLE);
        let two = run(2, Shard::WHOLE);
        assert_eq!(one.jobs, 6);
        // Compared as text: NaN (a metric that does not apply) is not equal to itself.
        assert_eq!(format!("{:?}", one.variants), format!("{:?}", two.variants));
        assert!(one.variants.iter().all(Option::is_some));
        // A shard of 2 owns jobs 0, 2, 4: no variant is complete in it.
        let half = run(2, Shard::new(0, 2).expect("valid"));
        assert_eq!(half.jobs, 3);
        assert!(half.variants.iter().all(Option::is_none));
    }
}
