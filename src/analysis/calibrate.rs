//! `garita calibrate`: fits what a skeleton scenario leaves out to CBP's posted waits.
//!
//! The skeleton names the port's lanes (ids, kinds) and classes (ids, shares, lanes). What it
//! leaves out is fitted: the latent demand by hour of day (24 values), the mean inspection time
//! of each lane kind, the response tolerance (log-normal mean and sd) and, when a class's share
//! is `"fit"`, the class shares; what it sets stays fixed unless a `--fit` key names it.
//! Staffing is the observed lanes open of the period, replayed day by day (the series of
//! `observed::staffing_series`, with its gap rule), written as one `booths = { series }` file
//! per lane.
//!
//! Objective: `J = sum_lh n_lh (sim_lh - obs_lh)^2 / sum_lh n_lh + (100 (A - V) / V)^2`, with
//! `sim_lh` the simulated posted wait (minutes, time-average over the period at hour of day h)
//! of lane l, `obs_lh` the mean of the `n_lh` readings of its kind at that hour, `A` the
//! simulated trips made per day and `V` the given volume: one percent of volume counts as one
//! minute of root-mean-square wait error.
//!
//! Method: a deterministic rotating-coordinate search (Rosenbrock) with restarts, on common
//! random numbers. Every evaluation is one replication of the whole period with the same seed.
//! A round is (1) a demand step when the demand is fitted (`demand_step`), tried with the full
//! and half change; (2) along each search direction (in the scalars' log space; their axes at
//! first), a step forward and a step back within the bounds; (3) the directions rotated so that
//! the first is the round's whole move (Gram-Schmidt, Rosenbrock 1960), so that the search
//! follows a ridge along which two scalars trade off; (4) a pattern move (Hooke and Jeeves):
//! the round's whole move repeated once and twice. A candidate replaces the current point only
//! if it lowers J; a direction's step doubles after a success (up to 0.8) and halves when both
//! fail. A descent ends when every step is below 1% and the demand step fails; if it ended below
//! where it began, the search restarts there with the first step along the axes, and it stops
//! when a descent no longer improves or when the budget of simulations is spent. The two
//! candidates of a step run in parallel; the result does not depend on the number of threads.
//!
//! Nothing here reads or writes files.

use std::collections::BTreeMap;

use toml::{Table, Value};

use super::AnalysisError;
use super::observed::{ErrorSummary, Mode, Reading, Selection, hour_of_day_means, staffing_series};
use crate::engine::SimTime;
use crate::experiment::run_replications;
use crate::port::{
    DayType, GroupRef, HourlyMetric, LaneKind, Metric, PortConfig, PostedSeries, ReplicationResult,
};
use crate::scenario::{self, Diagnostic, ScenarioError};
use crate::stats::mean_ci;

/// Days of warm-up before the first day of the period.
pub const WARMUP_DAYS: i64 = 2;
/// The skeleton's `[demand] per_hour` value that asks for latent demand by day type (weekday,
/// Saturday, Sunday tables) instead of one profile for every day.
pub const FIT_BY_DAY_TYPE: &str = "fit-by-day-type";
/// Coefficient of variation of a fitted inspection time (log-normal; ASSUMPTION, as in the
/// bundled scenarios).
pub const SERVICE_CV: f64 = 0.6;
/// The search stops refining a parameter below this step (log scale, about 1%).
pub const MIN_STEP: f64 = 0.01;
/// First step of every scalar parameter (log scale).
pub const FIRST_STEP: f64 = 0.2;
/// A step doubles after a success, up to this (log scale).
pub const MAX_STEP: f64 = 0.8;
/// Start of the tolerance: log-normal, mean 225 min, sd 295 min (F(45 min) = 8/60, SANDAG
/// 2006, with an sd of its log of 1.0; docs/validation.md, "Reacting scenarios").
pub const TOLERANCE_START_MIN: (f64, f64) = (225.0, 295.0);
/// Bounds of the tolerance mean (minutes): nobody who drives to a port turns back at under 20
/// minutes on average, and a mean over 10 hours is no reaction at all (ASSUMPTION).
pub const TOLERANCE_MEAN_BOUNDS_MIN: (f64, f64) = (20.0, 600.0);
/// Bounds of the tolerance's sd over its mean (ASSUMPTION).
pub const TOLERANCE_CV_BOUNDS: (f64, f64) = (0.25, 2.0);
/// Bounds of `demand.staffing_elasticity` when fitted: 0 (demand ignores the booths open) to 1
/// (demand proportional to them); searched in log space, so the lower bound is 0.01, which is
/// no effect for any practical purpose (1/4 to 4 times the typical booths moves the demand by
/// at most 1.4%).
pub const STAFFING_ELASTICITY_BOUNDS: (f64, f64) = (0.01, 1.0);
/// Start of a fitted staffing elasticity (the middle of its range).
pub const STAFFING_ELASTICITY_START: f64 = 0.5;

/// Throughput of a stacked booth (`stacked = 2`) over a single one under a standing queue,
/// `2 E[S] / E[max(S1, S2)]`, for a fitted inspection time (log-normal, sd = `SERVICE_CV` x
/// mean; scale-free): 1.53. In a stacked lane the fitted `service.mean` is each inspection
/// point's time, and the booth's cycle is that over this gain.
pub fn stacked_gain() -> f64 {
    let d = crate::port::ServiceDist::LogNormal {
        mean_s: 1.0,
        sd_s: SERVICE_CV,
    };
    2.0 * d.mean_s() / d.mean_max_of_two_s()
}

/// Bounds (s) of the mean booth cycle of a lane kind for a mode. The lower bound is the
/// published inspection time (about 34 s general at El Paso, TRR 1942, 2006; Ready Lane 20-30 s,
/// CBP in El Paso Times, 2015; SENTRI faster); the upper bound allows the move-up and idle gaps
/// of a booth cycle (ASSUMPTION). Trucks: 1-10 minutes (ASSUMPTION). In a stacked lane the
/// fitted time is each inspection point's (`stacked_gain`): its lower bound is the same
/// published inspection time and its upper bound the booth cycle's times the gain, so that the
/// booth's cycle has the same bounds as an unstacked booth's (`calibrate` applies this).
pub fn service_bounds_s(mode: Mode, kind: LaneKind) -> (f64, f64) {
    match (mode, kind) {
        (Mode::Cov, LaneKind::Fast) => (45.0, 400.0),
        (Mode::Cov, _) => (60.0, 600.0),
        (_, LaneKind::General) => (30.0, 150.0),
        (_, LaneKind::Ready) => (20.0, 120.0),
        (_, LaneKind::Sentri) => (10.0, 90.0),
        (_, LaneKind::Fast) => (45.0, 400.0),
    }
}

/// What `calibrate` needs.
#[derive(Clone, Debug)]
pub struct CalibrateConfig {
    /// The skeleton scenario's text.
    pub skeleton_text: String,
    /// Its name in messages.
    pub skeleton_name: String,
    /// Every reading of the observed file (the staffing gap rule uses all of them).
    pub readings: Vec<Reading>,
    /// The observed file's name in messages.
    pub observed_name: String,
    /// Port, mode and period.
    pub sel: Selection,
    /// Trips made per day that the fit must reproduce.
    pub volume_per_day: f64,
    /// Keys the skeleton sets that are fitted anyway.
    pub fit: Vec<String>,
    /// Most simulations of the search.
    pub budget: usize,
    /// Seed of every simulation.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Replications of the final run of the calibrated scenario.
    pub final_replications: u32,
    /// The booths the written scenario runs, and so the booths every simulation of the fit
    /// (and its final run) runs.
    pub booths: BoothsOut,
}

/// The booths a calibrated scenario is written with. The search simulates the scenario as it
/// will be written, so that `fit.csv` and `garita run calibrated.toml` agree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BoothsOut {
    /// The observed lanes open replayed day by day (`booths = { series = ... }`).
    #[default]
    Series,
    /// Each lane's median lanes open by day type and hour over the replayed series (the
    /// tables of [`Calibration::with_booth_tables`]).
    Tables,
}

/// A progress report after each step of the search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Round (1-based).
    pub round: usize,
    /// Simulations so far.
    pub sims: usize,
    /// The budget.
    pub budget: usize,
    /// Objective of the current point.
    pub objective: f64,
    /// Its root-mean-square wait error (minutes).
    pub rmse_min: f64,
    /// Its trips made per day.
    pub arrivals_per_day: f64,
}

/// Where a fitted value sits against its bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Inside.
    Inside,
    /// Within 1% of the lower bound.
    Lower,
    /// Within 1% of the upper bound.
    Upper,
}

/// One fitted scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct FittedParam {
    /// Key path in the scenario, e.g. `lanes.general.service.mean`.
    pub key: String,
    /// Value.
    pub value: f64,
    /// Its unit (`s`, `min`, or empty).
    pub unit: &'static str,
    /// Bounds.
    pub bounds: (f64, f64),
    /// Whether it sits on a bound.
    pub at: Bound,
}

/// One row of `fit.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct FitRow {
    /// Lane kind.
    pub lane: LaneKind,
    /// Hour of day.
    pub hour: usize,
    /// Mean of the readings.
    pub observed_mean_min: f64,
    /// Mean over the final run's replications of the simulated posted wait.
    pub simulated_mean_min: f64,
    /// Its 95% half-width.
    pub ci95: f64,
    /// Simulated minus observed.
    pub error_min: f64,
    /// Readings.
    pub n_observed: usize,
}

/// The result.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The calibrated scenario document (without its comment header).
    pub doc: Table,
    /// The calibrated scenario's text (`toml` of `doc`).
    pub text: String,
    /// Its validated configuration.
    pub config: PortConfig,
    /// What was fitted, in words (`demand.per_hour`, `lanes.general.service`, ...).
    pub fitted: Vec<String>,
    /// The fitted scalars.
    pub params: Vec<FittedParam>,
    /// The fit by lane kind and hour.
    pub rows: Vec<FitRow>,
    /// Error of the final run on every reading, by lane kind.
    pub by_kind: Vec<(LaneKind, ErrorSummary)>,
    /// Simulations of the search.
    pub sims: usize,
    /// Rounds of the search.
    pub rounds: usize,
    /// Whether the search stopped on its own (rather than on the budget): a descent (every
    /// step below 1%) ended no lower than where it began.
    pub converged: bool,
    /// Descents that ended with every step below 1% (the first from the start, then one per
    /// restart); with the budget spent and at least one, the fit is such an end or lower.
    pub descents: usize,
    /// Final objective (search run).
    pub objective: f64,
    /// The staffing replayed, per lane: (lane id, filled hours, hours of the period).
    pub staffing_filled: Vec<(String, usize, usize)>,
    /// The date of day 0 of the calibrated scenario (the first warm-up day).
    pub start: crate::port::Date,
    /// Each lane's booth series file (named in `doc`) and its booths, day by day from `start`.
    pub series: Vec<(String, Vec<[u32; 24]>)>,
    /// Each lane's booths as day-type tables (`weekday`, `saturday`, `sunday`): the median of
    /// its replayed series by day type and hour (what [`Calibration::with_booth_tables`] writes).
    pub booth_tables: Vec<Table>,
    /// Trips made per day in the final run (mean, ci95).
    pub arrivals_per_day: (f64, f64),
    /// Latent trips forgone in the final run (share).
    pub forgone_share: f64,
    /// The final run.
    pub final_run: Vec<ReplicationResult>,
}

