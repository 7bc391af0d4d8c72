//! `garita validate`: replays the observed staffing of a period into a scenario, runs it, and
//! compares the simulated posted wait with the observed readings of that period.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::{AppError, io_err, load_scenarios};
use crate::analysis::observed::{self, Estimator, Mode, Reading, Selection};
use crate::engine::SimTime;
use crate::experiment;
use crate::port::{self, Date};
use crate::report;

/// The feed's refresh interval for a scenario without a `[response]` (with one, its own
/// `posted_update` and `posted_lag` are used).
pub const DEFAULT_POSTED_UPDATE_S: f64 = 900.0;

/// Options of `garita validate`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ValidateArgs {
    /// Scenario file.
    pub file: PathBuf,
    /// The observed archive (CSV, plain or gzip).
    pub observed: PathBuf,
    /// CBP crossing number, as typed.
    pub port: String,
    /// `POV`, `COV` or `PED`, as typed.
    pub mode: String,
    /// First date of the held-out period.
    pub from: String,
    /// Last date of the held-out period.
    pub to: String,
    /// First date of the naive forecast's baseline (default: the data's first).
    pub baseline_from: Option<String>,
    /// Last date of the baseline (default: the day before `from`).
    pub baseline_to: Option<String>,
    /// Output folder (default output/<name>-validation).
    pub out: Option<PathBuf>,
    /// Overrides the scenario's replications.
    pub replications: Option<u32>,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// How the model's feed becomes a reading.
    pub estimator: Estimator,
    /// A line on stderr before the runs.
    pub progress: bool,
}

fn usage(msg: String) -> AppError {
    AppError::Usage(msg)
}

fn date_arg(flag: &str, s: &str) -> Result<Date, AppError> {
    Date::parse(s).ok_or_else(|| {
        usage(format!(
            "{flag}: not a date (got {s:?}, expected YYYY-MM-DD)"
        ))
    })
}

