//! Reads a run's output folder back (run.json and the tidy CSV files) for charts and reports.
//!
//! Errors name the file and, for malformed content, the line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Why an output folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The folder does not exist.
    #[error("{0}: no such folder")]
    NoFolder(PathBuf),
    /// The folder holds no garita results at all.
    #[error(
        "{0}: no garita results found (expected run.json from `garita run`, comparison.csv, sweep.csv, pilot.csv or staff_hours.csv)"
    )]
    NoResults(PathBuf),
    /// A file the other files imply is missing.
    #[error("{path}: missing ({why})")]
    Missing {
        /// The missing file.
        path: PathBuf,
        /// Why it is needed.
        why: String,
    },
    /// A file is malformed.
    #[error("{path}:{line}: {msg}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: u64,
        /// What is wrong.
        msg: String,
    },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A lane as recorded in run.json.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct LaneMeta {
    /// Identifier.
    pub id: String,
    /// `general`, `ready`, `sentri` or `fast`.
    pub kind: String,
    /// English display name (may be empty).
    #[serde(default)]
    pub display_en: String,
    /// Spanish display name (may be empty).
    #[serde(default)]
    pub display_es: String,
    /// Open booths by hour of day.
    #[serde(default)]
    pub booths_by_hour: Vec<u32>,
}

/// A traveller class as recorded in run.json.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ClassMeta {
    /// Identifier.
    pub id: String,
    /// English display name (may be empty).
    #[serde(default)]
    pub display_en: String,
    /// Spanish display name (may be empty).
    #[serde(default)]
    pub display_es: String,
}

/// The contents of run.json that charts and reports use.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RunMeta {
    /// garita version that produced the run.
    pub garita_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    #[serde(default)]
    pub description: String,
    /// The scenario's display name in English (may be empty: use the scenario name).
    #[serde(default)]
    pub display_en: String,
    /// The scenario's display name in Spanish (may be empty: use the English one).
    #[serde(default)]
    pub display_es: String,
    /// Scenario description in Spanish (may be empty).
    #[serde(default)]
    pub description_es: String,
    /// The scenario file as named on the command line.
    #[serde(default)]
    pub scenario_file: String,
    /// SHA-256 of the scenario file.
    pub scenario_hash: String,
    /// Base seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// Horizon (s).
    #[serde(default)]
    pub horizon_s: f64,
    /// Warm-up (s).
    #[serde(default)]
    pub warmup_s: f64,
    /// Lanes.
    #[serde(default)]
    pub lanes: Vec<LaneMeta>,
    /// Classes.
    #[serde(default)]
    pub classes: Vec<ClassMeta>,
}

/// A mean with its 95% CI half-width (NaN when undefined) over `n` replications.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Est {
    /// Mean.
    pub mean: f64,
    /// Half-width of the 95% CI (NaN if n < 2).
    pub ci95: f64,
    /// Replications.
    pub n: u32,
}

/// A row of summary.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// `all`, `lane:<id>` or `class:<id>`.
    pub group: String,
    /// Metric name.
    pub metric: String,
    /// The estimate.
    pub est: Est,
}

/// A row of hourly.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct HourlyRow {
    /// Hour of day (0-23).
    pub hour: usize,
    /// Group.
    pub group: String,
    /// Metric name.
    pub metric: String,
    /// The estimate.
    pub est: Est,
}

/// A row of flows.csv (a region's trips by origin, class, port and hour).
#[derive(Clone, Debug, PartialEq)]
pub struct FlowRow {
    /// Origin id.
    pub origin: String,
    /// Class id.
    pub class: String,
    /// Port id.
    pub port: String,
    /// Hour of day (0-23).
    pub hour: usize,
    /// Trips per hour.
    pub est: Est,
}

/// A row of distribution.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct DistRow {
    /// Group.
    pub group: String,
    /// Wait threshold (s).
    pub wait_s: f64,
    /// Share of served vehicles that waited at most `wait_s`.
    pub est: Est,
}

/// A row of comparison.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRow {
    /// Baseline scenario name.
    pub baseline: String,
    /// Alternative scenario name.
    pub alternative: String,
    /// Group.
    pub group: String,
    /// Metric name.
    pub metric: String,
    /// Baseline mean.
    pub baseline_mean: f64,
    /// Alternative mean.
    pub alternative_mean: f64,
    /// Mean paired difference (alternative - baseline).
    pub diff_mean: f64,
    /// Half-width of its 95% CI.
    pub diff_ci95: f64,
    /// Relative change.
    pub rel_change: f64,
    /// Whether the CI excludes zero.
    pub significant: bool,
}