impl Calibration {
    /// The calibrated document and its text with each lane's booths as day-type tables
    /// (`booth_tables`) instead of its series file: a scenario that runs from any `start`.
    pub fn with_booth_tables(&self) -> Result<(Table, String), AnalysisError> {
        let mut doc = self.doc.clone();
        if let Some(Value::Array(ls)) = doc.get_mut("lanes") {
            for (l, b) in ls.iter_mut().zip(&self.booth_tables) {
                if let Value::Table(t) = l {
                    t.insert("booths".into(), Value::Table(b.clone()));
                }
            }
        }
        let text = toml::to_string(&doc).map_err(|e| input(format!("calibrated scenario: {e}")))?;
        Ok((doc, text))
    }
}

fn input(msg: String) -> AnalysisError {
    AnalysisError::Input(msg)
}

/// The lognormal CDF with mean `m` and sd `s` at `x` (all in the same unit).
fn lognormal_cdf(x: f64, m: f64, s: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let s2 = libm::log(1.0 + (s / m).powi(2));
    let mu = libm::log(m) - 0.5 * s2;
    0.5 * libm::erfc(-(libm::log(x) - mu) / (s2.sqrt() * std::f64::consts::SQRT_2))
}

/// The skeleton's own problems: every diagnostic of the skeleton but those about what
/// calibration fills in (horizon, demand, booths, inspection times, tolerance, `"fit"` shares).
fn skeleton_problems(
    text: &str,
    file: &str,
    fit_shares: &[usize],
    by_day_type: bool,
) -> Vec<Diagnostic> {
    let diags = match scenario::parse_str(text, file) {
        Ok(_) => return Vec::new(),
        Err(ScenarioError::Invalid(d)) => d,
        Err(ScenarioError::Io { .. }) => return Vec::new(),
    };
    diags
        .into_iter()
        .filter(|d| {
            let missing = d.message.starts_with("missing");
            let lane_key = d.key.starts_with("lanes[")
                && (d.key.ends_with("].booths") || d.key.ends_with("].service"));
            let filled = (missing
                && (d.key == "horizon"
                    || d.key == "name"
                    || d.key.starts_with("demand")
                    || lane_key))
                || d.key.contains("tolerance")
                || (d.key == "response" && d.message.contains("tolerance"))
                || fit_shares
                    .iter()
                    .any(|i| d.key == format!("classes[{i}].share"))
                || (d.key == "classes" && d.message.contains("sum"))
                || (by_day_type && d.key == "demand.per_hour");
            !filled
        })
        .collect()
}

fn dur_s(v: f64) -> Value {
    Value::String(format!("{}s", round_to(v, 0.1)))
}

fn dur_min(v: f64) -> Value {
    Value::String(format!("{}m", round_to(v, 0.1)))
}

fn round_to(v: f64, q: f64) -> f64 {
    let r = (v / q).round() * q;
    // Print 84.30000000000001 as 84.3.
    (r * 1e6).round() / 1e6
}

fn int_array(v: &[u32; 24]) -> Value {
    Value::Array(v.iter().map(|&n| Value::Integer(i64::from(n))).collect())
}

/// The free scalars of the search, in log space.
#[derive(Clone, Debug)]
struct Scalar {
    key: String,
    what: ScalarKind,
    lo: f64,
    hi: f64,
    unit: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ScalarKind {
    /// Mean inspection time (s) of the lanes of a kind (their indices in the skeleton).
    Service(LaneKind),
    /// The tolerance's 20% quantile (min): the waits the observations reach sit in its lower
    /// tail, so this and the sd of its log are close to independent there, where the mean and
    /// the sd over the mean lie along a ridge.
    ToleranceLow,
    /// The sd of the tolerance's log.
    ToleranceSigma,
    /// Weight of a class (shares are weights over their sum).
    ClassWeight(usize),
    /// `demand.staffing_elasticity`.
    StaffingElasticity,
}

/// A point of the search.
#[derive(Clone, Debug)]
struct Point {
    /// log of each scalar.
    x: Vec<f64>,
    /// Latent demand per hour (when fitted): one profile for every day, or one per day type
    /// (weekday, Saturday, Sunday) with `per_hour = "fit-by-day-type"`.
    per_hour: Vec<[f64; 24]>,
}

/// The fixed parts of every evaluated document.
struct Frame {
    base: Table,
    lane_ids: Vec<String>,
    lane_kinds: Vec<LaneKind>,
    class_ids: Vec<String>,
    fit_classes: Vec<usize>,
    fixed_share_sum: f64,
    fit_demand: bool,
    scalars: Vec<Scalar>,
    /// The mean inspection time (s) of lanes whose time is not fitted (NaN otherwise).
    fixed_cycle: Vec<f64>,
    /// Each lane's vehicles per inspection time per booth: `stacked_gain()` for a stacked
    /// lane, 1 otherwise.
    lane_gain: Vec<f64>,
    /// Each lane's replayed booths, day by day from the first warm-up day; None when the
    /// scenario runs its day-type booth tables (`BoothsOut::Tables`, already in `base`).
    series: Option<Vec<Vec<[u32; 24]>>>,
    file: String,
}

impl Frame {
    fn value(&self, p: &Point, k: ScalarKind) -> Option<f64> {
        self.scalars
            .iter()
            .position(|s| s.what == k)
            .map(|i| p.x[i].exp())
    }

    /// The document of point `p` with `replications`.
    fn doc(&self, p: &Point, replications: u32) -> Table {
        let mut doc = self.base.clone();
        doc.insert(
            "replications".into(),
            Value::Integer(i64::from(replications)),
        );
        if self.fit_demand {
            let demand = doc
                .entry("demand")
                .or_insert_with(|| Value::Table(Table::new()));
            if let Value::Table(t) = demand {
                t.remove("rate");
                let profile = |v: &[f64; 24]| {
                    Value::Array(v.iter().map(|&v| Value::Float(round_to(v, 0.1))).collect())
                };
                let per_hour = match p.per_hour.as_slice() {
                    [one] => profile(one),
                    tables => Value::Table(
                        DayType::ALL
                            .iter()
                            .zip(tables)
                            .map(|(t, v)| (t.as_str().to_string(), profile(v)))
                            .collect(),
                    ),
                };
                t.insert("per_hour".into(), per_hour);
            }
        }
        if let Some(e) = self.value(p, ScalarKind::StaffingElasticity) {
            let demand = doc
                .entry("demand")
                .or_insert_with(|| Value::Table(Table::new()));
            if let Value::Table(t) = demand {
                t.insert(
                    "staffing_elasticity".into(),
                    Value::Float(round_to(e, 1e-4)),
                );
            }
        }
        if let Some(Value::Array(lanes)) = doc.get_mut("lanes") {
            for (i, l) in lanes.iter_mut().enumerate() {
                let Value::Table(t) = l else { continue };
                if let Some(m) = self.value(p, ScalarKind::Service(self.lane_kinds[i])) {
                    let mean = round_to(m, 0.1);
                    let mut s = Table::new();
                    s.insert("dist".into(), Value::String("lognormal".into()));
                    s.insert("mean".into(), dur_s(mean));
                    s.insert("sd".into(), dur_s(mean * SERVICE_CV));
                    t.insert("service".into(), Value::Table(s));
                }
            }
        }
        if let (Some(q), Some(sigma)) = (
            self.value(p, ScalarKind::ToleranceLow),
            self.value(p, ScalarKind::ToleranceSigma),
        ) {
            let (m, cv) = tolerance_mean_cv(q, sigma);
            let m = round_to(m, 0.1);
            let mut tol = Table::new();
            tol.insert("dist".into(), Value::String("lognormal".into()));
            tol.insert("mean".into(), dur_min(m));
            tol.insert("sd".into(), dur_min(m * cv));
            if let Some(Value::Table(r)) = doc.get_mut("response") {
                r.insert("tolerance".into(), Value::Table(tol));
            }
        }
        if !self.fit_classes.is_empty() {
            let w: Vec<f64> = self
                .fit_classes
                .iter()
                .map(|&c| self.value(p, ScalarKind::ClassWeight(c)).unwrap_or(1.0))
                .collect();
            let total: f64 = w.iter().sum();
            let room = 1.0 - self.fixed_share_sum;
            let mut shares: Vec<f64> = w.iter().map(|x| round_to(room * x / total, 1e-4)).collect();
            // Rounding must keep the sum at 1: the last fitted class takes the remainder.
            let last = shares.len() - 1;
            shares[last] = round_to(room - shares[..last].iter().sum::<f64>(), 1e-6);
            if let Some(Value::Array(classes)) = doc.get_mut("classes") {
                for (&c, s) in self.fit_classes.iter().zip(shares) {
                    if let Some(Value::Table(t)) = classes.get_mut(c) {
                        t.insert("share".into(), Value::Float(s.max(0.0)));
                    }
                }
            }
        }
        doc
    }

