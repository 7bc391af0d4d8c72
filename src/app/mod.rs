//! The commands behind the binary, as plain functions over plain config structs: they load
//! scenarios, run experiments and write results, and return the text to print.

mod plot;

mod batch;
mod progress;

pub use plot::{PlotConfig, ReportConfig, plot, report};

pub use batch::{BatchConfig, CompareConfig, MergeConfig, SweepConfig, compare, merge, sweep};

use std::path::{Path, PathBuf};

mod pilot;
mod serve;
mod staff;

pub use pilot::{PilotArgs, pilot};
pub use serve::{Api, Limits, Reply, Request, ServeConfig, serve};
pub use staff::{StaffArgs, staff};

use crate::analysis::AnalysisError;
use crate::experiment::{self, ExperimentError, TraceFactory, aggregate};
use crate::port::TraceSink;
use crate::report::{self, AtomicFile, CsvTraceSink, RunInfo};
use crate::scenario::{self, Scenario, ScenarioError};

/// garita's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A bad command line (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// One or more invalid scenarios (exit code 2).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// Several scenario files with problems (exit code 2).
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Scenarios(Vec<ScenarioError>),
    /// A file could not be written (exit code 1).
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The experiment could not run (exit code 1).
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
    /// An output folder could not be read back (exit code 2, or 1 for an I/O failure).
    #[error(transparent)]
    Read(#[from] report::read::ReadError),
    /// A chart could not be drawn (exit code 1).
    #[error(transparent)]
    Chart(#[from] report::charts::ChartError),
    /// An analysis (staff, pilot) failed: exit code 2 for bad input, 1 otherwise.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
}

impl AppError {
    /// The process exit code for this error: 2 for bad input, 1 for runtime failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Usage(_) => 2,
            AppError::Scenario(ScenarioError::Invalid(_)) => 2,
            AppError::Scenario(ScenarioError::Io { .. }) => 2,
            AppError::Scenarios(_) => 2,
            AppError::Read(report::read::ReadError::Io { .. }) => 1,
            AppError::Read(_) => 2,
            AppError::Io { .. } | AppError::Experiment(_) | AppError::Chart(_) => 1,
            AppError::Analysis(e) => e.exit_code(),
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> AppError + '_ {
    move |source| AppError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Loads every file, reporting the problems of all of them at once.
pub fn load_scenarios(files: &[PathBuf]) -> Result<Vec<Scenario>, AppError> {
    let mut ok = Vec::new();
    let mut errs = Vec::new();
    for f in files {
        match scenario::load_file(f) {
            Ok(s) => ok.push(s),
            Err(e) => errs.push(e),
        }
    }
    match errs.len() {
        0 => Ok(ok),
        1 => Err(AppError::Scenario(errs.remove(0))),
        _ => Err(AppError::Scenarios(errs)),
    }
}

/// `garita check`: validates files; returns one line per file.
pub fn check(files: &[PathBuf]) -> Result<String, AppError> {
    let scenarios = load_scenarios(files)?;
    Ok(scenarios
        .iter()
        .map(|s| {
            format!(
                "{}: ok ({}: {} lane(s), {} class(es), {} replications)\n",
                s.source_name,
                s.config.name,
                s.config.lanes.len(),
                s.config.classes.len(),
                s.config.replications
            )
        })
        .collect())
}

/// Options of `garita run`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunConfig {
    /// Scenario files.
    pub files: Vec<PathBuf>,
    /// Output folder (for several files, the parent of one folder per scenario).
    pub out: Option<PathBuf>,
    /// Overrides the scenarios' replications.
    pub replications: Option<u32>,
    /// Overrides the scenarios' seeds.
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Write `trace.csv` for replication 1.
    pub trace: bool,
    /// Draw the charts (`garita plot` with default options) after the run.
    pub plot: bool,
}

/// Where each scenario's files go.
fn output_dirs(scenarios: &[Scenario], out: Option<&Path>) -> Result<Vec<PathBuf>, AppError> {
    for (i, a) in scenarios.iter().enumerate() {
        if let Some(b) = scenarios[..i]
            .iter()
            .find(|b| b.config.name == a.config.name)
        {
            return Err(AppError::Usage(format!(
                "{} and {} both have name {:?}: outputs would collide (give each scenario its own name)",
                b.source_name, a.source_name, a.config.name
            )));
        }
    }
    Ok(scenarios
        .iter()
        .map(|s| match out {
            Some(o) if scenarios.len() == 1 => o.to_path_buf(),
            Some(o) => o.join(&s.config.name),
            None => Path::new("output").join(&s.config.name),
        })
        .collect())
}

/// `garita run`: simulates, writes the result files, returns the summary tables.
pub fn run(cfg: &RunConfig) -> Result<String, AppError> {
    let mut scenarios = load_scenarios(&cfg.files)?;
    for s in &mut scenarios {
        if let Some(r) = cfg.replications {
            s.config.replications = r;
        }
        if let Some(seed) = cfg.seed {
            s.config.seed = seed;
        }
    }
    let dirs = output_dirs(&scenarios, cfg.out.as_deref())?;
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(io_err(d))?;
    }
    let configs: Vec<_> = scenarios.iter().map(|s| s.config.clone()).collect();
    let factory = |i: usize| -> Option<Box<dyn TraceSink + Send>> {
        let path = dirs[i].join("trace.csv");
        // An unwritable trace is reported when the sink closes; here we can only skip it.
        let file = AtomicFile::create(&path).ok()?;
        Some(Box::new(CsvTraceSink::new(&configs[i], file)))
    };
    let trace: Option<&TraceFactory<'_>> = if cfg.trace { Some(&factory) } else { None };
    if cfg.trace {
        for d in &dirs {
            let p = d.join("trace.csv");
            AtomicFile::create(&p).map_err(io_err(&p))?;
        }
    }
    let results = experiment::run_replications(&configs, cfg.threads, trace)?;
    let mut text = String::new();
    for ((s, reps), dir) in scenarios.iter().zip(&results).zip(&dirs) {
        let agg = aggregate(reps);
        let info = RunInfo {
            source_name: s.source_name.clone(),
            source_hash: s.source_hash.clone(),
            version: VERSION.to_string(),
        };
        report::write_run_outputs(dir, &s.config, &info, reps, &agg).map_err(io_err(dir))?;
        text.push_str(&report::summary_table(&s.config, &agg));
        text.push_str(&format!("results: {}\n", dir.display()));
        if cfg.plot {
            text.push_str(&plot(&PlotConfig::for_dir(dir))?);
        }
        text.push('\n');
    }
    Ok(text)
}
