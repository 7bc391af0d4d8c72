//! Results held in memory as an [`OutputData`], so that the charts, tables and report of a live
//! run (`garita serve`) are drawn by the same code, from the same file formats, as those of an
//! output folder: the exporters write the bytes `garita run` would write and the readers parse
//! them back, without touching the disk.

use std::path::{Path, PathBuf};

use super::read::{
    OutputData, ReadError, RunData, RunMeta, parse_comparison, parse_distribution, parse_hourly,
    parse_summary,
};
use super::{RunInfo, distribution_csv, hourly_csv, run_json, summary_csv};
use crate::experiment::Aggregate;
use crate::port::PortConfig;

fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("the exporters write UTF-8")
}

/// The outputs of one run of `cfg` as if read from `dir` after `garita run`, with
/// `comparison` (the bytes of a `comparison.csv`) beside them when given.
pub fn live_output(
    dir: &Path,
    cfg: &PortConfig,
    info: &RunInfo,
    agg: &Aggregate,
    comparison: Option<&[u8]>,
) -> Result<OutputData, ReadError> {
    let meta: RunMeta =
        serde_json::from_slice(&run_json(cfg, info)).map_err(|e| ReadError::Parse {
            path: PathBuf::from("run.json"),
            line: e.line() as u64,
            msg: format!("not a garita run.json: {e}"),
        })?;
    let run = RunData {
        meta: meta.clone(),
        summary: parse_summary(Path::new("summary.csv"), &utf8(summary_csv(cfg, agg)))?,
        hourly: parse_hourly(Path::new("hourly.csv"), &utf8(hourly_csv(cfg, agg)))?,
        distribution: parse_distribution(
            Path::new("distribution.csv"),
            &utf8(distribution_csv(cfg, agg)),
        )?,
        // The what-if page runs single ports; its charts have no port shares.
        flows: Vec::new(),
    };
    let comparison = match comparison {
        Some(bytes) => Some(parse_comparison(
            Path::new("comparison.csv"),
            &String::from_utf8_lossy(bytes),
        )?),
        None => None,
    };
    Ok(OutputData {
        dir: dir.to_path_buf(),
        run: Some(run),
        comparison,
        sweep: None,
        pilot: None,
        meta: Some(meta),
        sub_metas: Vec::new(),
        staff: None,
        validation: None,
        fit: None,
    })
}
