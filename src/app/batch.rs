//! `garita compare`, `garita sweep` and `garita merge`: batch experiments that resume, shard and
//! merge.
//!
//! A command builds a [`Plan`] (every variant's scenario text), writes it as `manifest.json`,
//! runs the jobs of its shard with records under `OUT/.jobs/`, and, when it holds the whole job
//! list, writes the final files. `merge` rebuilds the same final files from shard folders with
//! the same functions, so they are byte-identical to a single-machine run.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::progress::{Shape, StderrProgress};
use super::{AppError, BUILD_ID, VERSION, io_err, load_scenarios};
use crate::experiment::sweep::{self, SweepFile, VariantSpec};
use crate::experiment::{
    self, BatchOptions, ExperimentError, JobStore, Plan, PlanKind, PlanVariant, Shard, ShardEnv,
    ShardRequest, aggregate, paired_diffs, run_batch,
};
use crate::port::{Metric, PortConfig, ReplicationResult};
use crate::report::{self, JobDir, RunInfo, SweepRows};
use crate::scenario::{self, ScenarioError};

/// Options shared by the batch commands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchConfig {
    /// Output folder.
    pub out: Option<PathBuf>,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Draw a progress line on stderr.
    pub progress: bool,
    /// Replications per variant (overrides the scenarios).
    pub replications: Option<u32>,
    /// Seed (overrides the scenarios).
    pub seed: Option<u64>,
    /// `--shard` / `--shards` as given.
    pub shard: ShardRequest,
    /// The scheduler's variables, as read by the binary.
    pub env: ShardEnv,
    /// Draw the charts (`garita plot` with default options) once the results are complete.
    pub plot: bool,
    /// Refuse experiments of more jobs than this (None: any size).
    pub max_jobs: Option<u64>,
}

/// The default of `--max-jobs`: an experiment of more jobs is refused unless asked for.
pub const DEFAULT_MAX_JOBS: u64 = 10_000;

/// Refuses an experiment of more jobs than `cfg.max_jobs`, before anything is validated or run.
fn check_size(
    what: &str,
    variants: usize,
    replications: u32,
    cfg: &BatchConfig,
) -> Result<(), AppError> {
    let jobs = variants as u64 * u64::from(replications);
    match cfg.max_jobs {
        Some(max) if jobs > max => Err(AppError::Usage(format!(
            "{what}: {variants} variants x {replications} replications = {jobs} jobs, more than --max-jobs {max}: narrow it (e.g. coarser --vary steps), or run it anyway with --max-jobs {jobs} or --yes"
        ))),
        _ => Ok(()),
    }
}

/// Options of `garita compare`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompareConfig {
    /// Baseline scenario file.
    pub baseline: PathBuf,
    /// Alternative scenario files.
    pub alternatives: Vec<PathBuf>,
    /// Batch options.
    pub batch: BatchConfig,
}

/// Options of `garita sweep`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepConfig {
    /// A scenario file, or a sweep file (with a top-level `base` key).
    pub file: PathBuf,
    /// `--vary KEY=VALUES`, verbatim.
    pub vary: Vec<String>,
    /// Batch options.
    pub batch: BatchConfig,
}

/// Options of `garita merge`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MergeConfig {
    /// Shard output folders.
    pub dirs: Vec<PathBuf>,
    /// Output folder.
    pub out: PathBuf,
}

const MANIFEST: &str = "manifest.json";
const JOBS: &str = ".jobs";

fn shard_marker(s: Shard) -> String {
    format!("shard-{}-of-{}.json", s.index, s.count)
}

fn parse_marker(name: &str) -> Option<Shard> {
    let rest = name.strip_prefix("shard-")?.strip_suffix(".json")?;
    let (k, n) = rest.split_once("-of-")?;
    Shard::new(k.parse().ok()?, n.parse().ok()?)
}

fn store_for(out: &Path, plan: &Plan) -> JobDir {
    JobDir::new(
        &out.join(JOBS),
        plan.variants.iter().map(|v| v.job_key.clone()).collect(),
    )
}

/// What a batch left behind.
enum Ran<T> {
    /// Every job is done: the reduced variants, in order.
    Complete(Vec<T>),
    /// Only a shard was run.
    Shard(String),
}

