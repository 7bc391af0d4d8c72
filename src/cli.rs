//! The command line: the only place that knows clap. Turns arguments into plain config structs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use garita::analysis::observed::Estimator;
use garita::app::{BatchConfig, CompareConfig, MergeConfig, SweepConfig};
use garita::app::{CalibrateArgs, PilotArgs, StaffArgs, ValidateArgs};
use garita::app::{Limits, ServeConfig};
use garita::app::{PlotConfig, ReportConfig, RunConfig};
use garita::experiment::{ShardEnv, ShardRequest};
use garita::report::charts::{ChartOptions, Format};
use garita::report::i18n::Lang;

/// A discrete-event simulator of wait times at land ports of entry.
#[derive(Parser, Debug)]
#[command(name = "garita", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every replication of the given scenarios and write the results.
    Run {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output folder (default output/<name>; with several files, one sub-folder each).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        #[command(flatten)]
        sim: SimArgs,
        /// Also write trace.csv: one row per vehicle of replication 1.
        #[arg(long)]
        trace: bool,
        /// Also draw the charts (as `garita plot` with default options) into <out>/charts.
        #[arg(long)]
        plot: bool,
    },
    /// Validate scenario files without running them; lists every problem.
    Check {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compare alternatives with a baseline under common random numbers (paired differences).
    Compare {
        /// The baseline scenario file.
        baseline: PathBuf,
        /// Alternative scenario files.
        #[arg(required = true)]
        alternatives: Vec<PathBuf>,
        #[command(flatten)]
        batch: BatchArgs,
    },
    /// Run variants of a scenario (a grid of --vary values, or a sweep file) into one sweep.csv.
    Sweep {
        /// A scenario file, or a sweep file (TOML with a top-level `base` key).
        file: PathBuf,
        /// KEY=VALUES, e.g. lanes.main.booths=5,6,7 or demand.scale=0.8..1.2:0.1 (repeat for a grid).
        #[arg(long, value_name = "KEY=VALUES")]
        vary: Vec<String>,
        #[command(flatten)]
        batch: BatchArgs,
    },
    /// Combine the output folders of shards into the results of the whole job list.
    Merge {
        /// Shard output folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(short = 'o', long = "out", required = true)]
        out: PathBuf,
    },
    /// Find the fewest open booths by lane and hour that meet a wait target in every hour.
    Staff {
        /// Scenario file (TOML).
        file: PathBuf,
        /// Target: mean<=DURATION, p95<=DURATION or share_le_20m>=SHARE (e.g. "p95<=20m").
        #[arg(long)]
        target: String,
        /// Lanes to staff, by id or kind, comma-separated (default: every lane).
        #[arg(long, value_delimiter = ',')]
        lanes: Vec<String>,
        /// Output folder (default output/<name>-staff).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Rank candidate pilot sites x interventions on neutral criteria.
    Pilot {
        /// Pilot file (TOML).
        file: PathBuf,
        /// Output folder (default output/<pilot name>).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// Worker threads (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// No progress line on stderr.
        #[arg(long, short = 'q')]
        quiet: bool,
        /// Also draw the charts (as `garita plot` with default options) into <out>/charts.
        #[arg(long)]
        plot: bool,
    },
    /// Replay the observed staffing of a period into a scenario and compare its posted wait with
    /// the observed waits (CBP's hourly archive shape).
    Validate {
        /// Scenario file (TOML).
        file: PathBuf,
        /// Observed waits: port_number,mode,lane,date,hour,tz,delay_min,lanes_open (plain or gzip).
        #[arg(long)]
        observed: PathBuf,
        /// CBP crossing number (e.g. 240201).
        #[arg(long)]
        port: String,
        /// POV, COV or PED.
        #[arg(long, default_value = "POV")]
        mode: String,
        /// First date of the held-out period (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// Last date of the held-out period (YYYY-MM-DD).
        #[arg(long)]
        to: String,
        /// First date of the naive forecast's baseline (default: all data before --from).
        #[arg(long)]
        baseline_from: Option<String>,
        /// Last date of the naive forecast's baseline.
        #[arg(long)]
        baseline_to: Option<String>,
        /// Output folder (default output/<name>-validation).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// Round each simulated hourly posted wait to a multiple of this many minutes.
        #[arg(long, default_value_t = 0.0, value_name = "MIN")]
        posted_round: f64,
        /// No simulated posted wait below this many minutes while the lane is open.
        #[arg(long, default_value_t = 0.0, value_name = "MIN")]
        posted_floor: f64,
        /// Compare each reading with the simulated posted wait this many hours earlier.
        #[arg(long, default_value_t = 0, value_name = "HOURS")]
        posted_lag: usize,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Draw charts from the result files of a run, comparison, sweep or pilot (no simulation).
    Plot {
        /// Output folder of `garita run`, `compare`, `sweep` or `pilot`.
        dir: PathBuf,
        /// Language of titles, labels and numbers.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        /// Image format.
        #[arg(long, value_enum, default_value_t = FormatArg::Png)]
        format: FormatArg,
        /// Folder for the charts (default <DIR>/charts).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Write one self-contained report.html (charts, key figures, reproducibility).
    Report {
        /// Output folder of `garita run`, `compare`, `sweep` or `pilot`.
        dir: PathBuf,
        /// Language of the report.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        /// Where the report goes: a file ending in .html, or a folder for report.html (default <DIR>).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Fit what a skeleton scenario leaves out (latent demand, inspection times, tolerance) to
    /// CBP's posted waits, with the observed lanes open replayed.
    Calibrate {
        /// The skeleton scenario (lanes and classes; what it sets stays fixed).
        skeleton: PathBuf,
        /// CBP hourly wait-time archive (port_number,mode,lane,date,hour,tz,delay_min,lanes_open),
        /// plain or gzip.
        #[arg(long)]
        observed: PathBuf,
        /// CBP crossing number (e.g. 240201).
        #[arg(long)]
        port: u32,
        /// POV, COV or PED.
        #[arg(long, default_value = "POV")]
        mode: String,
        /// First date of the period (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// Last date of the period (YYYY-MM-DD, inclusive).
        #[arg(long)]
        to: String,
        /// Trips made per day the fit must reproduce.
        #[arg(long, value_parser = parse_positive)]
        volume_per_day: f64,
        /// Fit this key although the skeleton sets it (demand.per_hour, lanes.<id>.service,
        /// lanes.service, response.tolerance, classes.share), or fit
        /// demand.staffing_elasticity (0.01 to 1); repeatable.
        #[arg(long, value_name = "KEY")]
        fit: Vec<String>,
        /// Most simulations of the search.
        #[arg(long, default_value_t = 200)]
        budget: usize,
        /// Seed of every simulation (common random numbers).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Replications of the final run of the calibrated scenario (fit.csv's CI).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(2..=1000))]
        replications: u32,
        /// Output folder (default output/<skeleton>-calibrated).
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// How calibrated.toml gives the booths: `series` (the observed lanes open replayed
        /// day by day, one CSV per lane) or `tables` (their median by day type and hour, so
        /// the scenario runs from any start date).
        #[arg(long, value_name = "FORM", default_value = "series",
              value_parser = ["series", "tables"])]
        booths: String,
        /// Worker threads (default: one per core; results never depend on it).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// No progress line on stderr.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Serve a what-if page (English and Spanish) and a JSON API for the given scenarios.
    Serve {
        /// Scenario files (TOML; default: every .toml file in scenarios/).
        files: Vec<PathBuf>,
        /// Port to listen on (0: any free port, printed on stderr).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to listen on; anything but loopback serves other computers too.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Language the page opens in.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        /// Most vehicles one request may simulate (horizon x replications x demand).
        #[arg(long, default_value_t = 5e7, value_parser = parse_positive)]
        max_vehicles: f64,
        /// Most simulations at once; further requests wait their turn.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1024))]
        max_runs: u32,
        /// Largest request body in bytes.
        #[arg(long, default_value_t = 1 << 20)]
        max_body: usize,
        /// Worker threads of the simulation pool (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
}

fn parse_positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("expected a positive number such as 5e7, got {s:?}")),
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum LangArg {
    /// English.
    En,
    /// Spanish.
    Es,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum FormatArg {
    /// PNG, 1600x900.
    Png,
    /// SVG.
    Svg,
}

#[derive(clap::Args, Debug)]
struct TargetArgs {
    /// Wait drawn as a target line on the charts (e.g. 20m, 15min, 900s). Not a rule like
    /// staff's --target: only where the line goes.
    #[arg(long, value_name = "DURATION", default_value = "20m", value_parser = parse_target)]
    target_line: f64,
    /// Draw no target line.
    #[arg(long)]
    no_target_line: bool,
}

fn parse_target(s: &str) -> Result<f64, String> {
    match garita::scenario::parse_duration_s(s) {
        Some(v) if v > 0.0 => Ok(v),
        _ => Err(format!(
            "expected a positive duration such as 20m, 15min or 900s, got {s:?}"
        )),
    }
}

fn chart_options(lang: LangArg, t: &TargetArgs) -> ChartOptions {
    ChartOptions {
        lang: match lang {
            LangArg::En => Lang::En,
            LangArg::Es => Lang::Es,
        },
        target_s: (!t.no_target_line).then_some(t.target_line),
    }
}

/// Overrides shared by the commands that simulate scenarios as they are.
#[derive(Args, Debug)]
struct SimArgs {
    /// Number of replications per scenario (overrides the scenarios).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    replications: Option<u32>,
    /// Base seed (overrides the scenarios).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: one per core; results never depend on it).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// No progress display on stderr (it is drawn only on a terminal anyway).
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Whether to draw progress: on a terminal, unless `--quiet`.
fn progress(quiet: bool) -> bool {
    use std::io::IsTerminal;
    !quiet && std::io::stderr().is_terminal()
}

/// Options shared by the batch commands.
#[derive(Args, Debug)]
struct BatchArgs {
    /// Output folder (finished jobs are kept in OUT/.jobs; re-running resumes).
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    #[command(flatten)]
    sim: SimArgs,
    /// Refuse experiments of more than N jobs (variants x replications) before running any.
    #[arg(long, value_name = "N", default_value_t = garita::app::DEFAULT_MAX_JOBS)]
    max_jobs: u64,
    /// Run an experiment of any size (no --max-jobs limit).
    #[arg(long)]
    yes: bool,
    /// Run only shard K of N of the job list (K from 0 to N-1).
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Number of shards, with the shard index taken from JOB_COMPLETION_INDEX or
    /// AWS_BATCH_JOB_ARRAY_INDEX.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    shards: Option<u32>,
    /// Also draw the charts (as `garita plot` with default options) into <out>/charts once the
    /// results are complete (not for a single shard).
    #[arg(long)]
    plot: bool,
}

impl BatchArgs {
    fn into_config(self) -> BatchConfig {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        BatchConfig {
            out: self.out,
            threads: self.sim.threads,
            progress: progress(self.sim.quiet),
            max_jobs: (!self.yes).then_some(self.max_jobs),
            replications: self.sim.replications,
            seed: self.sim.seed,
            shard: ShardRequest {
                shard: self.shard,
                shards: self.shards,
            },
            env: ShardEnv {
                slurm_array_task_id: var("SLURM_ARRAY_TASK_ID"),
                slurm_array_task_count: var("SLURM_ARRAY_TASK_COUNT"),
                slurm_array_task_min: var("SLURM_ARRAY_TASK_MIN"),
                job_completion_index: var("JOB_COMPLETION_INDEX"),
                aws_batch_job_array_index: var("AWS_BATCH_JOB_ARRAY_INDEX"),
            },
            plot: self.plot,
        }
    }
}

/// What the user asked for.
pub enum Action {
    /// `garita run`.
    Run(RunConfig),
    /// `garita check`.
    Check(Vec<PathBuf>),
    /// `garita plot`.
    Plot(PlotConfig),
    /// `garita report`.
    Report(ReportConfig),
    /// `garita compare`.
    Compare(CompareConfig),
    /// `garita sweep`.
    Sweep(SweepConfig),
    /// `garita merge`.
    Merge(MergeConfig),
    /// `garita staff`.
    Staff(StaffArgs),
    /// `garita pilot`.
    Pilot(PilotArgs),
    /// `garita serve`.
    Serve(ServeConfig),
    /// `garita validate`.
    Validate(ValidateArgs),
    /// `garita calibrate`.
    Calibrate(CalibrateArgs),
}

/// Parses the process arguments (clap prints help/usage errors itself and exits).
pub fn parse() -> Action {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            files,
            out,
            sim,
            trace,
            plot,
        } => Action::Run(RunConfig {
            files,
            out,
            replications: sim.replications,
            seed: sim.seed,
            threads: sim.threads,
            trace,
            plot,
            progress: progress(sim.quiet),
        }),
        Command::Plot {
            dir,
            lang,
            format,
            out,
            target,
        } => Action::Plot(PlotConfig {
            dir,
            out,
            format: match format {
                FormatArg::Png => Format::Png,
                FormatArg::Svg => Format::Svg,
            },
            chart: chart_options(lang, &target),
        }),
        Command::Report {
            dir,
            lang,
            out,
            target,
        } => Action::Report(ReportConfig {
            dir,
            out,
            chart: chart_options(lang, &target),
        }),
        Command::Check { files } => Action::Check(files),
        Command::Compare {
            baseline,
            alternatives,
            batch,
        } => Action::Compare(CompareConfig {
            baseline,
            alternatives,
            batch: batch.into_config(),
        }),
        Command::Sweep { file, vary, batch } => Action::Sweep(SweepConfig {
            file,
            vary,
            batch: batch.into_config(),
        }),
        Command::Merge { dirs, out } => Action::Merge(MergeConfig { dirs, out }),
        Command::Validate {
            file,
            observed,
            port,
            mode,
            from,
            to,
            baseline_from,
            baseline_to,
            out,
            posted_round,
            posted_floor,
            posted_lag,
            sim,
        } => Action::Validate(ValidateArgs {
            file,
            observed,
            port,
            mode,
            from,
            to,
            baseline_from,
            baseline_to,
            out,
            replications: sim.replications,
            seed: sim.seed,
            threads: sim.threads,
            estimator: Estimator {
                round_min: posted_round,
                floor_min: posted_floor,
                lag_hours: posted_lag,
            },
            progress: progress(sim.quiet),
        }),
        Command::Staff {
            file,
            target,
            lanes,
            out,
            sim,
        } => Action::Staff(StaffArgs {
            file,
            target,
            lanes,
            out,
            replications: sim.replications,
            seed: sim.seed,
            threads: sim.threads,
            progress: progress(sim.quiet),
            log_progress: !sim.quiet,
        }),
        Command::Pilot {
            file,
            out,
            threads,
            quiet,
            plot,
        } => Action::Pilot(PilotArgs {
            file,
            out,
            threads,
            plot,
            progress: progress(quiet),
            log_progress: !quiet,
        }),
        Command::Calibrate {
            skeleton,
            observed,
            port,
            mode,
            from,
            to,
            volume_per_day,
            fit,
            budget,
            seed,
            replications,
            out,
            booths,
            threads,
            quiet,
        } => Action::Calibrate(CalibrateArgs {
            skeleton,
            observed,
            port,
            mode,
            from,
            to,
            volume_per_day,
            fit,
            budget,
            seed,
            replications,
            out,
            booth_tables: booths == "tables",
            threads,
            progress: progress(quiet),
        }),
        Command::Serve {
            files,
            port,
            host,
            lang,
            max_vehicles,
            max_runs,
            max_body,
            threads,
        } => Action::Serve(ServeConfig {
            files,
            host,
            port,
            lang: match lang {
                LangArg::En => Lang::En,
                LangArg::Es => Lang::Es,
            },
            limits: Limits {
                max_vehicles,
                max_runs: max_runs as usize,
                max_body_bytes: max_body,
            },
            threads,
        }),
    }
}