/// sweep.csv: one column per varied key, then `group,metric,mean,ci95,n` (further columns, such
/// as `queue_growth_share,overloaded`, are ignored).
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The varied keys, in column order.
    pub keys: Vec<String>,
    /// The rows.
    pub rows: Vec<SweepRow>,
}

/// A row of sweep.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    /// The value of each varied key (as written).
    pub values: Vec<String>,
    /// Group.
    pub group: String,
    /// Metric name.
    pub metric: String,
    /// The estimate.
    pub est: Est,
}

/// A mean with its 95% CI half-width (NaN when undefined), as pilot.csv gives them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ci {
    /// Mean.
    pub mean: f64,
    /// Half-width of the 95% CI.
    pub ci95: f64,
}

/// A row of pilot.csv: one candidate (site x intervention).
#[derive(Clone, Debug, PartialEq)]
pub struct PilotRow {
    /// `site/intervention`.
    pub candidate: String,
    /// Site id.
    pub site: String,
    /// Intervention id.
    pub intervention: String,
    /// Vehicle-hours of waiting saved per day.
    pub delay_saved_vh_per_day: Ci,
    /// Reduction of the 95th-percentile wait (minutes).
    pub p95_saved_min: Ci,
    /// Gain in the share waiting 20 minutes or less (0-1).
    pub share_le_20m_gain: Ci,
    /// Share of travellers who benefit.
    pub reach_all: Ci,
    /// Idling CO2 saved per day (kg).
    pub co2_kg_saved_per_day: Ci,
    /// The smallest delay saved over the demand scales.
    pub robustness: f64,
    /// Helps one group (trusted / other travellers) and hurts the other.
    pub equity_flag: bool,
    /// Weighted total score (0-1).
    pub total: f64,
    /// Rank (1 = best).
    pub rank: u32,
    /// In the Pareto set.
    pub pareto: bool,
    /// Share of weight draws under which the candidate ranks in the top k.
    pub stability: f64,
}

/// The pilot's metadata from pilot.json (or, in older folders, criteria.md) written next to
/// pilot.csv; every field is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PilotMeta {
    /// Pilot name.
    pub name: Option<String>,
    /// garita version.
    pub garita_version: Option<String>,
    /// The pilot file.
    pub file: Option<String>,
    /// Replications (absent when each scenario keeps its own).
    pub replications: Option<u32>,
    /// The seed of the weight draws.
    pub seed: Option<u64>,
}

/// pilot.csv with what criteria.md tells about it.
#[derive(Clone, Debug, PartialEq)]
pub struct PilotData {
    /// The `k` of the `stability_top_<k>` column.
    pub top_k: u32,
    /// Candidates in file order.
    pub rows: Vec<PilotRow>,
    /// From pilot.json (or criteria.md), if present.
    pub meta: PilotMeta,
}

impl PilotData {
    /// The rows sorted by rank (ties in file order).
    pub fn ranked(&self) -> Vec<&PilotRow> {
        let mut v: Vec<&PilotRow> = self.rows.iter().collect();
        v.sort_by_key(|r| r.rank);
        v
    }
}

/// One lane and hour of a staffing schedule (staff_hours.csv).
#[derive(Clone, Debug, PartialEq)]
pub struct StaffHour {
    /// Lane id.
    pub lane: String,
    /// Hour of day.
    pub hour: u32,
    /// Booths in the proposed schedule.
    pub booths: u32,
    /// Booths open in the scenario now.
    pub current: u32,
    /// The target, e.g. `p95<=20m`.
    pub target: String,
    /// The measure the target checks, e.g. `wait_p95_s`.
    pub measure: String,
    /// The measure's conservative bound in the proposed schedule's own run (NaN: none).
    pub bound: f64,
    /// `met`, `no_demand`, `unreachable` or `not_met`.
    pub status: String,
}

/// The outputs of `garita staff` (staff_hours.csv).
#[derive(Clone, Debug, PartialEq)]
pub struct StaffData {
    /// Lane by lane, hour by hour.
    pub hours: Vec<StaffHour>,
}

/// The outputs of one `garita run` of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct RunData {
    /// run.json.
    pub meta: RunMeta,
    /// summary.csv.
    pub summary: Vec<SummaryRow>,
    /// hourly.csv.
    pub hourly: Vec<HourlyRow>,
    /// distribution.csv.
    pub distribution: Vec<DistRow>,
    /// flows.csv of a region (empty for one port).
    pub flows: Vec<FlowRow>,
}

