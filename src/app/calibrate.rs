//! `garita calibrate`: reads the skeleton and the observed archive, runs the fit, writes
//! `calibrated.toml`, `fit.csv` and the fit charts, and returns the summary.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::{AppError, io_err};
use crate::analysis::calibrate::{
    BoothsOut, Bound, CalibrateConfig, Calibration, Step, calibrate as fit,
};
use crate::analysis::observed::{Mode, Selection, parse_archive};
use crate::port::Date;
use crate::report;
use crate::report::charts::{self, ChartKind, ChartOptions, Format};
use crate::report::i18n::Lang;

/// Options of `garita calibrate`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CalibrateArgs {
    /// The skeleton scenario.
    pub skeleton: PathBuf,
    /// The observed archive (plain or gzip).
    pub observed: PathBuf,
    /// CBP crossing number.
    pub port: u32,
    /// `POV`, `COV` or `PED`.
    pub mode: String,
    /// First date of the period.
    pub from: String,
    /// Last date of the period.
    pub to: String,
    /// Trips made per day.
    pub volume_per_day: f64,
    /// Keys to fit although the skeleton sets them.
    pub fit: Vec<String>,
    /// Most simulations of the search.
    pub budget: usize,
    /// Seed.
    pub seed: u64,
    /// Replications of the final run.
    pub replications: u32,
    /// Output folder (default output/<skeleton name>-calibrated).
    pub out: Option<PathBuf>,
    /// Write the booths of calibrated.toml as day-type tables (the median of the replayed
    /// lanes open by day type and hour) instead of the replayed series files.
    pub booth_tables: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Print a progress line on stderr.
    pub progress: bool,
}

/// Reads `path` as text, decompressing it when it is gzip (by its first two bytes).
pub fn read_text_maybe_gzip(path: &Path) -> Result<String, AppError> {
    let bytes = std::fs::read(path)
        .map_err(|e| AppError::Usage(format!("{}: cannot read: {e}", path.display())))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .map_err(|e| {
                AppError::Usage(format!("{}: not valid gzip text: {e}", path.display()))
            })?;
        Ok(s)
    } else {
        String::from_utf8(bytes)
            .map_err(|e| AppError::Usage(format!("{}: not UTF-8 text: {e}", path.display())))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_date(flag: &str, s: &str) -> Result<Date, AppError> {
    Date::parse(s).ok_or_else(|| {
        AppError::Usage(format!(
            "{flag}: not a date (got {s:?}, expected YYYY-MM-DD)"
        ))
    })
}

/// Runs `garita calibrate`.
pub fn calibrate(args: &CalibrateArgs) -> Result<String, AppError> {
    let skeleton_name = args.skeleton.display().to_string();
    let skeleton_text = std::fs::read_to_string(&args.skeleton)
        .map_err(|e| AppError::Usage(format!("{skeleton_name}: cannot read scenario: {e}")))?;
    let mode = Mode::parse(&args.mode).ok_or_else(|| {
        AppError::Usage(format!(
            "--mode: unknown mode (got {:?}, expected POV, COV or PED)",
            args.mode
        ))
    })?;
    let from = parse_date("--from", &args.from)?;
    let to = parse_date("--to", &args.to)?;
    let observed_name = args.observed.display().to_string();
    let observed_bytes = std::fs::read(&args.observed)
        .map_err(|e| AppError::Usage(format!("{observed_name}: cannot read: {e}")))?;
    let observed_hash = sha256_hex(&observed_bytes);
    let text = read_text_maybe_gzip(&args.observed)?;
    let readings =
        parse_archive(&text, &observed_name).map_err(|e| AppError::Usage(e.to_string()))?;
    let cfg = CalibrateConfig {
        skeleton_text,
        skeleton_name: skeleton_name.clone(),
        readings,
        observed_name: observed_name.clone(),
        sel: Selection {
            port: args.port,
            mode,
            from,
            to,
        },
        volume_per_day: args.volume_per_day,
        fit: args.fit.clone(),
        budget: args.budget,
        seed: args.seed,
        threads: args.threads,
        final_replications: args.replications,
        booths: if args.booth_tables {
            BoothsOut::Tables
        } else {
            BoothsOut::Series
        },
    };
    let progress = args.progress;
    let on_step = |s: &Step| {
        if progress {
            eprint!(
                "\rcalibrate: round {}, {}/{} simulations, wait RMSE {:.1} min, {:.0} trips/day   ",
                s.round, s.sims, s.budget, s.rmse_min, s.arrivals_per_day
            );
        }
    };
    let cal = fit(&cfg, &on_step).map_err(AppError::Analysis)?;
    if progress {
        eprintln!();
    }
    let stem = args
        .skeleton
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "scenario".into());
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{stem}-calibrated")));
    report::create_dir(&dir).map_err(io_err(&dir))?;
    let header = header(args, &observed_name, &observed_hash, &cal);
    let text = if args.booth_tables {
        cal.with_booth_tables().map_err(AppError::Analysis)?.1
    } else {
        cal.text.clone()
    };
    let toml_bytes = format!("{header}\n{text}").into_bytes();
    let mut files: Vec<(String, Vec<u8>)> = if args.booth_tables {
        Vec::new()
    } else {
        cal.series
            .iter()
            .map(|(name, days)| (name.clone(), report::booth_series_csv(cal.start, days)))
            .collect()
    };
    files.push(("fit.csv".into(), report::fit_csv(&cal.rows)));
    // The scenario last: it names the series files, which are then complete.
    files.push(("calibrated.toml".into(), toml_bytes));
    for (name, bytes) in files {
        let p = dir.join(name);
        report::write_atomic(&p, &bytes).map_err(io_err(&p))?;
    }
    // The final run's outputs beside them (so `garita plot` and `garita report` read the
    // folder), then the fit chart in English and Spanish.
    let info = report::RunInfo {
        source_name: dir.join("calibrated.toml").display().to_string(),
        source_hash: sha256_hex(&std::fs::read(dir.join("calibrated.toml")).map_err(io_err(&dir))?),
        version: crate::VERSION.to_string(),
    };
    report::write_run_outputs(
        &dir,
        &cal.config,
        &info,
        &cal.final_run,
        &crate::experiment::aggregate(&cal.final_run),
    )
    .map_err(io_err(&dir))?;
    let data = report::read::read_output_dir(&dir)?;
    for (lang, suffix) in [(Lang::En, "en"), (Lang::Es, "es")] {
        let opts = ChartOptions {
            lang,
            target_s: None,
        };
        let bytes = charts::render(ChartKind::CalibrationFit, &data, &opts, Format::Png)?;
        let p = dir.join(format!("calibration_fit_{suffix}.png"));
        report::write_atomic(&p, &bytes).map_err(io_err(&p))?;
    }
    let mut out = summary(&cal);
    out.push_str(&format!("results: {}\n", dir.display()));
    Ok(out)
}

