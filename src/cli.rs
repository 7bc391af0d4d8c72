//! The command line: the only place that knows clap. Turns arguments into plain config structs.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use garita::app::{PilotArgs, RunConfig, StaffArgs};

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
        /// Number of replications (overrides the scenario).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        replications: Option<u32>,
        /// Base seed (overrides the scenario).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Also write trace.csv: one row per vehicle of replication 1.
        #[arg(long)]
        trace: bool,
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
        /// Number of replications (overrides the scenario).
        #[arg(long, value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
        replications: Option<u32>,
        /// Base seed (overrides the scenario).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
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
    },
    /// Validate scenario files without running them; lists every problem.
    Check {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// What the user asked for.
pub enum Action {
    /// `garita run`.
    Run(RunConfig),
    /// `garita check`.
    Check(Vec<PathBuf>),
    /// `garita staff`.
    Staff(StaffArgs),
    /// `garita pilot`.
    Pilot(PilotArgs),
}

/// Parses the process arguments (clap prints help/usage errors itself and exits).
pub fn parse() -> Action {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            files,
            out,
            replications,
            seed,
            threads,
            trace,
        } => Action::Run(RunConfig {
            files,
            out,
            replications,
            seed,
            threads,
            trace,
        }),
        Command::Check { files } => Action::Check(files),
        Command::Staff {
            file,
            target,
            lanes,
            out,
            replications,
            seed,
            threads,
        } => Action::Staff(StaffArgs {
            file,
            target,
            lanes,
            out,
            replications,
            seed,
            threads,
        }),
        Command::Pilot { file, out, threads } => Action::Pilot(PilotArgs { file, out, threads }),
    }
}