impl RunData {
    /// The summary estimate of `metric` for `group`.
    pub fn summary(&self, group: &str, metric: &str) -> Option<Est> {
        self.summary
            .iter()
            .find(|r| r.group == group && r.metric == metric)
            .map(|r| r.est)
    }

    /// The estimate of `metric` for `group` in each hour of day.
    pub fn hourly(&self, group: &str, metric: &str) -> [Option<Est>; 24] {
        let mut out = [None; 24];
        for r in &self.hourly {
            if r.group == group && r.metric == metric && r.hour < 24 {
                out[r.hour] = Some(r.est);
            }
        }
        out
    }

    /// The wait distribution of `group`: (wait in seconds, share).
    pub fn distribution(&self, group: &str) -> Vec<(f64, Est)> {
        self.distribution
            .iter()
            .filter(|r| r.group == group)
            .map(|r| (r.wait_s, r.est))
            .collect()
    }
}

/// Everything found in an output folder.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputData {
    /// The folder.
    pub dir: PathBuf,
    /// A run's outputs, if the folder holds run.json.
    pub run: Option<RunData>,
    /// comparison.csv, if present.
    pub comparison: Option<Vec<CompareRow>>,
    /// sweep.csv, if present.
    pub sweep: Option<Sweep>,
    /// pilot.csv (and criteria.md), if present.
    pub pilot: Option<PilotData>,
    /// The run.json describing the results (the folder's own, or for a comparison or sweep
    /// without one, that of the first sub-folder holding one, preferring the baseline).
    pub meta: Option<RunMeta>,
    /// The run.json of each sub-folder (e.g. each scenario of a comparison), by folder name.
    pub sub_metas: Vec<RunMeta>,
    /// staff_hours.csv of a `garita staff` folder, if present.
    pub staff: Option<StaffData>,
    /// validation.csv and validation_summary.csv of a `garita validate` folder, if present.
    pub validation: Option<ValidationData>,
    /// fit.csv of a `garita calibrate` folder, if present.
    pub fit: Option<Vec<PostedHour>>,
}

/// One lane kind and hour of the simulated posted wait against CBP's readings: a row of
/// `validation.csv` (`garita validate`) or of `fit.csv` (`garita calibrate`).
#[derive(Clone, Debug, PartialEq)]
pub struct PostedHour {
    /// Lane kind (`general`, `ready`, ...).
    pub lane: String,
    /// Hour of day.
    pub hour: usize,
    /// Mean observed reading, minutes.
    pub observed_mean_min: f64,
    /// Mean simulated posted wait, minutes.
    pub simulated_mean_min: f64,
    /// Its 95% CI half-width (`simulated_ci95` in validation.csv, `ci95` in fit.csv).
    pub simulated_ci95: f64,
    /// Readings.
    pub n_observed: u32,
}

/// Reads the [`PostedHour`] rows of `t`, whose CI column is named `ci_col`.
fn posted_hours(t: &Table, ci_col: &str) -> Result<Vec<PostedHour>, ReadError> {
    let c: Vec<usize> = [
        "lane",
        "hour",
        "observed_mean_min",
        "simulated_mean_min",
        ci_col,
        "n_observed",
    ]
    .iter()
    .map(|n| t.col(n))
    .collect::<Result<_, _>>()?;
    t.rows
        .iter()
        .map(|(line, rec)| {
            Ok(PostedHour {
                lane: t.str(*line, rec, c[0])?.to_string(),
                hour: t.int(*line, rec, c[1])? as usize,
                observed_mean_min: t.num(*line, rec, c[2])?,
                simulated_mean_min: t.num(*line, rec, c[3])?,
                simulated_ci95: t.num(*line, rec, c[4])?,
                n_observed: t.int(*line, rec, c[5])?,
            })
        })
        .collect()
}

/// One row of `validation_summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationLane {
    /// Lane kind.
    pub lane: String,
    /// Mean absolute error, minutes.
    pub mae_min: f64,
    /// Root mean square error, minutes.
    pub rmse_min: f64,
    /// Mean error, minutes.
    pub bias_min: f64,
    /// Share of readings inside the simulated 5-95% band.
    pub coverage_5_95: f64,
    /// MAE of the naive forecast, minutes.
    pub naive_mae_min: f64,
    /// Readings.
    pub n_observed: u32,
}

/// The tables of a `garita validate` folder.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationData {
    /// validation.csv.
    pub hours: Vec<PostedHour>,
    /// validation_summary.csv.
    pub lanes: Vec<ValidationLane>,
}