    fn config(&self, doc: &Table) -> Result<PortConfig, AnalysisError> {
        let text = toml::to_string(doc).map_err(|e| input(format!("{}: {e}", self.file)))?;
        let mut config = scenario::parse_str(&text, &format!("{} (calibrated)", self.file))
            .map(|s| s.config)
            .map_err(AnalysisError::Scenario)?;
        // With day-type tables the document is the scenario as written: its booths and the
        // typical booths of demand that follows the staffing are the tables'.
        let Some(series) = &self.series else {
            return Ok(config);
        };
        // The observed series replayed day by day (what `booths = { series = ... }` in the
        // written scenario loads).
        for (lane, series) in config.lanes.iter_mut().zip(series) {
            lane.booths_by_date = Some(series.clone());
        }
        // The typical booths of demand that follows the staffing: each lane's hourly median of
        // its series, as `booths = { series = ... }` in the written scenario gives it.
        if let Some(s) = config.demand.staffing.as_mut() {
            let mut medians = config.lanes.clone();
            for (lane, series) in medians.iter_mut().zip(series) {
                lane.booths = std::array::from_fn(|h| {
                    let mut v: Vec<u32> = series.iter().map(|d| d[h]).collect();
                    crate::port::lower_median(&mut v).unwrap_or(0)
                });
            }
            s.reference = crate::port::staffing_reference(&medians, &s.lanes);
        }
        Ok(config)
    }
}

/// Observed means by skeleton lane and hour: (mean, n).
type Observed = Vec<[(f64, usize); 24]>;

/// Observed means by skeleton lane, demand cell (one for every day, or one per day type) and
/// hour: `cells[lane][cell][hour]` = (mean, n). The objective and the demand step work on
/// these cells.
type Cells = Vec<Vec<[(f64, usize); 24]>>;

/// One evaluation's summary.
#[derive(Clone, Debug)]
struct Eval {
    objective: f64,
    rmse_min: f64,
    arrivals_per_day: f64,
    /// Simulated posted wait (min) by lane, demand cell and hour (NaN: none).
    sim: Vec<Vec<[f64; 24]>>,
    /// Trips made per hour of day (all classes).
    made: [f64; 24],
}

/// Evaluates one replication against the observed cells. With one cell the simulated posted
/// wait is the replication's hourly mean; with one cell per day type it is the mean, over the
/// period's days of that type, of `posted`'s daily values (`day_cells[d]`: the cell of
/// simulated day `d`, None for a warm-up day).
fn evaluate(
    res: &ReplicationResult,
    posted: Option<&PostedSeries>,
    day_cells: &[Option<usize>],
    cells: &Cells,
    volume: f64,
) -> Eval {
    let mut sim = vec![vec![[f64::NAN; 24]; cells.first().map_or(1, Vec::len)]; cells.len()];
    match posted {
        None => {
            for (l, s) in sim.iter_mut().enumerate() {
                let g = res.group(GroupRef::Lane(l));
                for (h, v) in s[0].iter_mut().enumerate() {
                    *v = g.map_or(f64::NAN, |g| {
                        g.hourly[h][HourlyMetric::PostedWaitMean as usize] / 60.0
                    });
                }
            }
        }
        Some(p) => {
            for (s, days) in sim.iter_mut().zip(&p.values) {
                let mut sum = vec![[(0.0, 0usize); 24]; s.len()];
                for (day, c) in days.iter().zip(day_cells) {
                    let Some(c) = *c else { continue };
                    for (h, v) in day.iter().enumerate() {
                        if let Some(v) = v {
                            sum[c][h].0 += v / 60.0;
                            sum[c][h].1 += 1;
                        }
                    }
                }
                for (sc, tc) in s.iter_mut().zip(&sum) {
                    for h in 0..24 {
                        if tc[h].1 > 0 {
                            sc[h] = tc[h].0 / tc[h].1 as f64;
                        }
                    }
                }
            }
        }
    }
    let (mut sq, mut n) = (0.0, 0usize);
    for (l, lane) in cells.iter().enumerate() {
        for (c, o) in lane.iter().enumerate() {
            for h in 0..24 {
                let (m, k) = o[h];
                if k > 0 {
                    // A lane the simulation never posts (closed) counts as posting 0.
                    let v = sim[l][c][h];
                    let s = if v.is_finite() { v } else { 0.0 };
                    sq += k as f64 * (s - m) * (s - m);
                    n += k;
                }
            }
        }
    }
    let mse = if n > 0 { sq / n as f64 } else { 0.0 };
    let a = res
        .group(GroupRef::All)
        .map_or(0.0, |g| g.metric(Metric::ArrivalsPerDay));
    let vol = 100.0 * (a - volume) / volume;
    let mut made = [0.0; 24];
    if let Some(g) = res.group(GroupRef::All) {
        for (h, m) in made.iter_mut().enumerate() {
            *m = g.hourly[h][HourlyMetric::Arrivals as usize];
        }
    }
    Eval {
        made,
        objective: mse + vol * vol,
        rmse_min: mse.sqrt(),
        arrivals_per_day: a,
        sim,
    }
}

/// Runs the calibration.
pub fn calibrate(
    cfg: &CalibrateConfig,
    on_step: &dyn Fn(&Step),
) -> Result<Calibration, AnalysisError> {
    let file = cfg.skeleton_name.clone();
    let mut doc: Table = cfg
        .skeleton_text
        .parse()
        .map_err(|e: toml::de::Error| input(format!("{file}: invalid TOML: {e}")))?;
    if !(cfg.volume_per_day.is_finite() && cfg.volume_per_day > 0.0) {
        return Err(input(format!(
            "--volume-per-day: must be a positive number of trips per day, got {}",
            cfg.volume_per_day
        )));
    }
    if cfg.sel.to < cfg.sel.from {
        return Err(input(format!(
            "--to: {} is before --from {}",
            cfg.sel.to, cfg.sel.from
        )));
    }
    if cfg.budget < 2 {
        return Err(input(format!(
            "--budget: the search needs at least 2 simulations, got {}",
            cfg.budget
        )));
    }
    // Lanes and classes of the skeleton.
    let tables = |key: &str| -> Vec<Table> {
        match doc.get(key) {
            Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_table().cloned()).collect(),
            _ => Vec::new(),
        }
    };
    let lanes = tables("lanes");
    let classes = tables("classes");
    let fit_classes: Vec<usize> = classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.get("share").and_then(Value::as_str) == Some("fit"))
        .map(|(i, _)| i)
        .collect();
    // `per_hour = "fit-by-day-type"`: latent demand by day type, fitted.
    let by_day_type = doc
        .get("demand")
        .and_then(Value::as_table)
        .and_then(|d| d.get("per_hour"))
        .and_then(Value::as_str)
        == Some(FIT_BY_DAY_TYPE);
    if by_day_type && let Some(Value::Table(d)) = doc.get_mut("demand") {
        d.remove("per_hour");
    }
    let problems = skeleton_problems(&cfg.skeleton_text, &file, &fit_classes, by_day_type);
    if !problems.is_empty() {
        return Err(AnalysisError::Scenario(ScenarioError::Invalid(problems)));
    }
    let lane_ids: Vec<String> = lanes
        .iter()
        .map(|l| {
            l.get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let lane_kinds: Vec<LaneKind> = lanes
        .iter()
        .map(|l| {
            let k = l.get("kind").and_then(Value::as_str).unwrap_or("general");
            LaneKind::ALL
                .into_iter()
                .find(|x| x.as_str() == k)
                .unwrap_or(LaneKind::General)
        })
        .collect();
    for (i, k) in lane_kinds.iter().enumerate() {
        if let Some(j) = lane_kinds[..i].iter().position(|x| x == k) {
            return Err(input(format!(
                "{file}: lanes {:?} and {:?} are both of kind {}: the archive gives one lanes-open series and one posted wait per lane kind, so calibration needs one lane per kind",
                lane_ids[j],
                lane_ids[i],
                k.as_str()
            )));
        }
    }
    // Each lane's throughput per booth relative to a single inspection point: a stacked booth
    // passes `stacked_gain()` vehicles per inspection time (docs/scenario-format.md).
    let lane_gain: Vec<f64> = lanes
        .iter()
        .map(|l| match l.get("stacked").and_then(Value::as_integer) {
            Some(2) => stacked_gain(),
            _ => 1.0,
        })
        .collect();
    // --fit keys.
    let mut fit_demand = doc
        .get("demand")
        .and_then(Value::as_table)
        .is_none_or(|d| !d.contains_key("per_hour") && !d.contains_key("rate"));
    let mut fit_service: Vec<bool> = lanes.iter().map(|l| !l.contains_key("service")).collect();
    let response = doc.get("response").and_then(Value::as_table);
    let classes_have_tolerance =
        !classes.is_empty() && classes.iter().all(|c| c.contains_key("tolerance"));
    let mut fit_tolerance =
        response.is_none_or(|r| !r.contains_key("tolerance")) && !classes_have_tolerance;
    let mut fit_classes = fit_classes;
    let mut fit_elasticity = false;
    for key in &cfg.fit {
        match key.as_str() {
            "demand.per_hour" | "demand" => fit_demand = true,
            "demand.staffing_elasticity" | "staffing_elasticity" => fit_elasticity = true,
            "response.tolerance" | "tolerance" => fit_tolerance = true,
            "classes.share" | "shares" => fit_classes = (0..classes.len()).collect(),
            // Before the per-lane arm: "lanes.service" also starts with "lanes." and ends
            // with ".service", and slicing its lane id out of it panicked.
            "lanes.service" | "service" => fit_service.iter_mut().for_each(|f| *f = true),
            k if k.starts_with("lanes.") && k.ends_with(".service") => {
                let id = &k["lanes.".len()..k.len() - ".service".len()];
                match lane_ids.iter().position(|l| l == id) {
                    Some(i) => fit_service[i] = true,
                    None => {
                        return Err(input(format!(
                            "--fit {k}: no lane {id:?} in {file} (lanes: {})",
                            lane_ids.join(", ")
                        )));
                    }
                }
            }
            other => {
                return Err(input(format!(
                    "--fit {other}: unknown key (expected demand.per_hour, demand.staffing_elasticity, lanes.<id>.service, lanes.service, response.tolerance or classes.share)"
                )));
            }
        }
    }
    if fit_tolerance && classes_have_tolerance {
        return Err(input(format!(
            "--fit response.tolerance: every class of {file} gives its own tolerance; remove them to fit one"
        )));
    }
    // The readings of the period, by kind.
    let period: Vec<Reading> = cfg
        .readings
        .iter()
        .filter(|r| cfg.sel.contains(r))
        .cloned()
        .collect();
    if period.is_empty() {
        return Err(input(format!(
            "{}: no readings for port {} mode {} from {} to {}",
            cfg.observed_name,
            cfg.sel.port,
            cfg.sel.mode.as_str(),
            cfg.sel.from,
            cfg.sel.to
        )));
    }
    let means = hour_of_day_means(&period);
    for k in means.keys() {
        if !lane_kinds.contains(k) {
            return Err(input(format!(
                "{}: port {} mode {} has {} readings but {file} has no lane of kind {} (add one)",
                cfg.observed_name,
                cfg.sel.port,
                cfg.sel.mode.as_str(),
                archive_name(*k),
                k.as_str()
            )));
        }
    }
    for (i, k) in lane_kinds.iter().enumerate() {
        if !means.contains_key(k) {
            return Err(input(format!(
                "{file}: lane {:?} is of kind {} but {} has no {} readings for port {} mode {} from {} to {}",
                lane_ids[i],
                k.as_str(),
                cfg.observed_name,
                archive_name(*k),
                cfg.sel.port,
                cfg.sel.mode.as_str(),
                cfg.sel.from,
                cfg.sel.to
            )));
        }
    }
    let mut obs: Observed = vec![[(0.0, 0); 24]; lanes.len()];
    for r in &period {
        if let Some(l) = lane_kinds.iter().position(|k| *k == r.lane) {
            let e = &mut obs[l][r.hour as usize];
            e.0 += r.delay_min;
            e.1 += 1;
        }
    }
    for o in &mut obs {
        for e in o.iter_mut() {
            if e.1 > 0 {
                e.0 /= e.1 as f64;
            }
        }
    }
    // The demand cells: one for every day, or one per day type (the `DayType::ALL` order).
    let n_cells = if by_day_type { DayType::ALL.len() } else { 1 };
    let cell_of = |d: crate::port::Date| -> usize {
        if by_day_type {
            let t = DayType::of_weekday(d.weekday());
            DayType::ALL.iter().position(|x| *x == t).unwrap_or(0)
        } else {
            0
        }
    };
    let cells: Cells = if by_day_type {
        let mut c = vec![vec![[(0.0, 0usize); 24]; n_cells]; lanes.len()];
        for r in &period {
            if let Some(l) = lane_kinds.iter().position(|k| *k == r.lane) {
                let e = &mut c[l][cell_of(r.date)][r.hour as usize];
                e.0 += r.delay_min;
                e.1 += 1;
            }
        }
        for e in c.iter_mut().flatten().flat_map(|x| x.iter_mut()) {
            if e.1 > 0 {
                e.0 /= e.1 as f64;
            }
        }
        c
    } else {
        obs.iter().map(|o| vec![*o]).collect()
    };
    // Each cell's share of the period's days (weights of the volume).
    let mut cell_days = vec![0.0f64; n_cells];
    for d in 0..cfg.sel.days() as i64 {
        cell_days[cell_of(cfg.sel.from.plus_days(d))] += 1.0;
    }
    let period_days: f64 = cell_days.iter().sum();
    let cell_weight: Vec<f64> = cell_days.iter().map(|d| d / period_days).collect();
    // Staffing: the observed series from the warm-up's first day to the period's end, then the
    // median of each day type and hour.
    let start = cfg.sel.from.plus_days(-WARMUP_DAYS);
    let sim_sel = Selection {
        from: start,
        ..cfg.sel
    };
    let mut staffing_filled = Vec::new();
    let mut booth_hours_per_day = 0.0;
    let mut weekday_cap_per_hour = [0.0f64; 24];
    let mut booths_tables = Vec::new();
    let mut weekday_booths: Vec<[u32; 24]> = Vec::new();
    // Booths of each demand cell by lane: `cell_booths[cell][lane]`.
    let mut cell_booths: Vec<Vec<[u32; 24]>> = vec![Vec::new(); n_cells];
    let mut series_by_lane: Vec<Vec<[u32; 24]>> = Vec::new();
    for (i, k) in lane_kinds.iter().enumerate() {
        let s = staffing_series(&cfg.readings, &sim_sel, *k);
        staffing_filled.push((lane_ids[i].clone(), s.filled_hours, s.booths.len() * 24));
        let mut by_type: BTreeMap<DayType, Vec<[u32; 24]>> = BTreeMap::new();
        for (d, b) in s.booths.iter().enumerate() {
            let t = DayType::of_weekday(start.plus_days(d as i64).weekday());
            by_type.entry(t).or_default().push(*b);
        }
        let median = |days: &[[u32; 24]]| -> [u32; 24] {
            let mut out = [0u32; 24];
            for (h, o) in out.iter_mut().enumerate() {
                let mut v: Vec<u32> = days.iter().map(|d| d[h]).collect();
                v.sort_unstable();
                *o = v.get((v.len().max(1) - 1) / 2).copied().unwrap_or(0);
            }
            out
        };
        let weekday = by_type
            .get(&DayType::Weekday)
            .map(|d| median(d))
            .unwrap_or([0; 24]);
        let sat = by_type
            .get(&DayType::Saturday)
            .map(|d| median(d))
            .unwrap_or(weekday);
        let sun = by_type
            .get(&DayType::Sunday)
            .map(|d| median(d))
            .unwrap_or(weekday);
        // The most booths the written file opens: `max_booths` is raised to it if the skeleton
        // gives fewer (the series' most with the replay, the tables' with `--booths tables`, so
        // a day the archive reports more lanes open than the tables do not raise it).
        let most = match cfg.booths {
            BoothsOut::Series => s.booths.iter().flatten().copied().max().unwrap_or(0),
            BoothsOut::Tables => weekday
                .iter()
                .chain(&sat)
                .chain(&sun)
                .copied()
                .max()
                .unwrap_or(0),
        };
        if weekday.iter().chain(&sat).chain(&sun).all(|&b| b == 0) {
            return Err(input(format!(
                "{}: lane {:?} ({} readings): no lanes open in any hour from {} to {}",
                cfg.observed_name,
                lane_ids[i],
                archive_name(*k),
                cfg.sel.from,
                cfg.sel.to
            )));
        }
        let avg_day = |b: &[u32; 24]| b.iter().sum::<u32>() as f64;
        // Booth-hours in single-point equivalents (a stacked booth counts its gain).
        booth_hours_per_day +=
            lane_gain[i] * (5.0 * avg_day(&weekday) + avg_day(&sat) + avg_day(&sun)) / 7.0;
        for h in 0..24 {
            weekday_cap_per_hour[h] += lane_gain[i] * f64::from(weekday[h]);
        }
        let mut b = Table::new();
        b.insert("weekday".into(), int_array(&weekday));
        b.insert("saturday".into(), int_array(&sat));
        b.insert("sunday".into(), int_array(&sun));
        booths_tables.push((b, most.max(1)));
        weekday_booths.push(weekday);
        if by_day_type {
            cell_booths[0].push(weekday);
            cell_booths[1].push(sat);
            cell_booths[2].push(sun);
        } else {
            cell_booths[0].push(weekday);
        }
        series_by_lane.push(s.booths.clone());
    }
    // The frame: the skeleton with the period, the staffing and a response; without a name,
    // the skeleton's file name (as `garita run` names a scenario).
    let days = cfg.sel.days() as i64;
    if !doc.contains_key("name") {
        let stem = std::path::Path::new(&file)
            .file_stem()
            .map(|s| s.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let name: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .take(64)
            .collect();
        doc.insert(
            "name".into(),
            Value::String(if name.is_empty() {
                "calibrated".into()
            } else {
                name
            }),
        );
    }
    doc.insert("seed".into(), Value::Integer(cfg.seed as i64));
    doc.insert("start".into(), Value::String(start.to_string()));
    doc.insert(
        "horizon".into(),
        Value::String(format!("{}d", days + WARMUP_DAYS)),
    );
    doc.insert("warmup".into(), Value::String(format!("{WARMUP_DAYS}d")));
    if let Some(Value::Array(ls)) = doc.get_mut("lanes") {
        for (l, (b, most)) in ls.iter_mut().zip(&booths_tables) {
            if let Value::Table(t) = l {
                t.insert("booths".into(), Value::Table(b.clone()));
                let given = t.get("max_booths").and_then(Value::as_integer).unwrap_or(0);
                t.insert(
                    "max_booths".into(),
                    Value::Integer(given.max(i64::from(*most))),
                );
            }
        }
    }
    if !doc.contains_key("response") {
        let mut r = Table::new();
        r.insert("posted_update".into(), Value::String("15m".into()));
        r.insert("shift".into(), Value::Float(0.0));
        doc.insert("response".into(), Value::Table(r));
    }
    let fixed_share_sum: f64 = classes
        .iter()
        .enumerate()
        .filter(|(i, _)| !fit_classes.contains(i))
        .map(|(_, c)| {
            c.get("share")
                .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                .unwrap_or(0.0)
        })
        .sum();
    if !fit_classes.is_empty() && fixed_share_sum >= 1.0 {
        return Err(input(format!(
            "{file}: classes: the shares that are not \"fit\" already sum to {fixed_share_sum}; nothing is left to fit"
        )));
    }
    // Scalars and their start.
    let mut scalars = Vec::new();
    let mut x0 = Vec::new();
    let mut kinds_done: Vec<LaneKind> = Vec::new();
    // A booth cycle that makes the average day's capacity the volume (in a stacked lane, the
    // inspection point's time whose booths give that capacity).
    let cycle0 = 3600.0 * booth_hours_per_day / cfg.volume_per_day;
    for (i, k) in lane_kinds.iter().enumerate() {
        if fit_service[i] && !kinds_done.contains(k) {
            kinds_done.push(*k);
            let (lo, hi) = service_bounds_s(cfg.sel.mode, *k);
            let hi = hi * lane_gain[i];
            scalars.push(Scalar {
                key: format!("lanes.{}.service.mean", lane_ids[i]),
                what: ScalarKind::Service(*k),
                lo,
                hi,
                unit: "s",
            });
            x0.push(cycle0.clamp(lo, hi).ln());
        }
    }
    if fit_tolerance {
        // Searched as (20% quantile, sd of the log); bounded and reported as mean and sd / mean.
        let (m0, s0) = TOLERANCE_START_MIN;
        let sigma0 = sigma_of_cv(s0 / m0);
        scalars.push(Scalar {
            key: "response.tolerance.mean".into(),
            what: ScalarKind::ToleranceLow,
            lo: 1.0,
            hi: TOLERANCE_MEAN_BOUNDS_MIN.1,
            unit: "min",
        });
        x0.push(low_quantile(m0, sigma0).ln());
        scalars.push(Scalar {
            key: "response.tolerance.sd/mean".into(),
            what: ScalarKind::ToleranceSigma,
            lo: sigma_of_cv(TOLERANCE_CV_BOUNDS.0),
            hi: sigma_of_cv(TOLERANCE_CV_BOUNDS.1),
            unit: "",
        });
        x0.push(sigma0.ln());
    }
    if fit_elasticity {
        let (lo, hi) = STAFFING_ELASTICITY_BOUNDS;
        scalars.push(Scalar {
            key: "demand.staffing_elasticity".into(),
            what: ScalarKind::StaffingElasticity,
            lo,
            hi,
            unit: "",
        });
        x0.push(STAFFING_ELASTICITY_START.ln());
    }
    if fit_classes.len() > 1 {
        for &c in &fit_classes {
            scalars.push(Scalar {
                key: format!(
                    "classes.{}.share",
                    classes[c].get("id").and_then(Value::as_str).unwrap_or("")
                ),
                what: ScalarKind::ClassWeight(c),
                lo: 0.01,
                hi: 100.0,
                unit: "",
            });
            x0.push(0.0);
        }
    }
    let frame = Frame {
        base: doc,
        lane_ids: lane_ids.clone(),
        lane_kinds: lane_kinds.clone(),
        class_ids: classes
            .iter()
            .map(|c| {
                c.get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            })
            .collect(),
        fit_classes: fit_classes.clone(),
        fixed_share_sum,
        fit_demand,
        scalars,
        fixed_cycle: lanes
            .iter()
            .map(|l| {
                l.get("service")
                    .and_then(Value::as_table)
                    .and_then(|t| t.get("mean"))
                    .and_then(|v| match v {
                        Value::String(s) => scenario::parse_duration_s(s),
                        Value::Integer(i) => Some(*i as f64),
                        Value::Float(f) => Some(*f),
                        _ => None,
                    })
                    .unwrap_or(cycle0)
            })
            .collect(),
        lane_gain: lane_gain.clone(),
        series: match cfg.booths {
            BoothsOut::Series => Some(series_by_lane.clone()),
            BoothsOut::Tables => None,
        },
        file: file.clone(),
    };
    // The start of the demand: a fluid inversion of the observed waits. With every lane at the
    // start cycle, capacity(h) = weekday booths(h) x 3600 / cycle, the queue at hour h is
    // W(h) x capacity(h) and trips made in hour h are capacity(h) + queue(h+1) - queue(h) (at
    // least 5% of capacity); latent trips are those over 1 - F(W(h)) of the start tolerance;
    // then scaled so that trips made sum to the volume. By day type, the same for each day
    // type with its observed waits and its booths, scaled so that the trips made of an average
    // day of the period (each day type weighted by its days) sum to the volume.
    let mut per_hour = vec![[0.0; 24]; n_cells];
    if fit_demand && !by_day_type {
        let (tm, ts) = TOLERANCE_START_MIN;
        let mut w = [0.0; 24];
        for (h, wh) in w.iter_mut().enumerate() {
            let (mut sum, mut n) = (0.0, 0usize);
            for o in &obs {
                sum += o[h].0 * o[h].1 as f64;
                n += o[h].1;
            }
            *wh = if n > 0 { sum / n as f64 } else { 0.0 };
        }
        let cap: Vec<f64> = weekday_cap_per_hour
            .iter()
            .map(|b| b.max(0.5) * 3600.0 / cycle0)
            .collect();
        let queue = |h: usize| w[h % 24] / 60.0 * cap[h % 24];
        let mut made = [0.0; 24];
        for h in 0..24 {
            made[h] = (cap[h] + queue(h + 1) - queue(h)).max(0.05 * cap[h]);
            per_hour[0][h] = made[h] / (1.0 - lognormal_cdf(w[h], tm, ts)).max(0.05);
        }
        let total: f64 = made.iter().sum();
        for v in &mut per_hour[0] {
            *v *= cfg.volume_per_day / total;
        }
    } else if fit_demand {
        let (tm, ts) = TOLERANCE_START_MIN;
        let mut total = 0.0;
        for c in 0..n_cells {
            let mut w = [0.0; 24];
            for (h, wh) in w.iter_mut().enumerate() {
                let (mut sum, mut n) = (0.0, 0usize);
                for lane in &cells {
                    sum += lane[c][h].0 * lane[c][h].1 as f64;
                    n += lane[c][h].1;
                }
                *wh = if n > 0 { sum / n as f64 } else { 0.0 };
            }
            let cap: Vec<f64> = (0..24)
                .map(|h| {
                    let b: f64 = cell_booths[c]
                        .iter()
                        .zip(&lane_gain)
                        .map(|(b, g)| g * f64::from(b[h]))
                        .sum();
                    b.max(0.5) * 3600.0 / cycle0
                })
                .collect();
            let queue = |h: usize| w[h % 24] / 60.0 * cap[h % 24];
            for h in 0..24 {
                let made = (cap[h] + queue(h + 1) - queue(h)).max(0.05 * cap[h]);
                per_hour[c][h] = made / (1.0 - lognormal_cdf(w[h], tm, ts)).max(0.05);
                total += cell_weight[c] * made;
            }
        }
        for v in per_hour.iter_mut().flatten() {
            *v *= cfg.volume_per_day / total;
        }
    }
    let mut cur = Point { x: x0, per_hour };
    let clamp = |frame: &Frame, p: &mut Point| {
        for (x, s) in p.x.iter_mut().zip(&frame.scalars) {
            *x = x.clamp(s.lo.ln(), s.hi.ln());
        }
        // The tolerance mean within its bounds: the quantile moves, the sd of the log stays.
        let at = |k| frame.scalars.iter().position(|s| s.what == k);
        if let (Some(iq), Some(is)) = (at(ScalarKind::ToleranceLow), at(ScalarKind::ToleranceSigma))
        {
            let sigma = p.x[is].exp();
            let (m, _) = tolerance_mean_cv(p.x[iq].exp(), sigma);
            let (lo, hi) = TOLERANCE_MEAN_BOUNDS_MIN;
            p.x[iq] = low_quantile(m.clamp(lo, hi), sigma).ln();
        }
    };
    clamp(&frame, &mut cur);
    // Evaluations.
    let mut sims = 0usize;
    // The cell of each simulated day (None: warm-up).
    let day_cells: Vec<Option<usize>> = (0..cfg.sel.days() as i64 + WARMUP_DAYS)
        .map(|d| (d >= WARMUP_DAYS).then(|| cell_of(start.plus_days(d))))
        .collect();
    let run = |points: &[Point], sims: &mut usize| -> Result<Vec<Eval>, AnalysisError> {
        let configs = points
            .iter()
            .map(|p| frame.config(&frame.doc(p, 1)))
            .collect::<Result<Vec<_>, _>>()?;
        *sims += points.len();
        if !by_day_type {
            let res = run_replications(&configs, cfg.threads, None)?;
            return Ok(res
                .iter()
                .map(|r| evaluate(&r[0], None, &day_cells, &cells, cfg.volume_per_day))
                .collect());
        }
        // By day type: each day's posted wait (replication 0, as `run_replications` runs it).
        let res = crate::experiment::in_pool(cfg.threads, || {
            use rayon::prelude::*;
            configs
                .par_iter()
                .map(|c| {
                    let update = c
                        .response
                        .as_ref()
                        .map_or(SimTime::from_secs_f64(900.0), |r| r.posted_update);
                    crate::port::simulate_posted(c, 0, update)
                })
                .collect::<Vec<_>>()
        })?;
        Ok(res
            .iter()
            .map(|(r, p)| evaluate(r, Some(p), &day_cells, &cells, cfg.volume_per_day))
            .collect())
    };
    let mut best = run(std::slice::from_ref(&cur), &mut sims)?.remove(0);
    let n = frame.scalars.len();
    // The search directions (orthonormal, in log space): the scalars' axes at first, then
    // rotated after each round that moved (Rosenbrock), so that the first direction follows
    // the round's progress, e.g. along a ridge where two scalars trade off.
    let mut dirs = axes(n);
    let mut steps = vec![FIRST_STEP; n];
    // The objective where the current descent began (the start, then each restart).
    let mut descent_from = best.objective;
    let mut round = 0usize;
    let mut descents = 0usize;
    let mut converged = false;
    let report = |round: usize, sims: usize, e: &Eval| {
        on_step(&Step {
            round,
            sims,
            budget: cfg.budget,
            objective: e.objective,
            rmse_min: e.rmse_min,
            arrivals_per_day: e.arrivals_per_day,
        })
    };
    report(0, sims, &best);
    'search: loop {
        round += 1;
        let round_start = cur.x.clone();
        let mut demand_improved = false;
        if fit_demand {
            if sims + 2 > cfg.budget {
                break 'search;
            }
            let cands: Vec<Point> = [1.0, 0.5]
                .iter()
                .map(|&g| {
                    demand_step(
                        &cur,
                        &best,
                        &cells,
                        &cell_booths
                            .iter()
                            .map(|b| lane_caps(&frame, &cur, b))
                            .collect::<Vec<_>>(),
                        &cell_weight,
                        g,
                        cfg.volume_per_day,
                    )
                })
                .collect();
            let evals = run(&cands, &mut sims)?;
            if let Some((i, e)) = pick(&evals, best.objective) {
                cur = cands[i].clone();
                best = e;
                demand_improved = true;
            }
            report(round, sims, &best);
        }
        // The move of the round along each direction.
        let mut along = vec![0.0; n];
        for i in 0..n {
            if steps[i] < MIN_STEP {
                continue;
            }
            if sims + 2 > cfg.budget {
                break 'search;
            }
            let cands: Vec<Point> = [1.0, -1.0]
                .iter()
                .map(|&sgn| {
                    let mut p = cur.clone();
                    for (x, d) in p.x.iter_mut().zip(&dirs[i]) {
                        *x += sgn * steps[i] * d;
                    }
                    clamp(&frame, &mut p);
                    p
                })
                .collect();
            let evals = run(&cands, &mut sims)?;
            match pick(&evals, best.objective) {
                Some((c, e)) => {
                    along[i] += cands[c]
                        .x
                        .iter()
                        .zip(&cur.x)
                        .zip(&dirs[i])
                        .map(|((a, b), d)| (a - b) * d)
                        .sum::<f64>();
                    cur = cands[c].clone();
                    best = e;
                    steps[i] = (steps[i] * 2.0).min(MAX_STEP);
                }
                None => steps[i] *= 0.5,
            }
            report(round, sims, &best);
        }
        if along.iter().any(|a| *a != 0.0) {
            dirs = rotated(&dirs, &along);
        } else {
            // A round in which no direction moved: the rotated directions did not pay (far
            // from the optimum, where the objective is rough, they can stall the search):
            // back to the axes, with the halved steps.
            dirs = axes(n);
        }
        // Pattern move: along the round's whole move, once and twice again.
        let moved: Vec<f64> = cur.x.iter().zip(&round_start).map(|(a, b)| a - b).collect();
        if moved.iter().any(|d| d.abs() > 0.0) {
            if sims + 2 > cfg.budget {
                break 'search;
            }
            let cands: Vec<Point> = [1.0, 2.0]
                .iter()
                .map(|&k| {
                    let mut p = cur.clone();
                    for (x, d) in p.x.iter_mut().zip(&moved) {
                        *x += k * d;
                    }
                    clamp(&frame, &mut p);
                    p
                })
                .collect();
            let evals = run(&cands, &mut sims)?;
            if let Some((c, e)) = pick(&evals, best.objective) {
                cur = cands[c].clone();
                best = e;
            }
            report(round, sims, &best);
        }
        if !demand_improved && steps.iter().all(|&s| s < MIN_STEP) {
            descents += 1;
            // A descent that ended below where it began may have stopped where its small steps
            // no longer follow a ridge: restart from here with the first step along the
            // scalars' axes, until a descent no longer improves.
            if best.objective < descent_from {
                descent_from = best.objective;
                steps = vec![FIRST_STEP; n];
                dirs = axes(n);
            } else {
                converged = true;
                break;
            }
        }
        if sims + 2 > cfg.budget {
            break;
        }
    }
    // The final run: the calibrated document with `final_replications`.
    let search_doc = frame.doc(&cur, cfg.final_replications.max(2));
    let config = frame.config(&search_doc)?;
    let mut doc = search_doc;
    let series_files: Vec<String> = lane_ids
        .iter()
        .map(|id| format!("booths-{id}.csv"))
        .collect();
    if let Some(Value::Array(ls)) = doc.get_mut("lanes") {
        for (l, name) in ls.iter_mut().zip(&series_files) {
            if let Value::Table(t) = l {
                let mut b = Table::new();
                b.insert("series".into(), Value::String(name.clone()));
                t.insert("booths".into(), Value::Table(b));
            }
        }
    }
    let text = toml::to_string(&doc).map_err(|e| input(format!("{file}: {e}")))?;
    let final_run = run_replications(std::slice::from_ref(&config), cfg.threads, None)?.remove(0);
    let mut rows = Vec::new();
    let mut sim_mean = vec![[f64::NAN; 24]; lanes.len()];
    for (l, o) in obs.iter().enumerate() {
        for h in 0..24 {
            let vals: Vec<f64> = final_run
                .iter()
                .map(|r| {
                    r.group(GroupRef::Lane(l)).map_or(f64::NAN, |g| {
                        g.hourly[h][HourlyMetric::PostedWaitMean as usize] / 60.0
                    })
                })
                .collect();
            let ci = mean_ci(&vals);
            sim_mean[l][h] = ci.mean;
            if o[h].1 > 0 {
                rows.push(FitRow {
                    lane: lane_kinds[l],
                    hour: h,
                    observed_mean_min: o[h].0,
                    simulated_mean_min: ci.mean,
                    ci95: ci.ci95,
                    error_min: ci.mean - o[h].0,
                    n_observed: o[h].1,
                });
            }
        }
    }
    let by_kind = lane_kinds
        .iter()
        .enumerate()
        .map(|(l, k)| {
            let pairs = period.iter().filter(|r| r.lane == *k).filter_map(|r| {
                let s = sim_mean[l][r.hour as usize];
                s.is_finite().then_some((s, r.delay_min))
            });
            (*k, ErrorSummary::of(pairs))
        })
        .collect();
    let arrivals: Vec<f64> = final_run
        .iter()
        .filter_map(|r| r.group(GroupRef::All))
        .map(|g| g.metric(Metric::ArrivalsPerDay))
        .collect();
    let a = mean_ci(&arrivals);
    let forgone: Vec<f64> = final_run
        .iter()
        .filter_map(|r| r.group(GroupRef::All))
        .map(|g| g.metric(Metric::ForgoneShare))
        .collect();
    let weight_sum: f64 = frame
        .scalars
        .iter()
        .zip(&cur.x)
        .filter(|(s, _)| matches!(s.what, ScalarKind::ClassWeight(_)))
        .map(|(_, x)| x.exp())
        .sum();
    let room = 1.0 - frame.fixed_share_sum;
    let value_of = |k: ScalarKind| frame.value(&cur, k).unwrap_or(f64::NAN);
    let params = frame
        .scalars
        .iter()
        .zip(&cur.x)
        .map(|(s, &x)| {
            let v = x.exp();
            let at = bound_of(v, s.lo, s.hi);
            if s.what == ScalarKind::ToleranceLow || s.what == ScalarKind::ToleranceSigma {
                let q = value_of(ScalarKind::ToleranceLow);
                let sigma = value_of(ScalarKind::ToleranceSigma);
                let (m, cv) = tolerance_mean_cv(q, sigma);
                let (v, (lo, hi)) = if s.what == ScalarKind::ToleranceLow {
                    (m, TOLERANCE_MEAN_BOUNDS_MIN)
                } else {
                    (cv, TOLERANCE_CV_BOUNDS)
                };
                return FittedParam {
                    key: s.key.clone(),
                    value: v,
                    unit: s.unit,
                    bounds: (lo, hi),
                    at: bound_of(v, lo, hi),
                };
            }
            // A class weight is reported as the share it gives.
            if matches!(s.what, ScalarKind::ClassWeight(_)) {
                return FittedParam {
                    key: s.key.clone(),
                    value: room * v / weight_sum,
                    unit: "",
                    bounds: (
                        room * s.lo / (s.lo + weight_sum - v),
                        room * s.hi / (s.hi + weight_sum - v),
                    ),
                    at,
                };
            }
            FittedParam {
                key: s.key.clone(),
                value: v,
                unit: s.unit,
                bounds: (s.lo, s.hi),
                at,
            }
        })
        .collect();
    let mut fitted = Vec::new();
    if fit_demand {
        fitted.push(if by_day_type {
            "demand.per_hour (by day type)".to_string()
        } else {
            "demand.per_hour".to_string()
        });
    }
    for (i, id) in frame.lane_ids.iter().enumerate() {
        if fit_service[i] {
            fitted.push(format!("lanes.{id}.service"));
        }
    }
    if fit_tolerance {
        fitted.push("response.tolerance".to_string());
    }
    if fit_elasticity {
        fitted.push("demand.staffing_elasticity".to_string());
    }
    for &c in &fit_classes {
        fitted.push(format!("classes.{}.share", frame.class_ids[c]));
    }
    Ok(Calibration {
        doc,
        text,
        config,
        fitted,
        params,
        rows,
        by_kind,
        sims,
        rounds: round,
        converged,
        descents,
        objective: best.objective,
        staffing_filled,
        start,
        series: series_files.into_iter().zip(series_by_lane).collect(),
        booth_tables: booths_tables.into_iter().map(|(b, _)| b).collect(),
        arrivals_per_day: (a.mean, a.ci95),
        forgone_share: mean_ci(&forgone).mean,
        final_run,
    })
}

/// The archive's name of a lane kind.
pub fn archive_name(k: LaneKind) -> &'static str {
    match k {
        LaneKind::General => "STANDARD",
        LaneKind::Ready => "READY",
        LaneKind::Sentri => "SENTRI",
        LaneKind::Fast => "FAST",
    }
}

