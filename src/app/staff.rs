//! `garita staff`: the fewest booths by lane and hour that meet a service target.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use super::progress::{Shape, StderrProgress};
use super::{AppError, io_err, load_scenarios};
use crate::analysis::pilot::select_lanes;
use crate::analysis::{StaffConfig, Target, staff_search};
use crate::experiment::{self, Progress as _};
use crate::report;

/// Options of `garita staff`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StaffArgs {
    /// Scenario file.
    pub file: PathBuf,
    /// Target text, e.g. `p95<=20m`.
    pub target: String,
    /// Lane ids or kinds to staff (empty: every lane).
    pub lanes: Vec<String>,
    /// Output folder (default output/<name>-staff).
    pub out: Option<PathBuf>,
    /// Overrides the scenario's replications.
    pub replications: Option<u32>,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Draw a progress line on stderr, and a summary line at the end.
    pub progress: bool,
    /// Without the progress line (standard error is not a terminal): write a plain line on
    /// stderr at most every 30 s while the search runs, and the summary line at the end.
    pub log_progress: bool,
}

/// Runs the search, writes staff.csv, staff_hours.csv, staff_summary.csv and staff.toml, and
/// returns the console summary.
pub fn staff(args: &StaffArgs) -> Result<String, AppError> {
    let target = Target::parse(&args.target).map_err(AppError::Usage)?;
    let mut scenarios = load_scenarios(std::slice::from_ref(&args.file))?;
    let mut s = scenarios.remove(0);
    if let Some(r) = args.replications {
        s.config.replications = r;
    }
    if let Some(seed) = args.seed {
        s.config.seed = seed;
    }
    // One rule for --replications and the scenario's `replications` (both may be 1 for `run`).
    if s.config.replications < 2 {
        let from = if args.replications.is_some() {
            "--replications"
        } else {
            "replications"
        };
        return Err(AppError::Usage(format!(
            "{}: {from}: the staffing search needs at least 2 replications for its confidence intervals (got {}, expected 2 or more)",
            s.source_name, s.config.replications
        )));
    }
    let lanes = select_lanes(&s.config, &args.lanes).map_err(AppError::Usage)?;
    let progress = Arc::new(
        StderrProgress::new(args.progress, "staff", Shape::Open).with_lines(args.log_progress),
    );
    let res = experiment::observe(progress.clone(), || {
        staff_search(
            &s.config,
            &StaffConfig {
                target,
                lanes,
                threads: args.threads,
                max_rounds: 60,
            },
        )
    })
    .map_err(AppError::Analysis)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-staff", s.config.name)));
    report::create_dir(&dir).map_err(io_err(&dir))?;
    // The proposed schedule's own run (the same seed, so the same run the statuses come from),
    // written as run outputs, so that `garita report` and `garita plot` show its waits.
    let proposed = res.apply(&s.config);
    let reps = experiment::observe(progress.clone(), || {
        experiment::run_replications(std::slice::from_ref(&proposed), args.threads, None)
    })?
    .remove(0);
    progress.finish();
    let info = report::RunInfo {
        source_name: format!("{} (booths from staff.toml)", s.source_name),
        source_hash: s.source_hash.clone(),
        version: crate::VERSION.to_string(),
    };
    report::write_run_outputs(&dir, &proposed, &info, &reps, &experiment::aggregate(&reps))
        .map_err(io_err(&dir))?;
    let files: [(&str, Vec<u8>); 4] = [
        ("staff.csv", report::staff_csv(&s.config, &res)),
        ("staff_hours.csv", report::staff_hours_csv(&s.config, &res)),
        (
            "staff_summary.csv",
            report::staff_summary_csv(&s.config, &res),
        ),
        (
            "staff.toml",
            report::staff_toml(&s.config, &res, s.config.replications),
        ),
    ];
    for (name, bytes) in files {
        let p = dir.join(name);
        report::write_atomic(&p, &bytes).map_err(io_err(&p))?;
    }
    let mut text = report::staff_table(&s.config, &res);
    text.push_str(&String::from_utf8_lossy(&report::staff_toml(
        &s.config,
        &res,
        s.config.replications,
    )));
    if s.config.response.is_some() {
        text.push_str(&reacting_note(&s.config, &res, args.threads)?);
    }
    text.push_str(&format!("\nresults: {}\n", dir.display()));
    Ok(text)
}

/// With `[response]`, a target is met by the trips that were made: reports, for today's and
/// the proposed schedule, the share of latent trips forgone and trips made per day beside it.
fn reacting_note(
    cfg: &crate::port::PortConfig,
    res: &crate::analysis::StaffResult,
    threads: usize,
) -> Result<String, AppError> {
    use crate::port::{GroupRef, Metric};
    let configs = [cfg.clone(), res.apply(cfg)];
    let runs = crate::experiment::run_replications(&configs, threads, None)?;
    let mut out = String::from(
        "\ntravellers react to the posted wait: the target counts the trips made; trips forgone\n",
    );
    for (label, reps) in ["current schedule", "proposed schedule"].iter().zip(&runs) {
        let agg = crate::experiment::aggregate(reps);
        let Some(all) = agg.group(GroupRef::All) else {
            continue;
        };
        let share = all.metric(Metric::ForgoneShare);
        let made = all.metric(Metric::ArrivalsPerDay);
        out.push_str(&format!(
            "  {label}: {:.1}% ± {:.1}% of latent trips forgone, {:.0} trips made per day\n",
            100.0 * share.mean,
            100.0 * share.ci95,
            made.mean
        ));
    }
    Ok(out)
}