/// Reads the archive text of `path`, gunzipping it when it starts with the gzip magic bytes.
pub fn read_observed(path: &Path) -> Result<String, AppError> {
    let name = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| usage(format!("{name}: cannot read the observed file: {e}")))?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| usage(format!("{name}: not a readable gzip file: {e}")))?;
        out
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|e| {
        usage(format!(
            "{name}: not UTF-8 text (byte {}): expected the CBP archive CSV",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Runs the validation, writes validation.csv, validation_summary.csv,
/// validation_by_month.csv and validation.json, and returns the console summary.
pub fn validate(args: &ValidateArgs) -> Result<String, AppError> {
    let mut scenarios = load_scenarios(std::slice::from_ref(&args.file))?;
    let mut s = scenarios.remove(0);
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(r) = args.replications {
        s.config.replications = r;
    }
    if let Some(seed) = args.seed {
        s.config.seed = seed;
    }
    let port_no: u32 = args.port.trim().parse().map_err(|_| {
        usage(format!(
            "--port: not a crossing number (got {:?}, expected CBP's number such as 240201)",
            args.port
        ))
    })?;
    let mode = Mode::parse(&args.mode).ok_or_else(|| {
        usage(format!(
            "--mode: unknown mode (got {:?}, expected POV, COV or PED)",
            args.mode
        ))
    })?;
    let from = date_arg("--from", &args.from)?;
    let to = date_arg("--to", &args.to)?;
    if to < from {
        return Err(usage(format!("--to {to} is before --from {from}")));
    }
    let bfrom = args
        .baseline_from
        .as_deref()
        .map(|d| date_arg("--baseline-from", d))
        .transpose()?;
    let bto = args
        .baseline_to
        .as_deref()
        .map(|d| date_arg("--baseline-to", d))
        .transpose()?;
    let name = args.observed.display().to_string();
    let text = read_observed(&args.observed)?;
    let readings = observed::parse_archive(&text, &name).map_err(|e| usage(e.to_string()))?;
    let sel = Selection {
        port: port_no,
        mode,
        from,
        to,
    };
    let held = observed::select(&readings, &sel, &name).map_err(usage)?;
    let same = |r: &&Reading| r.port == port_no && r.mode == mode;
    let baseline: Vec<Reading> = readings
        .iter()
        .filter(same)
        .filter(|r| match (bfrom, bto) {
            (None, None) => r.date < from,
            (f, t) => f.is_none_or(|f| r.date >= f) && t.is_none_or(|t| r.date <= t),
        })
        .cloned()
        .collect();
    let replay = observed::replay(&s.config, &readings, &sel).map_err(usage)?;
    let cfg = &replay.config;
    let update = cfg
        .response
        .as_ref()
        .map_or(SimTime::from_secs_f64(DEFAULT_POSTED_UPDATE_S), |r| {
            r.posted_update
        });
    if args.progress {
        eprintln!(
            "validate: {} replications of {} days ({} before {from} as warm-up)...",
            cfg.replications,
            sel.days() + replay.lead_days,
            replay.lead_days
        );
    }
    let reps: Vec<u32> = (0..cfg.replications).collect();
    let series = experiment::in_pool(args.threads, || {
        use rayon::prelude::*;
        reps.par_iter()
            .map(|&r| port::simulate_posted(cfg, r, update).1)
            .collect::<Vec<_>>()
    })?;
    let sim = observed::simulated_posted(&series, cfg, replay.lead_days, &args.estimator);
    let v = observed::validate(&sim, from, &held, &baseline);
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-validation", cfg.name)));
    report::create_dir(&dir).map_err(io_err(&dir))?;
    let write = |file: &str, bytes: &[u8]| {
        let p = dir.join(file);
        report::write_atomic(&p, bytes).map_err(io_err(&p))
    };
    write("validation.csv", &report::validation_csv(&v))?;
    write(
        "validation_summary.csv",
        &report::validation_summary_csv(&v),
    )?;
    write(
        "validation_by_month.csv",
        &report::validation_by_month_csv(&v),
    )?;
    let filled: serde_json::Map<String, serde_json::Value> = replay
        .filled
        .iter()
        .map(|(k, (f, m))| {
            (
                k.as_str().to_string(),
                serde_json::json!({ "filled_hours": f, "from_median": m }),
            )
        })
        .collect();
    let meta = serde_json::json!({
        "garita_version": crate::VERSION,
        "scenario": cfg.name,
        "scenario_file": s.source_name,
        "scenario_sha256": s.source_hash,
        "observed_file": name,
        "observed_sha256": crate::scenario::hex_sha256(text.as_bytes()),
        "port": port_no,
        "mode": mode.as_str(),
        "from": from.to_string(),
        "to": to.to_string(),
        "baseline_from": baseline.iter().map(|r| r.date).min().map(|d| d.to_string()),
        "baseline_to": baseline.iter().map(|r| r.date).max().map(|d| d.to_string()),
        "baseline_readings": baseline.len(),
        "held_out_readings": held.len(),
        "replications": cfg.replications,
        "seed": cfg.seed,
        "warmup_days": replay.lead_days,
        "posted_update_s": update.as_secs_f64(),
        "posted_lag_s": cfg.response.as_ref().map_or(0.0, |r| r.posted_lag.as_secs_f64()),
        "estimator": {
            "round_min": args.estimator.round_min,
            "floor_min": args.estimator.floor_min,
            "lag_hours": args.estimator.lag_hours,
        },
        "staffing_filled": filled,
    });
    let mut json = serde_json::to_string_pretty(&meta).expect("json");
    json.push('\n');
    write("validation.json", json.as_bytes())?;
    let mut out = format!(
        "{}: port {port_no} {} from {from} to {to}: {} readings ({} replications; naive forecast from {} baseline readings)\n",
        s.source_name,
        mode.as_str(),
        held.len(),
        cfg.replications,
        baseline.len()
    );
    for (k, (f, m)) in &replay.filled {
        out.push_str(&format!(
            "staffing {}: {f} of {} hours had no reading and were filled ({m} from the hour's median)\n",
            k.as_str(),
            24 * (sel.days() + replay.lead_days)
        ));
    }
    out.push('\n');
    out.push_str(&report::validation_table(&v));
    out.push_str(&format!("\nwrote {}\n", dir.display()));
    Ok(out)
}
