//! Shards: a stable split of a job list over independent processes (array jobs on a scheduler).
//!
//! Job `j` (0-based, in job-list order) belongs to shard `j mod N`. Shards are numbered from 0,
//! like Slurm array indices, Kubernetes completion indices and AWS Batch array indices.
//!
//! Invariant: no environment access here; the binary reads the scheduler's variables into a
//! [`ShardEnv`] and hands it down.

use std::fmt;

/// Shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    /// 0-based shard number, below `count`.
    pub index: u32,
    /// Number of shards (at least 1).
    pub count: u32,
}

impl Shard {
    /// The whole job list as one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Whether job `job` (0-based position in the job list) belongs to this shard.
    pub fn owns(self, job: usize) -> bool {
        job % self.count as usize == self.index as usize
    }

    /// The shard that owns job `job` among `count` shards.
    pub fn of_job(job: usize, count: u32) -> Shard {
        Shard {
            index: (job % count.max(1) as usize) as u32,
            count: count.max(1),
        }
    }

    /// Whether this shard is the whole job list.
    pub fn is_whole(self) -> bool {
        self.count == 1
    }

    /// Parses `K/N` (0 <= K < N).
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let bad = || {
            ShardError(format!(
                "--shard: expected K/N with 0 <= K < N, got {text:?}"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(index, count).ok_or_else(bad)
    }

    /// Shard `index` of `count`, if `index < count`.
    pub fn new(index: u32, count: u32) -> Option<Shard> {
        (count >= 1 && index < count).then_some(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A bad shard request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShardError(pub String);

/// The scheduler variables that may name a shard, as read by the binary (raw text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShardEnv {
    /// `SLURM_ARRAY_TASK_ID`.
    pub slurm_array_task_id: Option<String>,
    /// `SLURM_ARRAY_TASK_COUNT`.
    pub slurm_array_task_count: Option<String>,
    /// `SLURM_ARRAY_TASK_MIN` (the first index of the array, subtracted from the task id).
    pub slurm_array_task_min: Option<String>,
    /// `JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs).
    pub job_completion_index: Option<String>,
    /// `AWS_BATCH_JOB_ARRAY_INDEX` (AWS Batch array jobs).
    pub aws_batch_job_array_index: Option<String>,
}

/// What the command line says about sharding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShardRequest {
    /// `--shard K/N`, verbatim.
    pub shard: Option<String>,
    /// `--shards N` (with an index from the environment).
    pub shards: Option<u32>,
}

fn env_num(name: &str, value: &str) -> Result<u32, ShardError> {
    value.trim().parse().map_err(|_| {
        ShardError(format!(
            "{name}: expected a non-negative integer, got {value:?}"
        ))
    })
}

/// The shard to run: `--shard` first, then the scheduler's variables; `None` means all jobs.
pub fn resolve_shard(req: &ShardRequest, env: &ShardEnv) -> Result<Option<Shard>, ShardError> {
    if let Some(s) = &req.shard {
        if req.shards.is_some() {
            return Err(ShardError(
                "--shard K/N and --shards N cannot be combined (--shards goes with an index from the scheduler)".into(),
            ));
        }
        return Shard::parse(s).map(Some);
    }
    let checked = |index: u32, count: u32, what: &str| {
        Shard::new(index, count).map(Some).ok_or_else(|| {
            ShardError(format!(
                "{what}: shard index {index} is not below the shard count {count}"
            ))
        })
    };
    if let Some(id) = &env.slurm_array_task_id {
        let id = env_num("SLURM_ARRAY_TASK_ID", id)?;
        let min = match &env.slurm_array_task_min {
            Some(m) => env_num("SLURM_ARRAY_TASK_MIN", m)?,
            None => 0,
        };
        let count = match (&env.slurm_array_task_count, req.shards) {
            (_, Some(n)) => n,
            (Some(c), None) => env_num("SLURM_ARRAY_TASK_COUNT", c)?,
            (None, None) => {
                return Err(ShardError(
                    "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: give --shards N"
                        .into(),
                ));
            }
        };
        let index = id.checked_sub(min).ok_or_else(|| {
            ShardError(format!(
                "SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
            ))
        })?;
        return checked(
            index,
            count,
            "Slurm array (use a contiguous --array=0-<N-1>)",
        );
    }
    for (name, value) in [
        ("JOB_COMPLETION_INDEX", &env.job_completion_index),
        ("AWS_BATCH_JOB_ARRAY_INDEX", &env.aws_batch_job_array_index),
    ] {
        if let Some(v) = value {
            let index = env_num(name, v)?;
            let Some(count) = req.shards else {
                return Err(ShardError(format!(
                    "{name} is set ({index}) but --shards N is not: give the number of shards (the array size)"
                )));
            };
            return checked(index, count, name);
        }
    }
    match req.shards {
        Some(_) => Err(ShardError(
            "--shards N needs a shard index from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX (or use --shard K/N)".into(),
        )),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_own() {
        let s = Shard::parse("1/4").expect("valid");
        assert_eq!(s, Shard { index: 1, count: 4 });
        assert!(s.owns(1) && s.owns(5) && !s.owns(4));
        for bad in ["4/4", "1", "a/2", "0/0", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolves_from_schedulers() {
        let none = ShardRequest::default();
        assert_eq!(resolve_shard(&none, &ShardEnv::default()), Ok(None));
        let slurm = ShardEnv {
            slurm_array_task_id: Some("3".into()),
            slurm_array_task_count: Some("4".into()),
            slurm_array_task_min: Some("1".into()),
            ..ShardEnv::default()
        };
        assert_eq!(resolve_shard(&none, &slurm), Ok(Shard::new(2, 4)));
        let k8s = ShardEnv {
            job_completion_index: Some("2".into()),
            ..ShardEnv::default()
        };
        assert!(resolve_shard(&none, &k8s).is_err());
        let with_n = ShardRequest {
            shards: Some(3),
            ..ShardRequest::default()
        };
        assert_eq!(resolve_shard(&with_n, &k8s), Ok(Shard::new(2, 3)));
        let aws = ShardEnv {
            aws_batch_job_array_index: Some("5".into()),
            ..ShardEnv::default()
        };
        assert!(resolve_shard(&with_n, &aws).is_err());
        let flag = ShardRequest {
            shard: Some("0/2".into()),
            ..ShardRequest::default()
        };
        assert_eq!(resolve_shard(&flag, &slurm), Ok(Shard::new(0, 2)));
    }
}
