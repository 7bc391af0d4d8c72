//! The only code that writes files: tidy CSV, JSON, traces, the console table, charts and the
//! HTML report.
//!
//! Exporters return bytes (so they are tested without a disk); [`write_atomic`] puts bytes on
//! disk by writing a temporary file and renaming it, so no reader ever sees half a file.

mod analysis;
mod calibration;
pub mod charts;
mod console;
mod experiment;
mod fs;
pub mod html;
pub mod i18n;
mod jobs;
mod live;
pub mod read;
mod tables;
mod trace;
mod validation;

pub use analysis::{
    criteria_md, pilot_csv, pilot_json, pilot_table_md, pilot_warnings, staff_csv, staff_hours_csv,
    staff_summary_csv, staff_table, staff_toml,
};
pub use calibration::{booth_series_csv, fit_csv};
pub use console::{capacity_lines, capacity_warnings, summary_table};
pub use experiment::{
    SweepRows, comparison_csv, comparison_table, sweep_csv, sweep_overload, sweep_rows,
};
pub use fs::{AtomicFile, create_dir, remove_files, remove_partials, write_atomic};
pub use jobs::{JobDir, decode_record, encode_record, remove_other_records};
pub use live::live_output;
pub use tables::{
    RunInfo, distribution_csv, flows_csv, fmt_num, group_label, hourly_csv, replications_csv,
    run_json, summary_csv, summary_json,
};
pub use trace::CsvTraceSink;
pub use validation::{
    validation_by_month_csv, validation_csv, validation_summary_csv, validation_table,
};

use std::path::Path;

use crate::experiment::Aggregate;
use crate::port::{PortConfig, ReplicationResult};

/// Writes every result file of one scenario's run into `dir` (created if needed).
pub fn write_run_outputs(
    dir: &Path,
    cfg: &PortConfig,
    info: &RunInfo,
    reps: &[ReplicationResult],
    agg: &Aggregate,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_atomic(&dir.join("summary.csv"), &summary_csv(cfg, agg))?;
    write_atomic(&dir.join("hourly.csv"), &hourly_csv(cfg, agg))?;
    write_atomic(&dir.join("distribution.csv"), &distribution_csv(cfg, agg))?;
    write_atomic(&dir.join("replications.csv"), &replications_csv(cfg, reps))?;
    write_atomic(&dir.join("summary.json"), &summary_json(cfg, info, agg))?;
    write_atomic(&dir.join("run.json"), &run_json(cfg, info))?;
    let flows = dir.join("flows.csv");
    match flows_csv(cfg, reps) {
        Some(bytes) => write_atomic(&flows, &bytes)?,
        // A region's flows left by an earlier run in the same folder would mislead.
        None if flows.exists() => std::fs::remove_file(&flows)?,
        None => {}
    }
    Ok(())
}
