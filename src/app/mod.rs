//! The commands behind the binary, as plain functions over plain config structs: they load
//! scenarios, run experiments and write results, and return the text to print.

mod plot;

mod batch;
mod progress;

pub use plot::{PlotConfig, ReportConfig, plot, report};

pub use batch::{
    BatchConfig, CompareConfig, DEFAULT_MAX_JOBS, MergeConfig, SweepConfig, compare, merge, sweep,
};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use self::progress::{Shape, StderrProgress};
use crate::experiment::Progress as _;

mod calibrate;
mod pilot;
mod serve;
mod staff;
mod validate;

pub use calibrate::{CalibrateArgs, calibrate};
pub use pilot::{PilotArgs, pilot};
pub use serve::{Api, Limits, Reply, Request, ServeConfig, serve};
pub use staff::{StaffArgs, staff};
pub use validate::{DEFAULT_POSTED_UPDATE_S, ValidateArgs, read_observed, validate};

use crate::analysis::AnalysisError;
use crate::experiment::{self, ExperimentError, TraceFactory, aggregate};
use crate::port::{self, TraceSink};
use crate::report::{self, AtomicFile, CsvTraceSink, RunInfo};
use crate::scenario::{self, Scenario, ScenarioError};

pub use crate::VERSION;

/// garita's build identity: the version and a hash of the model's source (computed by
/// `build.rs` at compile time). Job records are keyed by it, so that a changed model never
/// reuses another build's records.
pub const BUILD_ID: &str = env!("GARITA_BUILD_ID");

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
    let mut other_commands = Vec::new();
    for f in files {
        match scenario::load_file(f) {
            Ok(s) => ok.push(s),
            Err(e) => match other_command(f) {
                Some(hint) => other_commands.push(hint),
                None => errs.push(e),
            },
        }
    }
    if !other_commands.is_empty() {
        other_commands.extend(errs.iter().map(|e| e.to_string()));
        return Err(AppError::Usage(other_commands.join("\n")));
    }
    match errs.len() {
        0 => Ok(ok),
        1 => Err(AppError::Scenario(errs.remove(0))),
        _ => Err(AppError::Scenarios(errs)),
    }
}

/// For a file that is not a scenario but the input of another command (a sweep file has a
/// top-level `base`, a pilot file `sites`), the message that points to that command.
fn other_command(file: &Path) -> Option<String> {
    let doc: toml::Table = std::fs::read_to_string(file).ok()?.parse().ok()?;
    let (what, command) = if crate::experiment::sweep::is_sweep_file(&doc) {
        ("a sweep file (it has `base`)", "sweep")
    } else if doc.contains_key("sites") {
        ("a pilot file (it has `[[sites]]`)", "pilot")
    } else {
        return None;
    };
    Some(format!(
        "{}: {what}, not a scenario: run it with `garita {command} {}`",
        file.display(),
        file.display()
    ))
}

/// `garita check`: validates files; returns one line per file.
/// Also lists each scenario's capacity checks (`port::capacity_checks`) and warns on standard
/// error of those over capacity.
pub fn check(files: &[PathBuf]) -> Result<String, AppError> {
    let scenarios = load_scenarios(files)?;
    warn_capacity(&scenarios);
    Ok(scenarios
        .iter()
        .map(|s| {
            format!(
                "{}: ok ({}: {} lane(s), {} class(es), {} replications)\n{}",
                s.source_name,
                s.config.name,
                s.config.lanes.len(),
                s.config.classes.len(),
                s.config.replications,
                report::capacity_lines(&s.config, &port::capacity_checks(&s.config))
            )
        })
        .collect())
}

/// Warns on standard error, before anything runs, of every scenario whose demand exceeds its
/// lanes' capacity over an average day, and of the validation warnings (filled gaps of a booth
/// series).
fn warn_capacity(scenarios: &[Scenario]) {
    for s in scenarios {
        for w in &s.warnings {
            eprintln!("warning: {w}");
        }
        let checks = port::capacity_checks(&s.config);
        let text = report::capacity_warnings(&s.source_name, &s.config, &checks);
        if !text.is_empty() {
            eprint!("{text}");
        }
    }
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
    /// Draw a progress bar on stderr, and a summary line at the end.
    pub progress: bool,
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
    warn_capacity(&scenarios);
    for d in &dirs {
        report::create_dir(d).map_err(io_err(d))?;
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
    let progress = Arc::new(StderrProgress::new(cfg.progress, "run", Shape::Bar));
    let mut text = String::new();
    let results = if cfg.trace {
        // The trace needs replication 1 simulated, so a traced run starts afresh.
        let r = experiment::observe(progress.clone(), || {
            experiment::run_replications(&configs, cfg.threads, trace)
        })?;
        progress.finish();
        r
    } else {
        let (results, loaded) = run_resumable(&scenarios, &configs, &dirs, cfg, &progress)?;
        if loaded > 0 {
            text.push_str(&format!(
                "note: {loaded} of {} replications loaded from the job records of an earlier run of this build (OUT/.jobs)\n",
                configs.iter().map(|c| c.replications as usize).sum::<usize>()
            ));
        }
        results
    };
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

/// Each scenario's job records, in its own output folder: variant `i` of the batch is scenario
/// `i`, whose records live in `dirs[i]/.jobs/<job key>/`.
struct RunStores(Vec<report::JobDir>);

impl experiment::JobStore for RunStores {
    fn load(&self, variant: usize, replication: u32) -> Option<port::ReplicationResult> {
        self.0[variant].load(0, replication)
    }
    fn save(
        &self,
        variant: usize,
        replication: u32,
        result: &port::ReplicationResult,
    ) -> Result<(), String> {
        self.0[variant].save(0, replication, result)
    }
}

/// `run` as a resumable batch: every finished replication is recorded under `DIR/.jobs/`,
/// keyed by the build identity, the scenario text and the seed, and loaded instead of simulated
/// when the same build runs the same scenario again. Returns the results and how many were
/// loaded.
fn run_resumable(
    scenarios: &[Scenario],
    configs: &[port::PortConfig],
    dirs: &[PathBuf],
    cfg: &RunConfig,
    progress: &StderrProgress,
) -> Result<(Vec<Vec<port::ReplicationResult>>, usize), AppError> {
    let mut stores = Vec::new();
    for ((s, c), d) in scenarios.iter().zip(configs).zip(dirs) {
        report::remove_partials(d).map_err(io_err(d))?;
        let key = experiment::job_key(BUILD_ID, &experiment::keyed_text(&s.source_text, c), c.seed);
        // The folder holds one scenario's run: records of an edited scenario, another seed or
        // another build would never be used again.
        let root = d.join(".jobs");
        report::remove_other_records(&root, std::slice::from_ref(&key)).map_err(io_err(&root))?;
        stores.push(report::JobDir::new(&root, vec![key]));
    }
    let opts = experiment::BatchOptions {
        threads: cfg.threads,
        shard: experiment::Shard::WHOLE,
    };
    let reduce = |_: usize, reps: Vec<port::ReplicationResult>| reps;
    let outcome = experiment::run_batch(configs, opts, &RunStores(stores), progress, &reduce)?;
    let loaded = outcome.loaded;
    let all: Option<Vec<_>> = outcome.variants.into_iter().collect();
    match all {
        Some(results) => Ok((results, loaded)),
        None => Err(AppError::Experiment(ExperimentError::Incomplete(
            "some scenarios did not finish".into(),
        ))),
    }
}