/// Writes the manifest, runs this process's shard of the plan and reduces complete variants.
fn execute<T: Send>(
    plan: &Plan,
    configs: &[PortConfig],
    out: &Path,
    cfg: &BatchConfig,
    reduce: &(dyn Fn(usize, Vec<ReplicationResult>) -> T + Sync),
) -> Result<Ran<T>, AppError> {
    let shard = experiment::resolve_shard(&cfg.shard, &cfg.env)
        .map_err(|e| AppError::Usage(e.to_string()))?
        .unwrap_or(Shard::WHOLE);
    report::create_dir(out).map_err(io_err(out))?;
    if shard.is_whole() {
        // Temporary files of an interrupted earlier run (shards sharing the folder may be
        // writing theirs now, so a shard leaves them).
        report::remove_partials(out).map_err(io_err(out))?;
    }
    let manifest = plan.to_json();
    let path = out.join(MANIFEST);
    let same = |p: &Path| std::fs::read(p).ok().as_deref() == Some(&manifest[..]);
    if !same(&path) {
        // Another experiment's final files must not sit next to this one's manifest.
        report::remove_files(out, &["sweep.csv", "comparison.csv"]).map_err(io_err(out))?;
        // Shards sharing a folder may race to write the same manifest: either copy will do.
        if let Err(e) = report::write_atomic(&path, &manifest)
            && !same(&path)
        {
            return Err(io_err(&path)(e));
        }
    }
    if !shard.is_whole() {
        let marker = out.join(shard_marker(shard));
        let body = format!(
            "{{\n  \"shard\": \"{shard}\",\n  \"jobs\": {}\n}}\n",
            experiment::job_list(&vec![plan.replications; plan.variants.len()])
                .iter()
                .enumerate()
                .filter(|(j, _)| shard.owns(*j))
                .count()
        );
        report::write_atomic(&marker, body.as_bytes()).map_err(io_err(&marker))?;
    }
    let store = store_for(out, plan);
    let kind = match plan.kind {
        PlanKind::Compare => "compare",
        PlanKind::Sweep => "sweep",
    };
    let label = if shard.is_whole() {
        kind.to_string()
    } else {
        format!("{kind} shard {shard}")
    };
    let progress = StderrProgress::new(cfg.progress, &label, Shape::Bar);
    let opts = BatchOptions {
        threads: cfg.threads,
        shard,
    };
    let outcome = run_batch(configs, opts, &store, &progress, reduce)?;
    if !shard.is_whole() {
        return Ok(Ran::Shard(format!(
            "shard {shard}: {} jobs done ({} resumed from earlier runs), recorded in {}\ncombine all {} shards with: garita merge DIR... -o OUT\n",
            outcome.jobs,
            outcome.loaded,
            out.display(),
            shard.count
        )));
    }
    let all: Option<Vec<T>> = outcome.variants.into_iter().collect();
    match all {
        Some(v) => Ok(Ran::Complete(v)),
        None => Err(AppError::Experiment(ExperimentError::Incomplete(
            "some variants did not finish".into(),
        ))),
    }
}

fn default_out(prefix: &str, name: &str) -> PathBuf {
    Path::new("output").join(format!("{prefix}-{name}"))
}

/// `garita compare`: the baseline and every alternative with common random numbers.
pub fn compare(cfg: &CompareConfig) -> Result<String, AppError> {
    let mut files = vec![cfg.baseline.clone()];
    files.extend(cfg.alternatives.iter().cloned());
    let scenarios = load_scenarios(&files)?;
    for (i, a) in scenarios.iter().enumerate() {
        if let Some(b) = scenarios[..i]
            .iter()
            .find(|b| b.config.name == a.config.name)
        {
            return Err(AppError::Usage(format!(
                "{} and {} both have name {:?}: give each scenario its own name (it names its results folder)",
                b.source_name, a.source_name, a.config.name
            )));
        }
    }
    let base = &scenarios[0];
    let seed = cfg.batch.seed.unwrap_or(base.config.seed);
    let replications = cfg.batch.replications.unwrap_or(base.config.replications);
    if replications < 2 {
        return Err(AppError::Usage(format!(
            "a comparison needs at least 2 replications for its intervals, got {replications}"
        )));
    }
    check_size("compare", scenarios.len(), replications, &cfg.batch)?;
    let mut notes = String::new();
    let mut variants = Vec::new();
    let mut configs = Vec::new();
    for s in &scenarios {
        if s.config.seed != seed {
            let _ = writeln!(
                notes,
                "note: {} has seed {}; it runs with seed {seed} for common random numbers",
                s.source_name, s.config.seed
            );
        }
        let (v, mut c) = PlanVariant::new(
            BUILD_ID,
            s.source_name.clone(),
            Vec::new(),
            s.source_name.clone(),
            s.source_text.clone(),
            &s.config.name,
            Some(seed),
        )?;
        c.replications = replications;
        variants.push(v);
        configs.push(c);
    }
    let plan = Plan {
        garita_version: VERSION.to_string(),
        kind: PlanKind::Compare,
        replications,
        columns: Vec::new(),
        rebalanced_shares: false,
        variants,
        base_text: String::new(),
    };
    let out = cfg
        .batch
        .out
        .clone()
        .unwrap_or_else(|| default_out("compare", &base.config.name));
    let reduce = |_: usize, reps: Vec<ReplicationResult>| reps;
    match execute(&plan, &configs, &out, &cfg.batch, &reduce)? {
        Ran::Shard(text) => Ok(notes + &text),
        Ran::Complete(reps) => {
            let mut text = notes + &finish_compare(&plan, &configs, &reps, &out)?;
            if cfg.batch.plot {
                text.push_str(&super::plot(&super::PlotConfig::for_dir(&out))?);
            }
            Ok(text)
        }
    }
}