/// Where `v` sits against `[lo, hi]` (within 1% of a bound is on it).
fn bound_of(v: f64, lo: f64, hi: f64) -> Bound {
    if v <= lo * 1.01 {
        Bound::Lower
    } else if v >= hi / 1.01 {
        Bound::Upper
    } else {
        Bound::Inside
    }
}

/// z of the 20% quantile of a standard normal.
const Z20: f64 = -0.841_621_233_572_914_3;

/// The sd of the log of a log-normal with sd / mean `cv`.
fn sigma_of_cv(cv: f64) -> f64 {
    libm::log(1.0 + cv * cv).sqrt()
}

/// The 20% quantile of a log-normal of mean `m` whose log has sd `sigma`.
fn low_quantile(m: f64, sigma: f64) -> f64 {
    (libm::log(m) - 0.5 * sigma * sigma + Z20 * sigma).exp()
}

/// Mean and sd / mean of the log-normal whose 20% quantile is `q` and whose log has sd `sigma`.
fn tolerance_mean_cv(q: f64, sigma: f64) -> (f64, f64) {
    let mu = libm::log(q) - Z20 * sigma;
    (
        (mu + 0.5 * sigma * sigma).exp(),
        (libm::exp(sigma * sigma) - 1.0).sqrt(),
    )
}