fn bound_note(b: Bound) -> &'static str {
    match b {
        Bound::Inside => "",
        Bound::Lower => "  (on its lower bound)",
        Bound::Upper => "  (on its upper bound)",
    }
}

fn fmt_param(value: f64, unit: &str) -> String {
    match unit {
        "" => format!("{value:.3}"),
        u => format!("{value:.1} {u}"),
    }
}

/// The comment block at the top of `calibrated.toml`.
fn header(args: &CalibrateArgs, observed: &str, hash: &str, cal: &Calibration) -> String {
    let mut h = String::new();
    let mut line = |s: String| {
        h.push_str("# ");
        h.push_str(&s);
        h.push('\n');
    };
    line(format!(
        "Calibrated by garita {} calibrate from the skeleton {}.",
        crate::VERSION,
        args.skeleton.display()
    ));
    line(format!("Observed file: {observed}"));
    line(format!("  SHA-256 {hash}"));
    line(format!(
        "Port {}, mode {}, period {} to {} ({} warm-up days before it), volume {} trips made per day.",
        args.port,
        args.mode.to_ascii_uppercase(),
        args.from,
        args.to,
        crate::analysis::calibrate::WARMUP_DAYS,
        args.volume_per_day
    ));
    if args.booth_tables {
        line(
            "Booths: tables by day type, each hour the median of the observed lanes open on the period's days of that type (the warm-up days included; gaps filled as in the replay: the same hour of the nearest day with a reading, then the hour's median). The fit and fit.csv ran these tables, as this file does.".to_string(),
        );
    } else {
        line(format!(
            "Booths: the observed lanes open, replayed day by day ({}; gaps filled with the same hour of the nearest day with a reading, then the hour's median).",
            cal.series
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    line(format!("Fitted: {}.", cal.fitted.join(", ")));
    for p in &cal.params {
        line(format!(
            "  {} = {} (bounds {} to {}){}",
            p.key,
            fmt_param(p.value, p.unit),
            fmt_param(p.bounds.0, p.unit),
            fmt_param(p.bounds.1, p.unit),
            bound_note(p.at)
        ));
    }
    line(format!(
        "Search: rotating-coordinate search with restarts on common random numbers, seed {}, {} simulations in {} rounds, descents ended: {} ({}).",
        args.seed,
        cal.sims,
        cal.rounds,
        cal.descents,
        if cal.converged {
            "the last restart found nothing lower"
        } else {
            "stopped by the budget"
        }
    ));
    for (k, e) in &cal.by_kind {
        line(format!(
            "Fit, {}: MAE {:.1} min, bias {:+.1} min over {} readings.",
            k.as_str(),
            e.mae_min,
            e.bias_min,
            e.n
        ));
    }
    line(format!(
        "Trips made per day {:.0} ± {:.0}; latent trips forgone {:.1}%.",
        cal.arrivals_per_day.0,
        cal.arrivals_per_day.1,
        100.0 * cal.forgone_share
    ));
    h
}

/// The text `garita calibrate` prints.
fn summary(cal: &Calibration) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "calibrated {} in {} simulations ({} rounds, {})\n",
        cal.fitted.join(", "),
        cal.sims,
        cal.rounds,
        if cal.converged {
            "converged"
        } else {
            "stopped by the budget"
        }
    ));
    for (lane, filled, hours) in &cal.staffing_filled {
        s.push_str(&format!(
            "staffing {lane}: {filled} of {hours} hours had no reading and were filled\n"
        ));
    }
    for p in &cal.params {
        s.push_str(&format!(
            "  {:<34} {:>10}{}\n",
            p.key,
            fmt_param(p.value, p.unit),
            bound_note(p.at)
        ));
    }
    s.push_str(&format!(
        "trips made per day {:.0} ± {:.0}, latent trips forgone {:.1}%\n",
        cal.arrivals_per_day.0,
        cal.arrivals_per_day.1,
        100.0 * cal.forgone_share
    ));
    s.push_str("lane      MAE (min)  bias (min)  readings\n");
    for (k, e) in &cal.by_kind {
        s.push_str(&format!(
            "{:<9} {:>9.1}  {:>+10.1}  {:>8}\n",
            k.as_str(),
            e.mae_min,
            e.bias_min,
            e.n
        ));
    }
    s
}