/// Writes each scenario's run outputs in `out/<name>/` and `out/comparison.csv`.
fn finish_compare(
    plan: &Plan,
    configs: &[PortConfig],
    reps: &[Vec<ReplicationResult>],
    out: &Path,
) -> Result<String, AppError> {
    let mut overloads = Vec::new();
    for ((v, c), r) in plan.variants.iter().zip(configs).zip(reps) {
        let info = RunInfo {
            source_name: v.source_name.clone(),
            source_hash: v.source_hash.clone(),
            version: plan.garita_version.clone(),
        };
        let dir = out.join(&c.name);
        let agg = aggregate(r);
        overloads.push(experiment::Overload::of(&agg));
        report::write_run_outputs(&dir, c, &info, r, &agg).map_err(io_err(&dir))?;
    }
    let alternatives: Vec<(String, Vec<experiment::MetricDiff>)> = configs
        .iter()
        .zip(reps)
        .skip(1)
        .map(|(c, r)| (c.name.clone(), paired_diffs(&configs[0], &reps[0], c, r)))
        .collect();
    let path = out.join("comparison.csv");
    report::write_atomic(
        &path,
        &report::comparison_csv(&configs[0].name, &alternatives, &overloads),
    )
    .map_err(io_err(&path))?;
    let refs: Vec<&PortConfig> = configs.iter().collect();
    let mut text =
        report::comparison_table(&refs, plan.replications as usize, &alternatives, &overloads);
    let _ = writeln!(text, "results: {}", out.display());
    Ok(text)
}

/// A sweep's variants, before validation.
struct SweepDef {
    base: PathBuf,
    replications: Option<u32>,
    columns: Vec<String>,
    specs: Vec<VariantSpec>,
}

fn usage<E: std::fmt::Display>(e: E) -> AppError {
    AppError::Usage(e.to_string())
}