/// The scalars' axes: `n` unit vectors.
fn axes(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect()
}

/// Rosenbrock's rotation of the search directions after a round that moved `along[i]` along
/// direction `i`: the new directions are the Gram-Schmidt orthonormalisation of
/// `A_i = sum_{j >= i} along[j] dirs[j]` (so the first is the round's whole move), completed by
/// the old directions where a sum vanishes (a direction that did not move).
fn rotated(dirs: &[Vec<f64>], along: &[f64]) -> Vec<Vec<f64>> {
    let n = dirs.len();
    let mut cands: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let mut a = vec![0.0; n];
            for j in i..n {
                for (ak, dk) in a.iter_mut().zip(&dirs[j]) {
                    *ak += along[j] * dk;
                }
            }
            a
        })
        .collect();
    cands.extend(dirs.iter().cloned());
    let mut out: Vec<Vec<f64>> = Vec::with_capacity(n);
    for mut v in cands {
        if out.len() == n {
            break;
        }
        let norm0 = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm0 == 0.0 {
            continue;
        }
        for u in &out {
            let dot: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
            for (vk, uk) in v.iter_mut().zip(u) {
                *vk -= dot * uk;
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        // What is left of a vector already (nearly) spanned is noise: skip it.
        if norm > 1e-6 * norm0 {
            out.push(v.iter().map(|x| x / norm).collect());
        }
    }
    out
}

/// The best of `evals` if it is below `objective` (the first on a tie).
fn pick(evals: &[Eval], objective: f64) -> Option<(usize, Eval)> {
    let (i, e) = evals
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.objective.total_cmp(&b.1.objective))?;
    (e.objective < objective).then(|| (i, e.clone()))
}