/// Reads validation.csv and validation_summary.csv of `dir`.
fn read_validation(dir: &Path) -> Result<ValidationData, ReadError> {
    let hours = posted_hours(&Table::read(&dir.join("validation.csv"))?, "simulated_ci95")?;
    let summary = dir.join("validation_summary.csv");
    require(
        &summary,
        "written by `garita validate` beside validation.csv",
    )?;
    let t = Table::read(&summary)?;
    let c: Vec<usize> = [
        "lane",
        "mae_min",
        "rmse_min",
        "bias_min",
        "coverage_5_95",
        "naive_mae_min",
        "n_observed",
    ]
    .iter()
    .map(|n| t.col(n))
    .collect::<Result<_, _>>()?;
    let mut lanes = Vec::new();
    for (line, rec) in &t.rows {
        lanes.push(ValidationLane {
            lane: t.str(*line, rec, c[0])?.to_string(),
            mae_min: t.num(*line, rec, c[1])?,
            rmse_min: t.num(*line, rec, c[2])?,
            bias_min: t.num(*line, rec, c[3])?,
            coverage_5_95: t.num(*line, rec, c[4])?,
            naive_mae_min: t.num(*line, rec, c[5])?,
            n_observed: t.int(*line, rec, c[6])?,
        });
    }
    Ok(ValidationData { hours, lanes })
}

/// Reads fit.csv.
pub fn read_fit(path: &Path) -> Result<Vec<PostedHour>, ReadError> {
    posted_hours(&Table::read(path)?, "ci95")
}

fn read_text(path: &Path) -> Result<String, ReadError> {
    std::fs::read_to_string(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn require(path: &Path, why: &str) -> Result<(), ReadError> {
    if path.is_file() {
        Ok(())
    } else {
        Err(ReadError::Missing {
            path: path.to_path_buf(),
            why: why.to_string(),
        })
    }
}

/// Reads run.json.
pub fn read_run_meta(path: &Path) -> Result<RunMeta, ReadError> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| ReadError::Parse {
        path: path.to_path_buf(),
        line: e.line() as u64,
        msg: format!("not a garita run.json: {e}"),
    })
}

/// A CSV table read with its header: each record with its line number.
struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    fn read(path: &Path) -> Result<Table, ReadError> {
        Table::parse(path, &read_text(path)?)
    }

    /// Parses `text`, naming it `path` in errors.
    fn parse(path: &Path, text: &str) -> Result<Table, ReadError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let perr = |line: u64, msg: String| ReadError::Parse {
            path: path.to_path_buf(),
            line,
            msg,
        };
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| perr(1, e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        if header.iter().all(|h| h.is_empty()) {
            return Err(perr(1, "empty file (expected a header line)".to_string()));
        }
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                perr(line, e.to_string())
            })?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            rows.push((line, rec));
        }
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    fn col(&self, name: &str) -> Result<usize, ReadError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ReadError::Parse {
                path: self.path.clone(),
                line: 1,
                msg: format!(
                    "missing column `{name}` (header: {})",
                    self.header.join(",")
                ),
            })
    }

    fn err(&self, line: u64, msg: String) -> ReadError {
        ReadError::Parse {
            path: self.path.clone(),
            line,
            msg,
        }
    }

    fn str<'r>(
        &self,
        line: u64,
        rec: &'r csv::StringRecord,
        col: usize,
    ) -> Result<&'r str, ReadError> {
        rec.get(col)
            .ok_or_else(|| self.err(line, format!("missing field `{}`", self.header[col])))
    }

    /// A number; empty means NaN (undefined).
    fn num(&self, line: u64, rec: &csv::StringRecord, col: usize) -> Result<f64, ReadError> {
        let s = self.str(line, rec, col)?;
        if s.is_empty() {
            return Ok(f64::NAN);
        }
        s.parse::<f64>().map_err(|_| {
            self.err(
                line,
                format!("`{}`: expected a number, got {s:?}", self.header[col]),
            )
        })
    }

    fn int(&self, line: u64, rec: &csv::StringRecord, col: usize) -> Result<u32, ReadError> {
        let s = self.str(line, rec, col)?;
        s.parse::<u32>().map_err(|_| {
            self.err(
                line,
                format!("`{}`: expected a whole number, got {s:?}", self.header[col]),
            )
        })
    }

    fn est(&self, line: u64, rec: &csv::StringRecord, cols: [usize; 3]) -> Result<Est, ReadError> {
        Ok(Est {
            mean: self.num(line, rec, cols[0])?,
            ci95: self.num(line, rec, cols[1])?,
            n: self.int(line, rec, cols[2])?,
        })
    }
}

/// Reads summary.csv.
pub fn read_summary(path: &Path) -> Result<Vec<SummaryRow>, ReadError> {
    let t = Table::read(path)?;
    rows_of_summary(&t)
}