fn sweep_def(cfg: &SweepConfig) -> Result<SweepDef, AppError> {
    let name = cfg.file.display().to_string();
    let text = std::fs::read_to_string(&cfg.file).map_err(|source| {
        AppError::Scenario(ScenarioError::Io {
            file: name.clone(),
            source,
        })
    })?;
    let cli_axes = cfg
        .vary
        .iter()
        .map(|v| sweep::parse_vary(v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let is_sweep = text
        .parse::<toml::Table>()
        .is_ok_and(|t| sweep::is_sweep_file(&t));
    if !is_sweep {
        if cli_axes.is_empty() {
            return Err(AppError::Usage(format!(
                "{name}: nothing to vary: give --vary KEY=VALUES (e.g. --vary lanes.main.booths=5,6,7) or a sweep file"
            )));
        }
        return Ok(SweepDef {
            base: cfg.file.clone(),
            replications: None,
            columns: cli_axes.iter().map(|a| a.key.clone()).collect(),
            specs: sweep::grid(&cli_axes).map_err(usage)?,
        });
    }
    let SweepFile {
        base,
        replications,
        mut axes,
        variants,
    } = sweep::parse_sweep_file(&text, &name).map_err(usage)?;
    let base = cfg.file.parent().unwrap_or(Path::new("")).join(base);
    if !variants.is_empty() {
        if !cli_axes.is_empty() {
            return Err(AppError::Usage(format!(
                "{name} lists its variants with [[variant]]: --vary cannot be added to it"
            )));
        }
        let columns = variants[0].sets.iter().map(|(k, _)| k.clone()).collect();
        return Ok(SweepDef {
            base,
            replications,
            columns,
            specs: variants,
        });
    }
    axes.extend(cli_axes);
    Ok(SweepDef {
        base,
        replications,
        columns: axes.iter().map(|a| a.key.clone()).collect(),
        specs: sweep::grid(&axes).map_err(usage)?,
    })
}

/// At most this many variant problems are listed.
const MAX_LISTED: usize = 20;

/// `garita sweep`: every variant, aggregated into one tidy `sweep.csv`.
pub fn sweep(cfg: &SweepConfig) -> Result<String, AppError> {
    let def = sweep_def(cfg)?;
    if def.columns.iter().any(|c| c == "replications") {
        return Err(AppError::Usage(
            "replications cannot be varied (every variant runs the same replications): use --replications N".into(),
        ));
    }
    if cfg.batch.seed.is_some() && def.columns.iter().any(|c| c == "seed") {
        return Err(AppError::Usage(
            "the sweep varies seed: --seed would override it (drop one of them)".into(),
        ));
    }
    let base = scenario::load_file(&def.base)?;
    let doc: toml::Table = base
        .source_text
        .parse()
        .map_err(|e| AppError::Usage(format!("{}: {e}", base.source_name)))?;
    let replications = cfg
        .batch
        .replications
        .or(def.replications)
        .unwrap_or(base.config.replications);
    check_size("sweep", def.specs.len(), replications, &cfg.batch)?;
    let mut problems = Vec::new();
    let mut variants = Vec::new();
    let mut configs = Vec::new();
    for (i, spec) in def.specs.iter().enumerate() {
        let label = spec.label();
        let text = match sweep::apply(&doc, spec) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("variant {} [{label}]: {e}", i + 1));
                continue;
            }
        };
        let values = spec.sets.iter().map(|(_, v)| v.text.clone()).collect();
        let source_name = format!("{} [{label}]", base.source_name);
        match PlanVariant::new(
            BUILD_ID,
            label.clone(),
            values,
            source_name,
            text,
            &base.config.name,
            cfg.batch.seed,
        ) {
            Ok((v, mut c)) => {
                c.replications = replications;
                variants.push(v);
                configs.push(c);
            }
            Err(ScenarioError::Invalid(diags)) => {
                for d in diags {
                    problems.push(format!(
                        "variant {} [{label}]: {}: {}",
                        i + 1,
                        d.key,
                        d.message
                    ));
                }
            }
            Err(e) => problems.push(format!("variant {} [{label}]: {e}", i + 1)),
        }
    }
    if !problems.is_empty() {
        let n = problems.len();
        let mut msg = problems
            .into_iter()
            .take(MAX_LISTED)
            .collect::<Vec<_>>()
            .join("\n");
        if n > MAX_LISTED {
            let _ = write!(msg, "\n... and {} more problems", n - MAX_LISTED);
        }
        return Err(AppError::Usage(msg));
    }
    let rebalanced = def.specs.iter().any(sweep::sets_class_share);
    let mut plan = Plan {
        garita_version: VERSION.to_string(),
        kind: PlanKind::Sweep,
        replications,
        columns: def.columns,
        rebalanced_shares: rebalanced,
        variants,
        base_text: String::new(),
    };
    // The manifest holds the base text once and each variant's edits.
    let sets = def
        .specs
        .iter()
        .map(|spec| {
            spec.sets
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect()
        })
        .collect();
    plan.compact(&base.source_text, sets);
    let out = cfg
        .batch
        .out
        .clone()
        .unwrap_or_else(|| default_out("sweep", &base.config.name));
    let mut text = String::new();
    if rebalanced {
        text.push_str("note: class shares are set by the sweep; the other classes' shares are rescaled proportionally so that all shares sum to 1\n");
    }
    let reduce = |v: usize, reps: Vec<ReplicationResult>| sweep_reduce(&configs[v], &reps);
    match execute(&plan, &configs, &out, &cfg.batch, &reduce)? {
        Ran::Shard(t) => text.push_str(&t),
        Ran::Complete(rows) => {
            text.push_str(&finish_sweep(&plan, rows, &out)?);
            if cfg.batch.plot {
                text.push_str(&super::plot(&super::PlotConfig::for_dir(&out))?);
            }
        }
    }
    Ok(text)
}

fn sweep_reduce(cfg: &PortConfig, reps: &[ReplicationResult]) -> SweepRows {
    report::sweep_rows(cfg, &aggregate(reps))
}

/// Most variants shown in the printed sweep table.
const MAX_SHOWN: usize = 40;

