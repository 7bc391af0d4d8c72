//! Job records: one small binary file per finished (variant, replication) job, under
//! `OUT/.jobs/<job key>/<replication>.bin`, so that batches resume and shards merge.
//!
//! The format stores every number as its exact 64-bit pattern (NaN included), so a loaded
//! result is bit-for-bit the simulated one and outputs built from it are byte-identical.
//! A record is written under a temporary name and renamed into place; a record that is missing,
//! truncated or names another job is treated as not finished.

use std::io;
use std::path::{Path, PathBuf};

use crate::experiment::JobStore;
use crate::port::{GroupRef, GroupResult, HourlyMetric, ReplicationResult};

const MAGIC: &[u8; 12] = b"garita-job2\n";

/// Encodes a job's result; `key` is its variant's job key.
pub fn encode_record(key: &str, res: &ReplicationResult) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + res.groups.len() * 4000);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(key.len() as u32).to_le_bytes());
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(&res.replication.to_le_bytes());
    out.extend_from_slice(&res.vehicles_simulated.to_le_bytes());
    out.extend_from_slice(&(res.groups.len() as u32).to_le_bytes());
    let f64s = |out: &mut Vec<u8>, xs: &[f64]| {
        out.extend_from_slice(&(xs.len() as u32).to_le_bytes());
        for x in xs {
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
    };
    for g in &res.groups {
        let (tag, idx) = match g.group {
            GroupRef::All => (0u8, 0usize),
            GroupRef::Lane(i) => (1, i),
            GroupRef::Class(i) => (2, i),
            GroupRef::FlexBooth { booth, .. } => (3, booth),
        };
        out.push(tag);
        out.extend_from_slice(&(idx as u32).to_le_bytes());
        if let GroupRef::FlexBooth { lane, .. } = g.group {
            out.extend_from_slice(&(lane as u32).to_le_bytes());
        }
        f64s(&mut out, &g.metrics);
        out.extend_from_slice(&(g.hourly.len() as u32).to_le_bytes());
        for h in &g.hourly {
            for x in h {
                out.extend_from_slice(&x.to_bits().to_le_bytes());
            }
        }
        f64s(&mut out, &g.wait_cdf);
    }
    f64s(&mut out, &res.flows);
    out
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.buf.len() < n {
            return None;
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Some(a)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_bits(self.u64()?))
    }
    fn len(&mut self, most: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n <= most && n.saturating_mul(8) <= self.buf.len()).then_some(n)
    }
    fn f64s(&mut self, most: usize) -> Option<Vec<f64>> {
        let n = self.len(most)?;
        (0..n).map(|_| self.f64()).collect()
    }
}

/// Decodes a record, checking it is the one of (`key`, `replication`).
pub fn decode_record(bytes: &[u8], key: &str, replication: u32) -> Option<ReplicationResult> {
    let mut r = Reader { buf: bytes };
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let klen = r.u32()? as usize;
    if r.take(klen)? != key.as_bytes() {
        return None;
    }
    if r.u32()? != replication {
        return None;
    }
    let vehicles_simulated = r.u64()?;
    let ngroups = r.u32()? as usize;
    if ngroups > 1 << 20 {
        return None;
    }
    let mut groups = Vec::with_capacity(ngroups);
    for _ in 0..ngroups {
        let tag = r.take(1)?[0];
        let idx = r.u32()? as usize;
        let group = match tag {
            0 => GroupRef::All,
            1 => GroupRef::Lane(idx),
            2 => GroupRef::Class(idx),
            3 => GroupRef::FlexBooth {
                booth: idx,
                lane: r.u32()? as usize,
            },
            _ => return None,
        };
        let metrics = r.f64s(1 << 16)?;
        let nh = r.u32()? as usize;
        if nh > 1 << 16 {
            return None;
        }
        let mut hourly = Vec::with_capacity(nh);
        for _ in 0..nh {
            let mut h = [0.0; HourlyMetric::COUNT];
            for x in &mut h {
                *x = r.f64()?;
            }
            hourly.push(h);
        }
        let wait_cdf = r.f64s(1 << 20)?;
        groups.push(GroupResult {
            group,
            metrics,
            hourly,
            wait_cdf,
        });
    }
    let flows = r.f64s(1 << 24)?;
    if !r.buf.is_empty() {
        return None;
    }
    Some(ReplicationResult {
        replication,
        groups,
        vehicles_simulated,
        flows,
    })
}