/// Each lane's weekday capacity per hour (vehicles) at point `p` (lanes whose cycle is fixed
/// count at the start cycle).
fn lane_caps(frame: &Frame, p: &Point, weekday_booths: &[[u32; 24]]) -> Vec<[f64; 24]> {
    weekday_booths
        .iter()
        .enumerate()
        .map(|(l, b)| {
            let cycle = frame
                .value(p, ScalarKind::Service(frame.lane_kinds[l]))
                .unwrap_or(frame.fixed_cycle[l]);
            let mut c = [0.0; 24];
            for h in 0..24 {
                c[h] = frame.lane_gain[l] * f64::from(b[h]) * 3600.0 / cycle;
            }
            c
        })
        .collect()
}

/// The demand step with gain `g`: the fluid change of trips made that moves each lane's
/// queue by its wait error (queue(h) = wait(h) x capacity(h), trips made in hour h =
/// capacity + queue(h+1) - queue(h)), applied to the latent rate in proportion, then the
/// profile times `V / A`.
///
/// With one cell per day type, the same in each cell (`caps[cell][lane]`): its lanes' wait
/// errors and booths, and its trips made estimated as the run's trips made in that hour times
/// the cell's latent rate over the period's mean latent rate (`weight`: each cell's share of
/// the period's days).
fn demand_step(
    cur: &Point,
    best: &Eval,
    cells: &Cells,
    caps: &[Vec<[f64; 24]>],
    weight: &[f64],
    g: f64,
    volume: f64,
) -> Point {
    let mut p = cur.clone();
    let n_cells = cur.per_hour.len();
    for c in 0..n_cells {
        // The queue change (vehicles) each lane needs at each clock hour.
        let mut dq = [0.0; 24];
        for (l, lane) in cells.iter().enumerate() {
            let o = &lane[c];
            for h in 0..24 {
                if o[h].1 > 0 {
                    let s = if best.sim[l][c][h].is_finite() {
                        best.sim[l][c][h]
                    } else {
                        0.0
                    };
                    dq[h] += (o[h].0 - s) / 60.0 * caps[c][l][h];
                }
            }
        }
        for h in 0..24 {
            let made = if n_cells == 1 {
                best.made[h].max(1.0)
            } else {
                let mean: f64 = (0..n_cells).map(|k| weight[k] * cur.per_hour[k][h]).sum();
                if mean > 0.0 {
                    (best.made[h] * cur.per_hour[c][h] / mean).max(1.0)
                } else {
                    1.0
                }
            };
            let change = dq[(h + 1) % 24] - dq[h];
            p.per_hour[c][h] *= ((made + g * change) / made).clamp(0.5, 2.0);
        }
    }
    let level = (volume / best.arrivals_per_day.max(1.0)).clamp(0.5, 2.0);
    for v in p.per_hour.iter_mut().flatten() {
        *v *= level;
    }
    p
}

#[cfg(test)]
mod tests {
    //! Recovery of known parameters from a synthetic port simulated by garita itself.
    use super::*;
    use crate::analysis::observed::parse_archive;
    use crate::port::test_support::test_seed;
    use crate::port::{Date, ServiceDist};
    use crate::stats::student_t_quantile;

    /// Family-wise false-failure level of the recovery checks.
    const FAMILY_ALPHA: f64 = 0.01;
    /// Replications of the synthetic truth.
    const TRUTH_REPS: u32 = 8;

    const LATENT: &str = "[60, 45, 40, 40, 60, 150, 330, 420, 470, 450, 420, 400, 400, \
                          420, 450, 480, 470, 430, 380, 320, 250, 180, 120, 80]";
    const GENERAL_BOOTHS: &str = "{ weekday = [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1], \
        saturday = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1], \
        sunday = [1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1] }";
    const READY_BOOTHS: &str = "{ weekday = [1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1], \
        saturday = [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 1, 1, 1], \
        sunday = [1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1] }";

    /// True values: general and Ready booth cycles (s), tolerance mean (min) and sd / mean.
    const TRUE_GENERAL_S: f64 = 60.0;
    const TRUE_READY_S: f64 = 45.0;
    const TRUE_TOL_MIN: f64 = 90.0;
    const TRUE_TOL_CV: f64 = 2.0 / 3.0;

    /// The calibration of the synthetic port (crossing 999901, cars) on `from..=to`: `fit`
    /// nothing beyond what the skeleton leaves out, budget 200, the search seed moved with
    /// `GARITA_TEST_SEED` (1 when it is not set, so that a calibration run of a test samples the
    /// search's noise too), every core, two final replications, the replayed series. Tests
    /// change what they need with `..synthetic_config(..)`.
    pub(super) fn synthetic_config(
        skeleton_text: String,
        readings: Vec<Reading>,
        from: Date,
        to: Date,
        volume_per_day: f64,
    ) -> CalibrateConfig {
        CalibrateConfig {
            skeleton_text,
            skeleton_name: "synthetic.toml".into(),
            readings,
            observed_name: "synthetic.csv".into(),
            sel: Selection {
                port: 999_901,
                mode: Mode::Pov,
                from,
                to,
            },
            volume_per_day,
            fit: Vec::new(),
            budget: 200,
            seed: test_seed(1) & (i64::MAX as u64),
            threads: 0,
            final_replications: 2,
            booths: BoothsOut::Series,
        }
    }

    fn skeleton() -> String {
        format!(
            "name = \"synthetic\"\n\
             [demand]\nper_hour = {LATENT}\n\
             [[classes]]\nid = \"general\"\nshare = 0.3\nlanes = [\"general\"]\n\
             [[classes]]\nid = \"ready\"\nshare = 0.7\nlanes = [\"ready\", \"general\"]\n\
             [[lanes]]\nid = \"general\"\nkind = \"general\"\n\
             [[lanes]]\nid = \"ready\"\nkind = \"ready\"\n\
             [response]\nposted_update = \"15m\"\nshift = 0.0\n"
        )
    }

    fn truth(start: Date, days: i64, seed: u64) -> PortConfig {
        let text = format!(
            "name = \"synthetic\"\nseed = {seed}\nstart = \"{start}\"\n\
             horizon = \"{}d\"\nwarmup = \"{WARMUP_DAYS}d\"\nreplications = {TRUTH_REPS}\n\
             [demand]\nper_hour = {LATENT}\n\
             [[classes]]\nid = \"general\"\nshare = 0.3\nlanes = [\"general\"]\n\
             [[classes]]\nid = \"ready\"\nshare = 0.7\nlanes = [\"ready\", \"general\"]\n\
             [[lanes]]\nid = \"general\"\nkind = \"general\"\nbooths = {GENERAL_BOOTHS}\n\
             service = {{ dist = \"lognormal\", mean = \"{TRUE_GENERAL_S}s\", sd = \"{}s\" }}\n\
             [[lanes]]\nid = \"ready\"\nkind = \"ready\"\nbooths = {READY_BOOTHS}\n\
             service = {{ dist = \"lognormal\", mean = \"{TRUE_READY_S}s\", sd = \"{}s\" }}\n\
             [response]\nposted_update = \"15m\"\nshift = 0.0\n\
             tolerance = {{ dist = \"lognormal\", mean = \"{TRUE_TOL_MIN}m\", sd = \"{}m\" }}\n",
            days + WARMUP_DAYS,
            TRUE_GENERAL_S * SERVICE_CV,
            TRUE_READY_S * SERVICE_CV,
            TRUE_TOL_MIN * TRUE_TOL_CV,
        );
        scenario::parse_str(&text, "truth.toml")
            .expect("the synthetic truth is valid")
            .config
    }

