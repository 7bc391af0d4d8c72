//! `garita pilot`: rank candidate sites x interventions on neutral criteria.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use super::progress::{Shape, StderrProgress};
use super::{AppError, io_err};
use crate::analysis::pilot;
use crate::experiment::{self, Progress as _};
use crate::report;

/// Options of `garita pilot`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PilotArgs {
    /// The pilot file.
    pub file: PathBuf,
    /// Output folder (default output/<pilot name>).
    pub out: Option<PathBuf>,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Draw the charts (`garita plot` with default options) after the ranking.
    pub plot: bool,
    /// Draw a progress line on stderr, and a summary line at the end.
    pub progress: bool,
    /// Without the progress line (standard error is not a terminal): write a plain line on
    /// stderr at most every 30 s while the search runs, and the summary line at the end.
    pub log_progress: bool,
}

/// Runs the pilot, writes pilot.csv, criteria.md, pilot.json and one staff.toml per staffing candidate (and
/// with `plot`, the charts), and returns the ranked table.
pub fn pilot(args: &PilotArgs) -> Result<String, AppError> {
    let p = pilot::load(&args.file)?;
    let progress = Arc::new(
        StderrProgress::new(args.progress, "pilot", Shape::Open).with_lines(args.log_progress),
    );
    let res = experiment::observe(progress.clone(), || pilot::run(&p, args.threads))?;
    progress.finish();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&p.name));
    report::create_dir(&dir).map_err(io_err(&dir))?;
    let mut files = vec![
        ("pilot.csv".to_string(), report::pilot_csv(&p, &res)),
        ("criteria.md".to_string(), report::criteria_md(&p, &res)),
        ("pilot.json".to_string(), report::pilot_json(&p)),
    ];
    for c in &res.candidates {
        if let Some(st) = &c.staff {
            let site = &p.sites[c.site];
            let cfg = p.site_config(&site.scenario.config);
            files.push((
                format!(
                    "staff-{}-{}.toml",
                    site.id, p.interventions[c.intervention].id
                ),
                report::staff_toml(&cfg, st, cfg.replications),
            ));
        }
    }
    for (name, bytes) in files {
        let path = dir.join(name);
        report::write_atomic(&path, &bytes).map_err(io_err(&path))?;
    }
    let mut text = report::pilot_table_md(&p, &res, false);
    text.push_str(&report::pilot_warnings(&p, &res));
    text.push_str(&format!("\nresults: {}\n", dir.display()));
    if args.plot {
        text.push_str(&super::plot(&super::PlotConfig::for_dir(&dir))?);
    }
    Ok(text)
}