/// Parses the text of a summary file named `path`.
pub fn parse_summary(path: &Path, text: &str) -> Result<Vec<SummaryRow>, ReadError> {
    rows_of_summary(&Table::parse(path, text)?)
}

fn rows_of_summary(t: &Table) -> Result<Vec<SummaryRow>, ReadError> {
    let (g, m) = (t.col("group")?, t.col("metric")?);
    let e = [t.col("mean")?, t.col("ci95")?, t.col("n")?];
    t.rows
        .iter()
        .map(|(line, r)| {
            Ok(SummaryRow {
                group: t.str(*line, r, g)?.to_string(),
                metric: t.str(*line, r, m)?.to_string(),
                est: t.est(*line, r, e)?,
            })
        })
        .collect()
}

/// Reads hourly.csv.
pub fn read_hourly(path: &Path) -> Result<Vec<HourlyRow>, ReadError> {
    let t = Table::read(path)?;
    rows_of_hourly(&t)
}

/// Parses the text of an hourly file named `path`.
pub fn parse_hourly(path: &Path, text: &str) -> Result<Vec<HourlyRow>, ReadError> {
    rows_of_hourly(&Table::parse(path, text)?)
}

fn rows_of_hourly(t: &Table) -> Result<Vec<HourlyRow>, ReadError> {
    let (h, g, m) = (t.col("hour")?, t.col("group")?, t.col("metric")?);
    let e = [t.col("mean")?, t.col("ci95")?, t.col("n")?];
    t.rows
        .iter()
        .map(|(line, r)| {
            let hour = t.int(*line, r, h)? as usize;
            if hour >= 24 {
                return Err(t.err(*line, format!("`hour`: must be 0 to 23, got {hour}")));
            }
            Ok(HourlyRow {
                hour,
                group: t.str(*line, r, g)?.to_string(),
                metric: t.str(*line, r, m)?.to_string(),
                est: t.est(*line, r, e)?,
            })
        })
        .collect()
}

/// Reads flows.csv.
pub fn read_flows(path: &Path) -> Result<Vec<FlowRow>, ReadError> {
    rows_of_flows(&Table::read(path)?)
}

/// Parses the text of a flows file named `path`.
pub fn parse_flows(path: &Path, text: &str) -> Result<Vec<FlowRow>, ReadError> {
    rows_of_flows(&Table::parse(path, text)?)
}

fn rows_of_flows(t: &Table) -> Result<Vec<FlowRow>, ReadError> {
    let (o, c, p, h) = (
        t.col("origin")?,
        t.col("class")?,
        t.col("port")?,
        t.col("hour")?,
    );
    let e = [t.col("trips")?, t.col("ci95")?, t.col("n")?];
    t.rows
        .iter()
        .map(|(line, r)| {
            let hour = t.int(*line, r, h)? as usize;
            if hour >= 24 {
                return Err(t.err(*line, format!("`hour`: must be 0 to 23, got {hour}")));
            }
            Ok(FlowRow {
                origin: t.str(*line, r, o)?.to_string(),
                class: t.str(*line, r, c)?.to_string(),
                port: t.str(*line, r, p)?.to_string(),
                hour,
                est: t.est(*line, r, e)?,
            })
        })
        .collect()
}

/// Reads distribution.csv.
pub fn read_distribution(path: &Path) -> Result<Vec<DistRow>, ReadError> {
    let t = Table::read(path)?;
    rows_of_distribution(&t)
}

/// Parses the text of a distribution file named `path`.
pub fn parse_distribution(path: &Path, text: &str) -> Result<Vec<DistRow>, ReadError> {
    rows_of_distribution(&Table::parse(path, text)?)
}

fn rows_of_distribution(t: &Table) -> Result<Vec<DistRow>, ReadError> {
    let (g, w) = (t.col("group")?, t.col("wait_s")?);
    let e = [t.col("share_le")?, t.col("ci95")?, t.col("n")?];
    t.rows
        .iter()
        .map(|(line, r)| {
            Ok(DistRow {
                group: t.str(*line, r, g)?.to_string(),
                wait_s: t.num(*line, r, w)?,
                est: t.est(*line, r, e)?,
            })
        })
        .collect()
}

/// Reads comparison.csv.
pub fn read_comparison(path: &Path) -> Result<Vec<CompareRow>, ReadError> {
    let t = Table::read(path)?;
    rows_of_comparison(&t)
}

/// Parses the text of a comparison file named `path`.
pub fn parse_comparison(path: &Path, text: &str) -> Result<Vec<CompareRow>, ReadError> {
    rows_of_comparison(&Table::parse(path, text)?)
}