/// Job records of a batch on disk: `<root>/<job key>/<replication + 1>.bin`.
pub struct JobDir {
    root: PathBuf,
    keys: Vec<String>,
}

impl JobDir {
    /// Records under `root` (usually `OUT/.jobs`) for variants with job keys `keys`.
    pub fn new(root: &Path, keys: Vec<String>) -> Self {
        JobDir {
            root: root.to_path_buf(),
            keys,
        }
    }

    /// The record file of a job.
    pub fn path(&self, variant: usize, replication: u32) -> PathBuf {
        self.root
            .join(&self.keys[variant])
            .join(format!("{}.bin", replication + 1))
    }

    fn write(&self, variant: usize, replication: u32, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(variant, replication);
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir)?;
        // Temporary names are unique per process, so that shards sharing a folder never mix
        // their bytes; the rename is atomic. No fsync: a record lost in a crash is re-run.
        let tmp = dir.join(format!(
            ".{}.bin.{}.partial",
            replication + 1,
            std::process::id()
        ));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)
    }
}

impl JobStore for JobDir {
    fn load(&self, variant: usize, replication: u32) -> Option<ReplicationResult> {
        let bytes = std::fs::read(self.path(variant, replication)).ok()?;
        decode_record(&bytes, &self.keys[variant], replication)
    }

    fn save(
        &self,
        variant: usize,
        replication: u32,
        result: &ReplicationResult,
    ) -> Result<(), String> {
        let bytes = encode_record(&self.keys[variant], result);
        self.write(variant, replication, &bytes)
            .map_err(|e| format!("{}: {e}", self.path(variant, replication).display()))
    }
}

/// Removes the record folders under `root` other than those of `keep` (records of scenarios
/// or builds that no longer apply); returns how many were removed.
pub fn remove_other_records(root: &Path, keep: &[String]) -> io::Result<usize> {
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut stale = Vec::new();
    for e in entries {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type()?.is_dir() && !keep.contains(&name) {
            stale.push(e.path());
        }
    }
    for p in &stale {
        std::fs::remove_dir_all(p)?;
    }
    Ok(stale.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_bit_for_bit() {
        let res = ReplicationResult {
            replication: 3,
            vehicles_simulated: 12345,
            flows: vec![2.5, f64::NAN],
            groups: vec![
                GroupResult {
                    group: GroupRef::All,
                    metrics: vec![1.0, f64::NAN, 0.1 + 0.2, -0.0, 1e300],
                    hourly: vec![[0.5; HourlyMetric::COUNT]; 24],
                    wait_cdf: vec![0.25, 1.0],
                },
                GroupResult {
                    group: GroupRef::Class(2),
                    metrics: vec![f64::INFINITY],
                    hourly: vec![],
                    wait_cdf: vec![],
                },
            ],
        };
        let bytes = encode_record("abc", &res);
        let back = decode_record(&bytes, "abc", 3).expect("decodes");
        assert_eq!(encode_record("abc", &back), bytes);
        assert!(back.groups[0].metrics[1].is_nan());
        assert_eq!(back.groups[0].metrics[3].to_bits(), (-0.0f64).to_bits());
        assert!(decode_record(&bytes, "abd", 3).is_none());
        assert!(decode_record(&bytes, "abc", 2).is_none());
        assert!(decode_record(&bytes[..bytes.len() - 1], "abc", 3).is_none());
    }
}