    /// Posted wait (min) by lane and hour, and trips made per day, of one replication.
    fn outputs(r: &ReplicationResult, lanes: usize) -> (Vec<f64>, f64) {
        let mut v = Vec::new();
        for l in 0..lanes {
            let g = r.group(GroupRef::Lane(l)).expect("lane group");
            for h in 0..24 {
                v.push(g.hourly[h][HourlyMetric::PostedWaitMean as usize] / 60.0);
            }
        }
        let a = r
            .group(GroupRef::All)
            .expect("all")
            .metric(Metric::ArrivalsPerDay);
        (v, a)
    }

    fn set_params(cfg: &mut PortConfig, x: &[f64; 4]) {
        for (l, &m) in [x[0], x[1]].iter().enumerate() {
            cfg.lanes[l].service = ServiceDist::LogNormal {
                mean_s: m,
                sd_s: m * SERVICE_CV,
            };
        }
        let r = cfg.response.as_mut().expect("response");
        r.tolerance = Some(ServiceDist::LogNormal {
            mean_s: x[2] * 60.0,
            sd_s: x[2] * 60.0 * x[3],
        });
    }

    /// The search's objective of `cfg` (one replication with the search's seed, common random
    /// numbers) against the observed means `obs` and the volume.
    fn objective_of(cfg: &PortConfig, obs: &[f64], volume: f64) -> f64 {
        let mut c = cfg.clone();
        c.replications = 1;
        c.seed = test_seed(1) & (i64::MAX as u64);
        let r = run_replications(std::slice::from_ref(&c), 0, None)
            .expect("runs")
            .remove(0);
        let (v, a) = outputs(&r[0], 2);
        let mse = v
            .iter()
            .zip(obs)
            .map(|(s, o)| {
                if s.is_finite() {
                    (s - o).powi(2)
                } else {
                    o * o
                }
            })
            .sum::<f64>()
            / obs.len() as f64;
        let vol = 100.0 * (a - volume) / volume;
        mse + vol * vol
    }

    /// Prints how the search ended: its objective at the fit and at `truth` (the fitted
    /// configuration with the true values, under the search's random numbers), simulations,
    /// descents and whether it converged.
    fn print_search(cal: &Calibration, truth: &PortConfig, obs: &[f64], volume: f64) {
        eprintln!(
            "search: objective at the fit {:.4}, at the truth {:.4} (the search's random numbers); {} simulations, {} descents, converged: {}",
            cal.objective,
            objective_of(truth, obs, volume),
            cal.sims,
            cal.descents,
            cal.converged
        );
    }

    /// Simulates a synthetic port with known inspection times and tolerance, writes its posted
    /// waits in the archive's shape, calibrates a skeleton that leaves them out, and checks
    /// that each fitted value is within its derived tolerance of the truth.
    ///
    /// Tolerance (log scale) of parameter i: the two-sided `1 - FAMILY_ALPHA / (2 x 4)`
    /// Student-t quantile (TRUTH_REPS - 1 degrees of freedom) times the linearised standard
    /// error of the weighted least-squares estimate, plus twice the search's final step.
    /// Linearised: theta_hat - theta = -(J'WJ)^-1 J'W e, where J is the Jacobian of the
    /// residuals (simulated minus observed hourly posted waits, and the volume error in
    /// percent) by central differences at the fit under common random numbers, W the
    /// objective's weights, and e the residuals' noise: the observed means average TRUTH_REPS
    /// replications and the search simulates one, so Cov(J'W e) is the empirical covariance of
    /// one replication's J'W (outputs - mean) across the truth's replications, times
    /// 1 + 1 / TRUTH_REPS (hours not taken as independent).
    #[test]
    fn calibration_recovers_known_inspection_times_and_tolerance() {
        let from = Date::parse("2025-03-03").expect("valid");
        let days = 28i64;
        let to = from.plus_days(days - 1);
        let start = from.plus_days(-WARMUP_DAYS);
        let truth_cfg = truth(start, days, test_seed(7) & (i64::MAX as u64));
        let (outs, obs, volume) = observe(&truth_cfg);
        let m = obs.len();
        // The archive: one reading per lane, day and hour, with the lanes open that day.
        let readings = synthetic_archive(from, days as usize, &obs, |l, _, date| {
            *truth_cfg.lanes[l].booths_on(DayType::of_weekday(date.weekday()))
        });
        let cal = calibrate(
            &synthetic_config(skeleton(), readings, from, to, volume),
            &|_| {},
        )
        .expect("calibrates");
        {
            let mut t = cal.config.clone();
            set_params(
                &mut t,
                &[TRUE_GENERAL_S, TRUE_READY_S, TRUE_TOL_MIN, TRUE_TOL_CV],
            );
            print_search(&cal, &t, &obs, volume);
        }
        assert_eq!(
            cal.fitted,
            [
                "lanes.general.service",
                "lanes.ready.service",
                "response.tolerance"
            ]
        );
        let fitted: [f64; 4] = std::array::from_fn(|i| cal.params[i].value);
        let truth_x = [TRUE_GENERAL_S, TRUE_READY_S, TRUE_TOL_MIN, TRUE_TOL_CV];
        // Jacobian of the residuals in log parameters at the fit, common random numbers.
        let mut base = cal.config.clone();
        base.replications = 1;
        base.seed = test_seed(1) & (i64::MAX as u64);
        let h = 0.05;
        let mut configs = Vec::new();
        for i in 0..4 {
            for sgn in [1.0, -1.0] {
                let mut x = fitted;
                x[i] *= f64::exp(sgn * h);
                let mut c = base.clone();
                set_params(&mut c, &x);
                configs.push(c);
            }
        }
        let runs = run_replications(&configs, 0, None).expect("runs");
        let resid = |r: &ReplicationResult| -> Vec<f64> {
            let (v, a) = outputs(r, 2);
            let mut out: Vec<f64> = v
                .iter()
                .zip(&obs)
                .map(|(s, o)| if s.is_finite() { s - o } else { -o })
                .collect();
            out.push(100.0 * (a - volume) / volume);
            out
        };
        let n = m + 1;
        let mut jac = vec![[0.0f64; 4]; n];
        for i in 0..4 {
            let up = resid(&runs[2 * i][0]);
            let down = resid(&runs[2 * i + 1][0]);
            for k in 0..n {
                jac[k][i] = (up[k] - down[k]) / (2.0 * h);
            }
        }
        // Weights of the objective: each hour's readings over all readings (equal here), 1 for
        // the volume term.
        let w: Vec<f64> = (0..n)
            .map(|k| if k < m { 1.0 / m as f64 } else { 1.0 })
            .collect();
        // Noise of J'W e: the empirical covariance across the truth's replications of each
        // replication's J'W (outputs - their mean), times 1 + 1/TRUTH_REPS. Not the hours'
        // variances alone: hours are correlated (a queue carries over), and taking them as
        // independent understated the tolerance parameters' errors by 1.0-2.1x over 10 seeds
        // (docs/calibration.md).
        let mut a = [[0.0f64; 4]; 4];
        for k in 0..n {
            for i in 0..4 {
                for j in 0..4 {
                    a[i][j] += jac[k][i] * w[k] * jac[k][j];
                }
            }
        }
        let scale = (1.0 + 1.0 / f64::from(TRUTH_REPS)) / (outs.len() - 1) as f64;
        let mut b = [[0.0f64; 4]; 4];
        for o in &outs {
            let g: [f64; 4] = std::array::from_fn(|i| {
                (0..n)
                    .map(|k| {
                        let dev = if k < m {
                            o.0[k] - obs[k]
                        } else {
                            100.0 * (o.1 - volume) / volume
                        };
                        jac[k][i] * w[k] * dev
                    })
                    .sum()
            });
            for i in 0..4 {
                for j in 0..4 {
                    b[i][j] += scale * g[i] * g[j];
                }
            }
        }
        let ai = invert4(&a);
        let cov = mul4(&mul4(&ai, &b), &ai);
        let q = student_t_quantile(1.0 - FAMILY_ALPHA / (2.0 * 4.0), TRUTH_REPS as usize - 1);
        // The 2 x MIN_STEP allowance below holds only where a descent ended on its step size
        // (the restarts after it only lower the objective), not on the budget.
        assert!(
            cal.descents >= 1,
            "the search used its whole budget before its first descent ended"
        );
        for i in 0..4 {
            let tol = q * cov[i][i].sqrt() + 2.0 * MIN_STEP;
            let err = (fitted[i] / truth_x[i]).ln();
            eprintln!(
                "{}: fitted {:.3}, true {:.3}, log error {err:+.4}, tolerance {tol:.4}",
                cal.params[i].key, fitted[i], truth_x[i]
            );
            assert!(
                err.abs() <= tol,
                "{}: fitted {} against the true {} (log error {err:+.4}, tolerance {tol:.4})",
                cal.params[i].key,
                fitted[i],
                truth_x[i]
            );
        }
    }

    /// The true staffing elasticity of the second recovery test (far from the search's start,
    /// 0.5).
    const TRUE_ELASTICITY: f64 = 0.25;

    /// Booths of lane `l` on day `d` (of the run) at hour `h`: the weekday schedule, one fewer
    /// every third day and one more the day after (at least one), so that the staffing moves
    /// from day to day as CBP's does.
    fn varying_booths(base: &[u32; 24], d: usize) -> [u32; 24] {
        std::array::from_fn(|h| match d % 3 {
            0 => base[h].saturating_sub(1).max(1),
            1 => base[h] + 1,
            _ => base[h],
        })
    }

    /// Each replication's posted waits by lane and hour, and its trips made per day.
    /// The archive of a synthetic two-lane port (STANDARD, READY): one reading per lane, day
    /// and hour from `first` on, the lane's mean posted wait of that hour (`obs[lane * 24 + h]`)
    /// and the lanes open that `booths(lane, day index, date)` gives.
    fn synthetic_archive(
        first: Date,
        days: usize,
        obs: &[f64],
        booths: impl Fn(usize, usize, Date) -> [u32; 24],
    ) -> Vec<Reading> {
        let mut text = String::from("port_number,mode,lane,date,hour,tz,delay_min,lanes_open\n");
        for d in 0..days {
            let date = first.plus_days(d as i64);
            for (l, name) in ["STANDARD", "READY"].iter().enumerate() {
                let open = booths(l, d, date);
                for h in 0..24 {
                    text.push_str(&format!(
                        "999901,POV,{name},{date},{h},MST,{:.4},{}\n",
                        obs[l * 24 + h],
                        open[h]
                    ));
                }
            }
        }
        parse_archive(&text, "synthetic.csv").expect("valid archive")
    }

    type Outputs = Vec<(Vec<f64>, f64)>;

    /// The outputs of every replication of `cfg`, their mean posted waits and mean trips made.
    fn observe(cfg: &PortConfig) -> (Outputs, Vec<f64>, f64) {
        let reps = run_replications(std::slice::from_ref(cfg), 0, None)
            .expect("runs")
            .remove(0);
        let outs: Outputs = reps.iter().map(|r| outputs(r, 2)).collect();
        let m = outs[0].0.len();
        let obs: Vec<f64> = (0..m)
            .map(|k| outs.iter().map(|o| o.0[k]).sum::<f64>() / outs.len() as f64)
            .collect();
        let volume = outs.iter().map(|o| o.1).sum::<f64>() / outs.len() as f64;
        (outs, obs, volume)
    }