fn rows_of_comparison(t: &Table) -> Result<Vec<CompareRow>, ReadError> {
    let c = [
        "baseline",
        "alternative",
        "group",
        "metric",
        "baseline_mean",
        "alternative_mean",
        "diff_mean",
        "diff_ci95",
        "rel_change",
        "significant",
    ]
    .map(|n| t.col(n));
    let mut idx = [0usize; 10];
    for (i, r) in c.into_iter().enumerate() {
        idx[i] = r?;
    }
    t.rows
        .iter()
        .map(|(line, r)| {
            let sig = t.str(*line, r, idx[9])?;
            let significant = match sig {
                "true" | "yes" | "1" => true,
                "false" | "no" | "0" | "" => false,
                other => {
                    return Err(t.err(
                        *line,
                        format!("`significant`: expected true or false, got {other:?}"),
                    ));
                }
            };
            Ok(CompareRow {
                baseline: t.str(*line, r, idx[0])?.to_string(),
                alternative: t.str(*line, r, idx[1])?.to_string(),
                group: t.str(*line, r, idx[2])?.to_string(),
                metric: t.str(*line, r, idx[3])?.to_string(),
                baseline_mean: t.num(*line, r, idx[4])?,
                alternative_mean: t.num(*line, r, idx[5])?,
                diff_mean: t.num(*line, r, idx[6])?,
                diff_ci95: t.num(*line, r, idx[7])?,
                rel_change: t.num(*line, r, idx[8])?,
                significant,
            })
        })
        .collect()
}

/// Reads sweep.csv.
pub fn read_sweep(path: &Path) -> Result<Sweep, ReadError> {
    let t = Table::read(path)?;
    let g = t.col("group")?;
    if g == 0 {
        return Err(t.err(
            1,
            "expected one column per varied key before `group`".to_string(),
        ));
    }
    let m = t.col("metric")?;
    let e = [t.col("mean")?, t.col("ci95")?, t.col("n")?];
    let keys = t.header[..g].to_vec();
    let rows = t
        .rows
        .iter()
        .map(|(line, r)| {
            Ok(SweepRow {
                values: (0..g)
                    .map(|i| t.str(*line, r, i).map(str::to_string))
                    .collect::<Result<_, _>>()?,
                group: t.str(*line, r, g)?.to_string(),
                metric: t.str(*line, r, m)?.to_string(),
                est: t.est(*line, r, e)?,
            })
        })
        .collect::<Result<_, ReadError>>()?;
    Ok(Sweep { keys, rows })
}

fn bool_field(
    t: &Table,
    line: u64,
    rec: &csv::StringRecord,
    col: usize,
) -> Result<bool, ReadError> {
    match t.str(line, rec, col)? {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" | "" => Ok(false),
        other => Err(t.err(
            line,
            format!("`{}`: expected true or false, got {other:?}", t.header[col]),
        )),
    }
}

/// Reads pilot.csv (and, if present, the criteria.md next to it).
pub fn read_pilot(path: &Path) -> Result<PilotData, ReadError> {
    let t = Table::read(path)?;
    let stab = t
        .header
        .iter()
        .position(|h| h.starts_with("stability_top_"))
        .ok_or_else(|| {
            t.err(
                1,
                format!(
                    "missing column `stability_top_<k>` (header: {})",
                    t.header.join(",")
                ),
            )
        })?;
    let top_k = t.header[stab]["stability_top_".len()..]
        .parse::<u32>()
        .map_err(|_| {
            t.err(
                1,
                format!("`{}`: expected stability_top_<k>", t.header[stab]),
            )
        })?;
    let (cand, site, iv) = (t.col("candidate")?, t.col("site")?, t.col("intervention")?);
    let ci_cols = |name: &str| -> Result<[usize; 2], ReadError> {
        Ok([t.col(name)?, t.col(&format!("{name}_ci95"))?])
    };
    let delay = ci_cols("delay_saved_vh_per_day")?;
    let p95 = ci_cols("p95_wait_saved_min")?;
    let share = ci_cols("share_le_20m_gain")?;
    let reach = ci_cols("reach_all")?;
    let co2 = ci_cols("co2_kg_saved_per_day")?;
    let (robust, flag) = (t.col("robustness_min_delay_saved")?, t.col("equity_flag")?);
    let (total, rank, pareto) = (t.col("total")?, t.col("rank")?, t.col("pareto")?);
    let ci = |line: u64, r: &csv::StringRecord, c: [usize; 2]| -> Result<Ci, ReadError> {
        Ok(Ci {
            mean: t.num(line, r, c[0])?,
            ci95: t.num(line, r, c[1])?,
        })
    };
    let rows = t
        .rows
        .iter()
        .map(|(line, r)| {
            let line = *line;
            Ok(PilotRow {
                candidate: t.str(line, r, cand)?.to_string(),
                site: t.str(line, r, site)?.to_string(),
                intervention: t.str(line, r, iv)?.to_string(),
                delay_saved_vh_per_day: ci(line, r, delay)?,
                p95_saved_min: ci(line, r, p95)?,
                share_le_20m_gain: ci(line, r, share)?,
                reach_all: ci(line, r, reach)?,
                co2_kg_saved_per_day: ci(line, r, co2)?,
                robustness: t.num(line, r, robust)?,
                equity_flag: bool_field(&t, line, r, flag)?,
                total: t.num(line, r, total)?,
                rank: t.int(line, r, rank)?,
                pareto: bool_field(&t, line, r, pareto)?,
                stability: t.num(line, r, stab)?,
            })
        })
        .collect::<Result<Vec<_>, ReadError>>()?;
    let json = path.with_file_name("pilot.json");
    let meta = if json.is_file() {
        read_pilot_json(&json)?
    } else {
        // Folders written before pilot.json existed: what criteria.md says.
        match std::fs::read_to_string(path.with_file_name("criteria.md")) {
            Ok(text) => pilot_meta(&text),
            Err(_) => PilotMeta::default(),
        }
    };
    Ok(PilotData { top_k, rows, meta })
}