/// Writes `out/sweep.csv` and returns a short table (mean and p95 wait of all vehicles).
fn finish_sweep(plan: &Plan, rows: Vec<SweepRows>, out: &Path) -> Result<String, AppError> {
    let points: Vec<(Vec<String>, SweepRows)> = plan
        .variants
        .iter()
        .map(|v| v.values.clone())
        .zip(rows)
        .collect();
    let path = out.join("sweep.csv");
    report::write_atomic(&path, &report::sweep_csv(&plan.columns, &points))
        .map_err(io_err(&path))?;
    let mut text = format!(
        "sweep: {} variants x {} replications\n",
        plan.variants.len(),
        plan.replications
    );
    let pick = |rows: &SweepRows, m: Metric| {
        rows.iter()
            .find(|(g, mm, _)| g == "all" && *mm == m)
            .map_or("-".to_string(), |(_, _, v)| {
                if v.ci95.is_finite() {
                    format!("{:.1} ± {:.1}", v.mean / 60.0, v.ci95 / 60.0)
                } else {
                    format!("{:.1}", v.mean / 60.0)
                }
            })
    };
    let mut table: Vec<Vec<String>> = vec![
        plan.columns
            .iter()
            .cloned()
            .chain([
                "mean wait (min)".into(),
                "p95 wait (min)".into(),
                "queue growth".into(),
            ])
            .collect(),
    ];
    let mut warnings = Vec::new();
    for (i, (values, rows)) in points.iter().enumerate() {
        let (o, lane) = report::sweep_overload(rows);
        if o.flagged() {
            let lane = lane.map_or("a lane".to_string(), |l| l.replace(':', " "));
            let what = format!("variant {} [{}]", i + 1, plan.variants[i].label);
            warnings.push(o.warning(&what, &lane));
        }
        if i >= MAX_SHOWN {
            continue;
        }
        let mut r = values.clone();
        r.push(pick(rows, Metric::WaitMean));
        r.push(pick(rows, Metric::WaitP95));
        r.push(format!(
            "{:.0}%{}",
            100.0 * o.share,
            if o.flagged() { " !" } else { "" }
        ));
        table.push(r);
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in &table {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:>w$}"))
            .collect();
        let _ = writeln!(text, "{}", cells.join("  "));
    }
    if points.len() > MAX_SHOWN {
        let _ = writeln!(
            text,
            "... {} more variants in sweep.csv",
            points.len() - MAX_SHOWN
        );
    }
    let _ = writeln!(
        text,
        "queue growth: the most a lane's queue grows over the last week measured (or all of it if shorter), as a share of its daily arrivals; ! marks an overloaded variant (over {:.0}%)",
        100.0 * experiment::OVERLOAD_SHARE
    );
    for w in warnings.iter().take(MAX_LISTED) {
        let _ = writeln!(text, "{w}");
    }
    if warnings.len() > MAX_LISTED {
        let _ = writeln!(
            text,
            "... and {} more overloaded variants (column `overloaded` of sweep.csv)",
            warnings.len() - MAX_LISTED
        );
    }
    let _ = writeln!(text, "results: {}", out.display());
    Ok(text)
}