    /// Simulates a synthetic port whose demand follows its day-to-day staffing with a known
    /// elasticity, writes its posted waits and lanes open in the archive's shape, calibrates a
    /// skeleton that fixes everything else (`--fit demand.staffing_elasticity`), and checks the
    /// fitted elasticity against the truth. Tolerance (log scale): the two-sided
    /// `1 - FAMILY_ALPHA / 2` Student-t quantile (TRUTH_REPS - 1 degrees of freedom) times the
    /// linearised standard error of the weighted least-squares estimate, derived as in
    /// [`calibration_recovers_known_inspection_times_and_tolerance`] for one parameter but with
    /// the hours' correlation: Var(J'W e) is the sample variance of J'W x over the truth's
    /// replications (x one replication's outputs), so the quantile's degrees of freedom are
    /// exactly those of that variance. Plus twice the search's final step.
    #[test]
    fn calibration_recovers_a_known_staffing_elasticity() {
        let from = Date::parse("2025-03-03").expect("valid");
        let days = 28i64;
        let to = from.plus_days(days - 1);
        let start = from.plus_days(-WARMUP_DAYS);
        let run_days = (days + WARMUP_DAYS) as usize;
        let mut truth_cfg = truth(start, days, test_seed(11) & (i64::MAX as u64));
        let bases = [truth_cfg.lanes[0].booths, truth_cfg.lanes[1].booths];
        for (l, base) in bases.iter().enumerate() {
            let series: Vec<[u32; 24]> = (0..run_days).map(|d| varying_booths(base, d)).collect();
            let lane = &mut truth_cfg.lanes[l];
            lane.max_booths = lane
                .max_booths
                .max(base.iter().max().copied().unwrap_or(1) + 1);
            lane.booths = std::array::from_fn(|h| {
                let mut v: Vec<u32> = series.iter().map(|d| d[h]).collect();
                crate::port::lower_median(&mut v).unwrap_or(0)
            });
            lane.booths_by_date = Some(series);
        }
        truth_cfg.demand.staffing = Some(crate::port::StaffingDemand {
            basis: None,
            elasticity: TRUE_ELASTICITY,
            lanes: vec![0, 1],
            reference: crate::port::staffing_reference(&truth_cfg.lanes, &[0, 1]),
        });
        let (outs, obs, volume) = observe(&truth_cfg);
        let m = obs.len();
        // The archive from the first warm-up day, so that the replayed series is the truth's.
        let readings = synthetic_archive(start, run_days, &obs, |l, d, _| {
            varying_booths(&bases[l], d)
        });
        let skeleton = format!(
            "name = \"synthetic\"\n\
             [demand]\nper_hour = {LATENT}\nstaffing_elasticity = 0.5\n\
             [[classes]]\nid = \"general\"\nshare = 0.3\nlanes = [\"general\"]\n\
             [[classes]]\nid = \"ready\"\nshare = 0.7\nlanes = [\"ready\", \"general\"]\n\
             [[lanes]]\nid = \"general\"\nkind = \"general\"\n\
             service = {{ dist = \"lognormal\", mean = \"{TRUE_GENERAL_S}s\", sd = \"{}s\" }}\n\
             [[lanes]]\nid = \"ready\"\nkind = \"ready\"\n\
             service = {{ dist = \"lognormal\", mean = \"{TRUE_READY_S}s\", sd = \"{}s\" }}\n\
             [response]\nposted_update = \"15m\"\nshift = 0.0\n\
             tolerance = {{ dist = \"lognormal\", mean = \"{TRUE_TOL_MIN}m\", sd = \"{}m\" }}\n",
            TRUE_GENERAL_S * SERVICE_CV,
            TRUE_READY_S * SERVICE_CV,
            TRUE_TOL_MIN * TRUE_TOL_CV,
        );
        let cal = calibrate(
            &CalibrateConfig {
                fit: vec!["demand.staffing_elasticity".into()],
                budget: 60,
                ..synthetic_config(skeleton, readings, from, to, volume)
            },
            &|_| {},
        )
        .expect("calibrates");
        {
            let mut t = cal.config.clone();
            t.demand.staffing.as_mut().expect("staffing").elasticity = TRUE_ELASTICITY;
            print_search(&cal, &t, &obs, volume);
        }
        assert_eq!(cal.fitted, ["demand.staffing_elasticity"]);
        assert_eq!(
            cal.config.demand.staffing.as_ref().map(|s| s.reference),
            truth_cfg.demand.staffing.as_ref().map(|s| s.reference),
            "calibration measures the staffing against the truth's reference"
        );
        let fitted = cal.params[0].value;
        let mut base = cal.config.clone();
        base.replications = 1;
        base.seed = test_seed(1) & (i64::MAX as u64);
        // A wider difference than the other test's: one replication's posted waits are rough
        // in the elasticity, and a 5% step gave noisy slopes (3 false failures in 20 seeds).
        let h = 0.2;
        let configs: Vec<PortConfig> = [1.0, -1.0]
            .iter()
            .map(|&sgn| {
                let mut c = base.clone();
                c.demand.staffing.as_mut().expect("staffing").elasticity =
                    fitted * f64::exp(sgn * h);
                c
            })
            .collect();
        let runs = run_replications(&configs, 0, None).expect("runs");
        let resid = |r: &ReplicationResult| -> Vec<f64> {
            let (v, a) = outputs(r, 2);
            let mut out: Vec<f64> = v
                .iter()
                .zip(&obs)
                .map(|(s, o)| if s.is_finite() { s - o } else { -o })
                .collect();
            out.push(100.0 * (a - volume) / volume);
            out
        };
        let (up, down) = (resid(&runs[0][0]), resid(&runs[1][0]));
        let n = m + 1;
        // J'W, and J'WJ.
        let jw: Vec<f64> = (0..n)
            .map(|k| {
                let w = if k < m { 1.0 / m as f64 } else { 1.0 };
                (up[k] - down[k]) / (2.0 * h) * w
            })
            .collect();
        let a: f64 = (0..n).map(|k| jw[k] * (up[k] - down[k]) / (2.0 * h)).sum();
        assert!(a > 0.0, "the posted waits depend on the elasticity");
        // Var(J'W e) with the hours' correlation (a long queue lasts several hours): the
        // sample variance of J'W x over the truth's replications, x a replication's outputs,
        // times 1 + 1 / TRUTH_REPS (the search's one replication and the observed mean).
        let g: Vec<f64> = outs
            .iter()
            .map(|o| {
                (0..n)
                    .map(|k| jw[k] * if k < m { o.0[k] } else { 100.0 * o.1 / volume })
                    .sum()
            })
            .collect();
        let mu = g.iter().sum::<f64>() / g.len() as f64;
        let b = g.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / (g.len() - 1) as f64
            * (1.0 + 1.0 / f64::from(TRUTH_REPS));
        let se = (b / (a * a)).sqrt();
        let q = student_t_quantile(1.0 - FAMILY_ALPHA / 2.0, TRUTH_REPS as usize - 1);
        assert!(
            cal.descents >= 1,
            "the search used its whole budget before its first descent ended"
        );
        let tol = q * se + 2.0 * MIN_STEP;
        let err = (fitted / TRUE_ELASTICITY).ln();
        eprintln!(
            "staffing elasticity: fitted {fitted:.4}, true {TRUE_ELASTICITY}, log error {err:+.4}, tolerance {tol:.4}"
        );
        assert!(
            err.abs() <= tol,
            "staffing elasticity: fitted {fitted} against the true {TRUE_ELASTICITY} (log error {err:+.4}, tolerance {tol:.4})"
        );
    }

    /// Rosenbrock's rotation: the new directions are orthonormal, the first is the round's whole
    /// move, and a round that moved along one axis only keeps the axes (up to order and sign).
    #[test]
    fn rotated_directions_are_orthonormal_and_lead_with_the_move() {
        let dirs = axes(3);
        let along = [0.2, -0.1, 0.0];
        let r = rotated(&dirs, &along);
        assert_eq!(r.len(), 3);
        for i in 0..3 {
            for j in 0..3 {
                let dot: f64 = r[i].iter().zip(&r[j]).map(|(a, b)| a * b).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-12, "d{i}.d{j} = {dot}");
            }
        }
        let norm = (0.2f64 * 0.2 + 0.1 * 0.1).sqrt();
        for (k, want) in [0.2 / norm, -0.1 / norm, 0.0].iter().enumerate() {
            assert!((r[0][k] - want).abs() < 1e-12, "{:?}", r[0]);
        }
        // The second direction is the rest of the second axis's move: -0.1 along y, made
        // orthogonal to the first; the third, what is left of the old axes: z.
        assert!(r[1][2].abs() < 1e-12 && r[1][1] < 0.0, "{:?}", r[1]);
        assert!((r[2][2].abs() - 1.0).abs() < 1e-12, "{:?}", r[2]);
        // One axis moved: the same axes.
        let r = rotated(&dirs, &[0.0, 0.4, 0.0]);
        assert_eq!(r[0], vec![0.0, 1.0, 0.0]);
        assert_eq!(r[1], vec![1.0, 0.0, 0.0]);
        assert_eq!(r[2], vec![0.0, 0.0, 1.0]);
    }

    /// `--fit lanes.service` (every lane) is a key, not a lane named by an empty slice.
    /// A stacked booth's gain for the fitted inspection times: the 1.53 of
    /// docs/scenario-format.md, which scales a stacked lane's upper bound and capacity.
    #[test]
    fn stacked_gain_is_that_of_the_fitted_inspection_times() {
        assert!((stacked_gain() - 1.533).abs() < 0.001, "{}", stacked_gain());
    }

    #[test]
    fn fit_lanes_service_is_accepted_without_panicking() {
        let from = Date::parse("2025-03-03").expect("valid");
        let err = calibrate(
            &CalibrateConfig {
                fit: vec!["lanes.service".into()],
                budget: 10,
                seed: 1,
                threads: 1,
                ..synthetic_config(skeleton(), Vec::new(), from, from, 1000.0)
            },
            &|_| {},
        )
        .expect_err("no readings");
        assert!(err.to_string().contains("no readings"), "{err}");
    }

    fn mul4(a: &[[f64; 4]; 4], b: &[[f64; 4]; 4]) -> [[f64; 4]; 4] {
        std::array::from_fn(|i| std::array::from_fn(|j| (0..4).map(|k| a[i][k] * b[k][j]).sum()))
    }

    /// Inverse by Gauss-Jordan elimination with partial pivoting.
    fn invert4(m: &[[f64; 4]; 4]) -> [[f64; 4]; 4] {
        let mut a = *m;
        let mut inv: [[f64; 4]; 4] =
            std::array::from_fn(|i| std::array::from_fn(|j| f64::from(u8::from(i == j))));
        for c in 0..4 {
            let p = (c..4)
                .max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))
                .expect("rows");
            a.swap(c, p);
            inv.swap(c, p);
            let d = a[c][c];
            assert!(d.abs() > 1e-300, "the Jacobian has full rank");
            for j in 0..4 {
                a[c][j] /= d;
                inv[c][j] /= d;
            }
            for r in 0..4 {
                if r != c {
                    let f = a[r][c];
                    for j in 0..4 {
                        a[r][j] -= f * a[c][j];
                        inv[r][j] -= f * inv[c][j];
                    }
                }
            }
        }
        inv
    }
}

#[cfg(test)]
#[path = "calibrate_day_type_tests.rs"]
mod day_type_tests;