/// Reads pilot.json (written by `garita pilot` next to pilot.csv).
pub fn read_pilot_json(path: &Path) -> Result<PilotMeta, ReadError> {
    #[derive(Deserialize)]
    struct Raw {
        garita_version: Option<String>,
        pilot: Option<String>,
        pilot_file: Option<String>,
        replications: Option<u32>,
        stability_seed: Option<u64>,
    }
    let text = read_text(path)?;
    let raw: Raw = serde_json::from_str(&text).map_err(|e| ReadError::Parse {
        path: path.to_path_buf(),
        line: e.line() as u64,
        msg: e.to_string(),
    })?;
    Ok(PilotMeta {
        name: raw.pilot,
        garita_version: raw.garita_version,
        file: raw.pilot_file,
        replications: raw.replications,
        seed: raw.stability_seed,
    })
}

/// Reads staff_hours.csv.
pub fn read_staff(path: &Path) -> Result<StaffData, ReadError> {
    let t = Table::read(path)?;
    let (lane, hour, booths, current) = (
        t.col("lane")?,
        t.col("hour")?,
        t.col("booths")?,
        t.col("current_booths")?,
    );
    let (target, measure, bound, status) = (
        t.col("target")?,
        t.col("measure")?,
        t.col("bound")?,
        t.col("status")?,
    );
    let hours = t
        .rows
        .iter()
        .map(|(line, r)| {
            let line = *line;
            Ok(StaffHour {
                lane: t.str(line, r, lane)?.to_string(),
                hour: t.int(line, r, hour)?,
                booths: t.int(line, r, booths)?,
                current: t.int(line, r, current)?,
                target: t.str(line, r, target)?.to_string(),
                measure: t.str(line, r, measure)?.to_string(),
                bound: t.num(line, r, bound)?,
                status: t.str(line, r, status)?.to_string(),
            })
        })
        .collect::<Result<Vec<_>, ReadError>>()?;
    Ok(StaffData { hours })
}

/// The text between `start` and `end` on the first line holding `start`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = text.find(start)? + start.len();
    let rest = &text[i..];
    let line = rest.lines().next().unwrap_or("");
    let j = line.find(end)?;
    Some(line[..j].trim())
}

/// What criteria.md states about the pilot (its wording is fixed by `report::criteria_md`).
pub fn pilot_meta(text: &str) -> PilotMeta {
    let name = text
        .lines()
        .next()
        .and_then(|l| l.split_once(": "))
        .map(|(_, n)| n.trim().to_string())
        .filter(|n| !n.is_empty());
    PilotMeta {
        name,
        garita_version: between(text, "Generated by garita ", " from").map(str::to_string),
        file: between(text, " from `", "`").map(str::to_string),
        replications: between(text, "Replications / Réplicas: ", ";").and_then(|r| r.parse().ok()),
        seed: between(text, "(seed / semilla ", ")").and_then(|s| s.parse().ok()),
    }
}