/// `garita merge`: combines shard folders into the final files of the whole experiment.
pub fn merge(cfg: &MergeConfig) -> Result<String, AppError> {
    if cfg.dirs.is_empty() {
        return Err(AppError::Usage("merge: give the shard folders".into()));
    }
    let mut manifest: Option<(Vec<u8>, &Path)> = None;
    // (shard, folder) for every shard marker found.
    let mut found: Vec<(Shard, PathBuf)> = Vec::new();
    for dir in &cfg.dirs {
        let path = dir.join(MANIFEST);
        let bytes = std::fs::read(&path).map_err(|e| {
            AppError::Usage(format!(
                "{}: cannot read {MANIFEST} ({e}): not an output folder of garita sweep or compare",
                dir.display()
            ))
        })?;
        match &manifest {
            None => manifest = Some((bytes, dir)),
            Some((m, first)) if *m != bytes => {
                return Err(AppError::Usage(format!(
                    "{} and {} hold different experiments ({MANIFEST} differs): merge only shards of one command",
                    first.display(),
                    dir.display()
                )));
            }
            Some(_) => {}
        }
        let mut markers = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(io_err(dir))?;
        for e in entries {
            let e = e.map_err(io_err(dir))?;
            if let Some(s) = parse_marker(&e.file_name().to_string_lossy()) {
                markers.push(s);
            }
        }
        if markers.is_empty() {
            markers.push(Shard::WHOLE);
        }
        markers.sort();
        found.extend(markers.into_iter().map(|s| (s, dir.clone())));
    }
    let (bytes, _) = manifest.expect("at least one folder was read");
    let plan = Plan::from_json(&bytes).map_err(|e| {
        AppError::Usage(format!(
            "{}: invalid {MANIFEST}: {e}",
            cfg.dirs[0].display()
        ))
    })?;
    if plan.garita_version != VERSION {
        return Err(AppError::Usage(format!(
            "the shards were run by garita {}, this is garita {VERSION}: merge with the same version",
            plan.garita_version
        )));
    }
    let count = found[0].0.count;
    if let Some((s, d)) = found.iter().find(|(s, _)| s.count != count) {
        return Err(AppError::Usage(format!(
            "shards of different splits: {} in {} but {} in {}",
            found[0].0,
            found[0].1.display(),
            s,
            d.display()
        )));
    }
    let mut problems = Vec::new();
    let mut owner: Vec<Option<&Path>> = vec![None; count as usize];
    for k in 0..count {
        let dirs: Vec<&PathBuf> = found
            .iter()
            .filter(|(s, _)| s.index == k)
            .map(|(_, d)| d)
            .collect();
        match dirs.len() {
            0 => problems.push(format!(
                "shard {k}/{count} is missing (no folder holds {})",
                shard_marker(Shard { index: k, count })
            )),
            1 => owner[k as usize] = Some(dirs[0]),
            _ => problems.push(format!(
                "shard {k}/{count} is duplicated: in {}",
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Usage(problems.join("\n")));
    }
    let configs = plan.configs()?;
    let stores: Vec<JobDir> = owner
        .iter()
        .map(|d| store_for(d.expect("every shard has a folder"), &plan))
        .collect();
    let mut missing = Vec::new();
    let mut loaded: Vec<Option<Vec<ReplicationResult>>> = Vec::new();
    let mut job = 0usize;
    let mut take = |v: usize, missing: &mut Vec<String>| -> Option<Vec<ReplicationResult>> {
        let mut reps = Vec::with_capacity(plan.replications as usize);
        for r in 0..plan.replications {
            let s = Shard::of_job(job, count);
            job += 1;
            match stores[s.index as usize].load(v, r) {
                Some(res) => reps.push(res),
                None => missing.push(format!(
                    "variant {} [{}] replication {} (shard {s}, {})",
                    v + 1,
                    plan.variants[v].label,
                    r + 1,
                    owner[s.index as usize].map_or(String::new(), |d| d.display().to_string())
                )),
            }
        }
        (reps.len() == plan.replications as usize).then_some(reps)
    };
    let text = match plan.kind {
        PlanKind::Compare => {
            for v in 0..plan.variants.len() {
                loaded.push(take(v, &mut missing));
            }
            check_missing(&missing)?;
            let reps: Vec<Vec<ReplicationResult>> = loaded.into_iter().flatten().collect();
            write_manifest(&cfg.out, &bytes)?;
            finish_compare(&plan, &configs, &reps, &cfg.out)?
        }
        PlanKind::Sweep => {
            let mut rows = Vec::new();
            for (v, c) in configs.iter().enumerate() {
                if let Some(reps) = take(v, &mut missing) {
                    rows.push(sweep_reduce(c, &reps));
                }
            }
            check_missing(&missing)?;
            write_manifest(&cfg.out, &bytes)?;
            finish_sweep(&plan, rows, &cfg.out)?
        }
    };
    Ok(format!(
        "merged {count} shards from {} folders\n{text}",
        cfg.dirs.len()
    ))
}

fn check_missing(missing: &[String]) -> Result<(), AppError> {
    if missing.is_empty() {
        return Ok(());
    }
    let mut msg = format!(
        "{} jobs have no result (re-run their shards to finish them):\n  {}",
        missing.len(),
        missing
            .iter()
            .take(MAX_LISTED)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    if missing.len() > MAX_LISTED {
        let _ = write!(msg, "\n  ... and {} more", missing.len() - MAX_LISTED);
    }
    Err(AppError::Experiment(ExperimentError::Incomplete(msg)))
}

fn write_manifest(out: &Path, bytes: &[u8]) -> Result<(), AppError> {
    report::create_dir(out).map_err(io_err(out))?;
    let path = out.join(MANIFEST);
    report::write_atomic(&path, bytes).map_err(io_err(&path))
}