/// Reads a run's files from `dir` (run.json must exist; the CSV files are then required).
pub fn read_run(dir: &Path) -> Result<RunData, ReadError> {
    let why = "written by `garita run` next to run.json";
    for f in ["summary.csv", "hourly.csv", "distribution.csv"] {
        require(&dir.join(f), why)?;
    }
    Ok(RunData {
        meta: read_run_meta(&dir.join("run.json"))?,
        summary: read_summary(&dir.join("summary.csv"))?,
        hourly: read_hourly(&dir.join("hourly.csv"))?,
        distribution: read_distribution(&dir.join("distribution.csv"))?,
        flows: if dir.join("flows.csv").is_file() {
            read_flows(&dir.join("flows.csv"))?
        } else {
            Vec::new()
        },
    })
}

/// The run.json of every sub-folder holding one, by folder name.
fn sub_metas(dir: &Path) -> Result<Vec<RunMeta>, ReadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ReadError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut subs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("run.json").is_file())
        .collect();
    subs.sort();
    subs.iter()
        .map(|s| read_run_meta(&s.join("run.json")))
        .collect()
}

/// Reads everything garita can chart from `dir`.
pub fn read_output_dir(dir: &Path) -> Result<OutputData, ReadError> {
    if !dir.is_dir() {
        return Err(ReadError::NoFolder(dir.to_path_buf()));
    }
    let run = if dir.join("run.json").is_file() {
        Some(read_run(dir)?)
    } else {
        let orphan = ["summary.csv", "hourly.csv", "distribution.csv"]
            .iter()
            .any(|f| dir.join(f).is_file());
        if orphan {
            return Err(ReadError::Missing {
                path: dir.join("run.json"),
                why: "written by `garita run`; it names the scenario, seed and lanes".to_string(),
            });
        }
        None
    };
    let cmp_path = dir.join("comparison.csv");
    let comparison = if cmp_path.is_file() {
        Some(read_comparison(&cmp_path)?)
    } else {
        None
    };
    let sweep_path = dir.join("sweep.csv");
    let sweep = if sweep_path.is_file() {
        Some(read_sweep(&sweep_path)?)
    } else {
        None
    };
    let pilot_path = dir.join("pilot.csv");
    let pilot = if pilot_path.is_file() {
        Some(read_pilot(&pilot_path)?)
    } else {
        None
    };
    let staff_path = dir.join("staff_hours.csv");
    let staff = if staff_path.is_file() {
        Some(read_staff(&staff_path)?)
    } else {
        None
    };
    let validation = if dir.join("validation.csv").is_file() {
        Some(read_validation(dir)?)
    } else {
        None
    };
    let fit_path = dir.join("fit.csv");
    let fit = if fit_path.is_file() {
        Some(read_fit(&fit_path)?)
    } else {
        None
    };
    if run.is_none()
        && comparison.is_none()
        && sweep.is_none()
        && pilot.is_none()
        && staff.is_none()
        && validation.is_none()
        && fit.is_none()
    {
        return Err(ReadError::NoResults(dir.to_path_buf()));
    }
    let sub_metas = if run.is_none() {
        sub_metas(dir)?
    } else {
        Vec::new()
    };
    let meta = match &run {
        Some(r) => Some(r.meta.clone()),
        None => {
            let baseline = comparison
                .as_ref()
                .and_then(|c| c.first().map(|r| r.baseline.clone()));
            sub_metas
                .iter()
                .find(|m| Some(&m.scenario) == baseline.as_ref())
                .or(sub_metas.first())
                .cloned()
        }
    };
    Ok(OutputData {
        dir: dir.to_path_buf(),
        run,
        comparison,
        sweep,
        pilot,
        meta,
        sub_metas,
        staff,
        validation,
        fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pilot_meta_from_criteria_md() {
        let text = "# Pilot criteria / Criterios del piloto: el-paso\n\nGenerated by garita 0.1.0 from `p.toml`. / Generado por garita 0.1.0 a partir de `p.toml`.\n\nReplications / Réplicas: 4; demand scales / escalas de demanda: 1;\ntop k = 2; weight draws / sorteos de pesos: 10 (seed / semilla 7).\n";
        let m = pilot_meta(text);
        assert_eq!(m.name.as_deref(), Some("el-paso"));
        assert_eq!(m.garita_version.as_deref(), Some("0.1.0"));
        assert_eq!(m.file.as_deref(), Some("p.toml"));
        assert_eq!(m.replications, Some(4));
        assert_eq!(m.seed, Some(7));
        // Scenarios keeping their own replications, and text that is not a criteria sheet.
        let m = pilot_meta(&text.replace(": 4;", ": each scenario's;"));
        assert_eq!(m.replications, None);
        assert_eq!(pilot_meta("hello"), PilotMeta::default());
    }
}
