//! Observed waits in the shape of CBP's border wait-time hourly archive, and the measures that
//! compare a simulated posted wait with them.
//!
//! The archive has one row per posted reading:
//! `port_number,mode,lane,date,hour,tz,delay_min,lanes_open` (columns found by name, in any
//! order; extra columns are ignored). Lane names map to lane kinds: `STANDARD` -> general,
//! `READY` -> ready, `SENTRI` and `NEXUS` -> sentri, `FAST` -> fast.
//!
//! Nothing here reads files: callers hand in the text (decompressed if it was gzip) and the name
//! to use in messages.

use std::collections::BTreeMap;
use std::fmt;

use crate::engine::SimTime;
use crate::port::{Date, LaneKind, PortConfig, PostedSeries, fill_schedule_gaps, lower_median};
use crate::stats::mean_ci;

/// `YYYY-MM` of a date.
pub fn month_key(d: Date) -> String {
    let (y, m, _) = d.ymd();
    format!("{y:04}-{m:02}")
}

/// CBP's travel modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// Passenger vehicles.
    Pov,
    /// Commercial vehicles.
    Cov,
    /// Pedestrians.
    Ped,
}

impl Mode {
    /// Parses `POV`, `COV` or `PED` (any case).
    pub fn parse(s: &str) -> Option<Mode> {
        match s.to_ascii_uppercase().as_str() {
            "POV" => Some(Mode::Pov),
            "COV" => Some(Mode::Cov),
            "PED" => Some(Mode::Ped),
            _ => None,
        }
    }

    /// The archive's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Pov => "POV",
            Mode::Cov => "COV",
            Mode::Ped => "PED",
        }
    }
}

/// The lane kind of an archive lane name, or None for an unknown name.
pub fn lane_kind_of(name: &str) -> Option<LaneKind> {
    match name.to_ascii_uppercase().as_str() {
        "STANDARD" | "GENERAL" => Some(LaneKind::General),
        "READY" => Some(LaneKind::Ready),
        "SENTRI" | "NEXUS" => Some(LaneKind::Sentri),
        "FAST" => Some(LaneKind::Fast),
        _ => None,
    }
}

/// One posted reading.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// Line in the file (1-based; the header is line 1).
    pub line: usize,
    /// CBP crossing number.
    pub port: u32,
    /// Travel mode.
    pub mode: Mode,
    /// Lane kind.
    pub lane: LaneKind,
    /// The port's local date.
    pub date: Date,
    /// The port's local clock hour, 0-23.
    pub hour: u8,
    /// Posted wait, minutes.
    pub delay_min: f64,
    /// Lanes (booths) of this kind reported open.
    pub lanes_open: u32,
}

/// Problems in an observed file, each naming the file and line.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedError {
    /// One message per problem, `file:line: column: what is wrong`.
    pub problems: Vec<String>,
}

impl fmt::Display for ObservedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ObservedError {}

/// At most this many problems are listed; the rest are counted.
const MAX_PROBLEMS: usize = 20;

const COLUMNS: [&str; 7] = [
    "port_number",
    "mode",
    "lane",
    "date",
    "hour",
    "delay_min",
    "lanes_open",
];

/// Parses the archive text `text` of file `file`. Rows with an empty `delay_min` or
/// `lanes_open` (a missing reading) are skipped; every malformed row is reported.
pub fn parse_archive(text: &str, file: &str) -> Result<Vec<Reading>, ObservedError> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("");
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let mut idx = [0usize; 7];
    let mut missing = Vec::new();
    for (k, col) in COLUMNS.iter().enumerate() {
        match names.iter().position(|n| n == col) {
            Some(i) => idx[k] = i,
            None => missing.push(*col),
        }
    }
    if !missing.is_empty() {
        return Err(ObservedError {
            problems: vec![format!(
                "{file}:1: header: missing column(s) {} (expected the CBP archive columns \
                 port_number,mode,lane,date,hour,tz,delay_min,lanes_open)",
                missing.join(", ")
            )],
        });
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut more = 0usize;
    for (i, raw) in lines.enumerate() {
        let line = i + 2;
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
        let mut bad = |col: &str, msg: String| {
            if problems.len() < MAX_PROBLEMS {
                problems.push(format!("{file}:{line}: {col}: {msg}"));
            } else {
                more += 1;
            }
        };
        if fields.len() < names.len() {
            bad(
                "row",
                format!(
                    "has {} fields, the header has {}",
                    fields.len(),
                    names.len()
                ),
            );
            continue;
        }
        let f = |k: usize| fields[idx[k]];
        if f(5).is_empty() || f(6).is_empty() {
            continue;
        }
        let port = f(0).parse::<u32>().ok();
        if port.is_none() {
            bad(
                "port_number",
                format!("not a crossing number (got {:?})", f(0)),
            );
        }
        let mode = Mode::parse(f(1));
        if mode.is_none() {
            bad(
                "mode",
                format!("unknown mode (got {:?}, expected POV, COV or PED)", f(1)),
            );
        }
        let lane = lane_kind_of(f(2));
        if lane.is_none() {
            bad(
                "lane",
                format!(
                    "unknown lane (got {:?}, expected STANDARD, READY, SENTRI, NEXUS or FAST)",
                    f(2)
                ),
            );
        }
        let date = Date::parse(f(3));
        if date.is_none() {
            bad(
                "date",
                format!("not a date (got {:?}, expected YYYY-MM-DD)", f(3)),
            );
        }
        let hour = f(4).parse::<u8>().ok().filter(|h| *h < 24);
        if hour.is_none() {
            bad(
                "hour",
                format!("not an hour (got {:?}, expected 0 to 23)", f(4)),
            );
        }
        let delay = f(5)
            .parse::<f64>()
            .ok()
            .filter(|d| d.is_finite() && *d >= 0.0);
        if delay.is_none() {
            bad(
                "delay_min",
                format!("not a wait in minutes (got {:?}, expected 0 or more)", f(5)),
            );
        }
        let lanes = f(6).parse::<u32>().ok();
        if lanes.is_none() {
            bad(
                "lanes_open",
                format!("not a lane count (got {:?}, expected 0 or more)", f(6)),
            );
        }
        if let (Some(port), Some(mode), Some(lane), Some(date), Some(hour), Some(d), Some(n)) =
            (port, mode, lane, date, hour, delay, lanes)
        {
            out.push(Reading {
                line,
                port,
                mode,
                lane,
                date,
                hour,
                delay_min: d,
                lanes_open: n,
            });
        }
    }
    if more > 0 {
        problems.push(format!("{file}: and {more} more problems"));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ObservedError { problems })
    }
}

/// Which readings to use: one crossing and mode over an inclusive date range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Selection {
    /// CBP crossing number.
    pub port: u32,
    /// Travel mode.
    pub mode: Mode,
    /// First date, inclusive.
    pub from: Date,
    /// Last date, inclusive.
    pub to: Date,
}

impl Selection {
    /// Whether `r` is selected.
    pub fn contains(&self, r: &Reading) -> bool {
        r.port == self.port && r.mode == self.mode && r.date >= self.from && r.date <= self.to
    }

    /// Days in the range.
    pub fn days(&self) -> usize {
        (self.to.days_since(self.from) + 1).max(0) as usize
    }
}

/// The selected readings, in file order; an error when there are none.
pub fn select(readings: &[Reading], sel: &Selection, file: &str) -> Result<Vec<Reading>, String> {
    let out: Vec<Reading> = readings
        .iter()
        .filter(|r| sel.contains(r))
        .cloned()
        .collect();
    if out.is_empty() {
        return Err(format!(
            "{file}: no readings for port {} mode {} from {} to {}",
            sel.port,
            sel.mode.as_str(),
            sel.from,
            sel.to
        ));
    }
    Ok(out)
}

/// Observed lanes open of one lane kind, day by day and hour by hour, with gaps filled.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffingSeries {
    /// `booths[day][hour]`, day 0 = the selection's first date.
    pub booths: Vec<[u32; 24]>,
    /// Hours that had no reading and were filled.
    pub filled_hours: usize,
    /// Of those, hours filled from the lane's median for that hour (no day had that hour).
    pub filled_from_median: usize,
}

/// The lanes-open series of lane kind `lane` over `sel`'s days. A gap is filled with the same
/// hour of the nearest day that has a reading (the earlier day on a tie); when no day of the
/// period has that hour, with the median of that hour over all of `readings` for the lane kind
/// (lower median), and 0 when there is none at all. When one hour has several readings the
/// last one in file order is used.
pub fn staffing_series(readings: &[Reading], sel: &Selection, lane: LaneKind) -> StaffingSeries {
    let days = sel.days();
    let mut have: Vec<[Option<u32>; 24]> = vec![[None; 24]; days];
    let mut by_hour: [Vec<u32>; 24] = Default::default();
    for r in readings
        .iter()
        .filter(|r| r.lane == lane && r.port == sel.port && r.mode == sel.mode)
    {
        by_hour[r.hour as usize].push(r.lanes_open);
        if sel.contains(r) {
            let d = r.date.days_since(sel.from) as usize;
            have[d][r.hour as usize] = Some(r.lanes_open);
        }
    }
    let medians: [Option<u32>; 24] = std::array::from_fn(|h| lower_median(&mut by_hour[h]));
    let (booths, filled_hours, filled_from_median) = fill_schedule_gaps(&have, &medians);
    StaffingSeries {
        booths,
        filled_hours,
        filled_from_median,
    }
}

/// Mean of the readings of each hour of day for each lane kind present: the naive forecast
/// "each hour of day as it was on average".
pub fn hour_of_day_means(readings: &[Reading]) -> BTreeMap<LaneKind, [Option<f64>; 24]> {
    let mut sums: BTreeMap<LaneKind, [(f64, u64); 24]> = BTreeMap::new();
    for r in readings {
        let e = sums.entry(r.lane).or_insert([(0.0, 0); 24]);
        e[r.hour as usize].0 += r.delay_min;
        e[r.hour as usize].1 += 1;
    }
    sums.into_iter()
        .map(|(k, v)| {
            let mut m = [None; 24];
            for h in 0..24 {
                if v[h].1 > 0 {
                    m[h] = Some(v[h].0 / v[h].1 as f64);
                }
            }
            (k, m)
        })
        .collect()
}

/// Error measures of predictions against readings.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ErrorSummary {
    /// Mean absolute error, minutes.
    pub mae_min: f64,
    /// Root mean square error, minutes.
    pub rmse_min: f64,
    /// Mean of (predicted - observed), minutes.
    pub bias_min: f64,
    /// Readings compared.
    pub n: usize,
}

impl ErrorSummary {
    /// The measures of `(predicted, observed)` pairs; NaN measures when there are none.
    pub fn of(pairs: impl IntoIterator<Item = (f64, f64)>) -> ErrorSummary {
        let (mut a, mut s, mut b, mut n) = (0.0, 0.0, 0.0, 0usize);
        for (p, o) in pairs {
            let e = p - o;
            a += e.abs();
            s += e * e;
            b += e;
            n += 1;
        }
        if n == 0 {
            return ErrorSummary {
                mae_min: f64::NAN,
                rmse_min: f64::NAN,
                bias_min: f64::NAN,
                n: 0,
            };
        }
        let nf = n as f64;
        ErrorSummary {
            mae_min: a / nf,
            rmse_min: (s / nf).sqrt(),
            bias_min: b / nf,
            n,
        }
    }
}

/// The naive forecast's error on `held_out`: each reading predicted by the mean of its lane and
/// hour of day in `baseline`. Readings whose lane and hour never appear in `baseline` are left out.
pub fn naive_errors(
    baseline: &[Reading],
    held_out: &[Reading],
) -> BTreeMap<LaneKind, ErrorSummary> {
    let means = hour_of_day_means(baseline);
    let mut pairs: BTreeMap<LaneKind, Vec<(f64, f64)>> = BTreeMap::new();
    for r in held_out {
        if let Some(p) = means.get(&r.lane).and_then(|m| m[r.hour as usize]) {
            pairs.entry(r.lane).or_default().push((p, r.delay_min));
        }
    }
    pairs
        .into_iter()
        .map(|(k, v)| (k, ErrorSummary::of(v)))
        .collect()
}

/// A simulated posted wait of one lane kind over a replayed period: `values[rep][day][hour]`,
/// minutes, None where the lane posted nothing (closed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimulatedPosted {
    /// Per replication, per day of the period, per hour of day.
    pub values: Vec<Vec<[Option<f64>; 24]>>,
}

impl SimulatedPosted {
    /// Mean over replications at (day, hour), over those that posted a value.
    pub fn mean_at(&self, day: usize, hour: usize) -> Option<f64> {
        let (mut s, mut n) = (0.0, 0usize);
        for rep in &self.values {
            if let Some(v) = rep.get(day).and_then(|d| d[hour]) {
                s += v;
                n += 1;
            }
        }
        (n > 0).then(|| s / n as f64)
    }

    /// The (5%, 95%) quantiles of every value posted at hour of day `hour`, over all days and
    /// replications (lower empirical quantiles); None when there is none.
    pub fn band(&self, hour: usize) -> Option<(f64, f64)> {
        let mut v: Vec<f64> = self
            .values
            .iter()
            .flat_map(|rep| rep.iter().filter_map(move |d| d[hour]))
            .collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let q = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        Some((q(0.05), q(0.95)))
    }
}

/// A scenario with the observed staffing of a period replayed into it.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    /// The scenario, starting `lead_days` before the period (its warm-up, in whole days) and
    /// ending with the period's last day.
    pub config: PortConfig,
    /// Days simulated before the period's first date.
    pub lead_days: usize,
    /// Per lane kind replayed: (hours filled, of which from the hour's median).
    pub filled: BTreeMap<LaneKind, (usize, usize)>,
}

/// Replays the observed lanes open of `sel` into `cfg`: the run starts `lead_days` (the warm-up
/// rounded up to whole days) before `sel.from` and ends with `sel.to`; each lane of a kind that
/// has readings opens that kind's observed lanes each day and hour (gaps filled as
/// [`staffing_series`] says, `max_booths` raised when more were open); a lane of a kind without
/// readings keeps its schedule. Everything else is as in `cfg`. An error when the selected
/// readings have a lane kind the scenario lacks, or when two lanes share a kind the readings
/// have (the archive gives one count per kind).
pub fn replay(cfg: &PortConfig, readings: &[Reading], sel: &Selection) -> Result<Replay, String> {
    let kinds: std::collections::BTreeSet<LaneKind> = readings
        .iter()
        .filter(|r| sel.contains(r))
        .map(|r| r.lane)
        .collect();
    for k in &kinds {
        let n = cfg.lanes.iter().filter(|l| l.kind == *k).count();
        if n == 0 {
            let have: Vec<&str> = cfg.lanes.iter().map(|l| l.kind.as_str()).collect();
            return Err(format!(
                "the observed data of port {} mode {} has {} lanes ({} readings) but the scenario has no lane of kind {} (it has {})",
                sel.port,
                sel.mode.as_str(),
                archive_name(*k),
                readings
                    .iter()
                    .filter(|r| sel.contains(r) && r.lane == *k)
                    .count(),
                k.as_str(),
                have.join(", ")
            ));
        }
        if n > 1 {
            return Err(format!(
                "the scenario has {n} lanes of kind {} but the archive gives one lanes-open count per kind (expected one lane of that kind)",
                k.as_str()
            ));
        }
    }
    let lead_days = cfg.warmup.as_nanos().div_ceil(SimTime::DAY.as_nanos()) as usize;
    let from = sel.from.plus_days(-(lead_days as i64));
    let run_sel = Selection { from, ..*sel };
    let mut c = cfg.clone();
    c.calendar.start = Some(from);
    c.horizon = SimTime::from_hours(24 * run_sel.days() as u64);
    let mut filled = BTreeMap::new();
    for lane in &mut c.lanes {
        if !kinds.contains(&lane.kind) {
            continue;
        }
        let s = staffing_series(readings, &run_sel, lane.kind);
        let most = s.booths.iter().flatten().copied().max().unwrap_or(0);
        lane.max_booths = lane.max_booths.max(most).max(1);
        lane.booths = std::array::from_fn(|h| {
            let mut v: Vec<u32> = s.booths.iter().map(|d| d[h]).collect();
            lower_median(&mut v).unwrap_or(0)
        });
        filled.insert(lane.kind, (s.filled_hours, s.filled_from_median));
        lane.booths_by_date = Some(s.booths);
    }
    Ok(Replay {
        config: c,
        lead_days,
        filled,
    })
}

/// The archive's name(s) of lane kind `k`.
fn archive_name(k: LaneKind) -> &'static str {
    match k {
        LaneKind::General => "STANDARD",
        LaneKind::Ready => "READY",
        LaneKind::Sentri => "SENTRI (or NEXUS)",
        LaneKind::Fast => "FAST",
    }
}

/// How the model's feed is turned into something like CBP's posted readings before it is
/// compared with them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimator {
    /// Each hourly value is rounded to the nearest multiple of this many minutes (0: none).
    pub round_min: f64,
    /// No value below this many minutes while the lane is open (0: none).
    pub floor_min: f64,
    /// The reading of an hour is the model's value this many hours earlier.
    pub lag_hours: usize,
}

impl Estimator {
    fn apply(&self, v: f64) -> f64 {
        let v = v.max(self.floor_min);
        if self.round_min > 0.0 {
            (v / self.round_min).round() * self.round_min
        } else {
            v
        }
    }
}

/// The simulated posted wait by lane kind over the period, in minutes, from the replications'
/// posted series of a [`Replay`] (`lanes[i]` of the replayed config gives the kind of series
/// lane i), with `est` applied to each replication's hourly value.
pub fn simulated_posted(
    series: &[PostedSeries],
    cfg: &PortConfig,
    lead_days: usize,
    est: &Estimator,
) -> BTreeMap<LaneKind, SimulatedPosted> {
    let mut out: BTreeMap<LaneKind, SimulatedPosted> = BTreeMap::new();
    for (i, lane) in cfg.lanes.iter().enumerate() {
        let e = out.entry(lane.kind).or_default();
        for rep in series {
            let days = &rep.values[i];
            let flat = |k: usize| -> Option<f64> {
                let d = days.get(k / 24)?;
                d[k % 24]
            };
            let n = days.len().saturating_sub(lead_days);
            let mut v = vec![[None; 24]; n];
            for (d, row) in v.iter_mut().enumerate() {
                for (h, x) in row.iter_mut().enumerate() {
                    let k = (d + lead_days) * 24 + h;
                    *x = k
                        .checked_sub(est.lag_hours)
                        .and_then(flat)
                        .map(|s| est.apply(s / 60.0));
                }
            }
            e.values.push(v);
        }
    }
    out
}

/// One row of `validation.csv`: a lane kind and hour of day.
#[derive(Clone, Debug, PartialEq)]
pub struct HourRow {
    /// Lane kind.
    pub lane: LaneKind,
    /// Hour of day.
    pub hour: usize,
    /// Mean of the observed readings.
    pub observed_mean_min: f64,
    /// 95th percentile of the observed readings (lower empirical quantile).
    pub observed_p95_min: f64,
    /// Mean of the simulated posted wait at the readings' dates and this hour.
    pub simulated_mean_min: f64,
    /// Half-width of the 95% confidence interval of `simulated_mean_min` over replications
    /// (each replication's mean over the same dates; NaN with fewer than 2).
    pub simulated_ci95: f64,
    /// The simulated 5-95% band of this hour.
    pub simulated_band_min: (f64, f64),
    /// `simulated_mean_min - observed_mean_min`.
    pub error_min: f64,
    /// Readings.
    pub n_observed: usize,
}

/// One row of `validation_summary.csv`: a lane kind over the whole period.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneSummary {
    /// Lane kind.
    pub lane: LaneKind,
    /// Error of the simulated posted wait on each reading.
    pub model: ErrorSummary,
    /// Share of readings inside the simulated 5-95% band of their hour.
    pub coverage_5_95: f64,
    /// Error of the naive forecast on the same readings (NaN without a baseline).
    pub naive: ErrorSummary,
}

/// One row of `validation_by_month.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthRow {
    /// Lane kind.
    pub lane: LaneKind,
    /// `YYYY-MM`.
    pub month: String,
    /// Error of the model on that month's readings.
    pub model: ErrorSummary,
    /// Error of the naive forecast on the same readings.
    pub naive: ErrorSummary,
}

/// The whole comparison of a replayed simulation with held-out readings.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// By lane kind and hour of day.
    pub by_hour: Vec<HourRow>,
    /// By lane kind.
    pub summary: Vec<LaneSummary>,
    /// By lane kind and month.
    pub by_month: Vec<MonthRow>,
}

/// Compares `sim` (per lane kind, day 0 = `from`) with the `held_out` readings, and the naive
/// forecast built from `baseline` with the same readings. Each reading is predicted by the mean
/// over replications of the simulated posted wait at its date and hour; readings where the
/// simulation posted nothing are left out of every measure.
pub fn validate(
    sim: &BTreeMap<LaneKind, SimulatedPosted>,
    from: Date,
    held_out: &[Reading],
    baseline: &[Reading],
) -> Validation {
    let naive_means = hour_of_day_means(baseline);
    // (lane) -> readings with their model and naive predictions.
    struct Cmp {
        day: usize,
        hour: usize,
        month: String,
        obs: f64,
        model: f64,
        naive: Option<f64>,
        inside: Option<bool>,
    }
    let mut per_lane: BTreeMap<LaneKind, Vec<Cmp>> = BTreeMap::new();
    for r in held_out {
        let Some(s) = sim.get(&r.lane) else { continue };
        let day = r.date.days_since(from);
        if day < 0 {
            continue;
        }
        let hour = r.hour as usize;
        let Some(model) = s.mean_at(day as usize, hour) else {
            continue;
        };
        let inside = s
            .band(hour)
            .map(|(lo, hi)| r.delay_min >= lo && r.delay_min <= hi);
        per_lane.entry(r.lane).or_default().push(Cmp {
            day: day as usize,
            hour,
            month: month_key(r.date),
            obs: r.delay_min,
            model,
            naive: naive_means.get(&r.lane).and_then(|m| m[hour]),
            inside,
        });
    }
    let mut by_hour = Vec::new();
    let mut summary = Vec::new();
    let mut by_month = Vec::new();
    for (lane, cmps) in &per_lane {
        let s = &sim[lane];
        for hour in 0..24 {
            let mut obs: Vec<f64> = cmps
                .iter()
                .filter(|c| c.hour == hour)
                .map(|c| c.obs)
                .collect();
            if obs.is_empty() {
                continue;
            }
            let n = obs.len();
            let om = obs.iter().sum::<f64>() / n as f64;
            let sm = cmps
                .iter()
                .filter(|c| c.hour == hour)
                .map(|c| c.model)
                .sum::<f64>()
                / n as f64;
            obs.sort_by(f64::total_cmp);
            let p95 = obs[((0.95 * n as f64).ceil() as usize).clamp(1, n) - 1];
            let rep_means: Vec<f64> = s
                .values
                .iter()
                .map(|rep| {
                    let v: Vec<f64> = cmps
                        .iter()
                        .filter(|c| c.hour == hour)
                        .filter_map(|c| rep.get(c.day).and_then(|d| d[hour]))
                        .collect();
                    if v.is_empty() {
                        f64::NAN
                    } else {
                        v.iter().sum::<f64>() / v.len() as f64
                    }
                })
                .collect();
            by_hour.push(HourRow {
                lane: *lane,
                hour,
                observed_mean_min: om,
                observed_p95_min: p95,
                simulated_mean_min: sm,
                simulated_ci95: mean_ci(&rep_means).ci95,
                simulated_band_min: s.band(hour).unwrap_or((f64::NAN, f64::NAN)),
                error_min: sm - om,
                n_observed: n,
            });
        }
        let inside: Vec<bool> = cmps.iter().filter_map(|c| c.inside).collect();
        summary.push(LaneSummary {
            lane: *lane,
            model: ErrorSummary::of(cmps.iter().map(|c| (c.model, c.obs))),
            coverage_5_95: if inside.is_empty() {
                f64::NAN
            } else {
                inside.iter().filter(|&&b| b).count() as f64 / inside.len() as f64
            },
            naive: ErrorSummary::of(cmps.iter().filter_map(|c| c.naive.map(|p| (p, c.obs)))),
        });
        let mut months: Vec<&String> = cmps.iter().map(|c| &c.month).collect();
        months.sort();
        months.dedup();
        for month in months {
            let these = || cmps.iter().filter(|c| &c.month == month);
            by_month.push(MonthRow {
                lane: *lane,
                month: month.clone(),
                model: ErrorSummary::of(these().map(|c| (c.model, c.obs))),
                naive: ErrorSummary::of(these().filter_map(|c| c.naive.map(|p| (p, c.obs)))),
            });
        }
    }
    Validation {
        by_hour,
        summary,
        by_month,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "port_number,mode,lane,date,hour,tz,delay_min,lanes_open\n";

    #[test]
    fn months_are_keyed_by_year_and_month() {
        let d = Date::parse("2026-01-18").expect("valid");
        assert_eq!(month_key(d), "2026-01");
        assert_eq!(month_key(d.plus_days(14)), "2026-02");
    }

    #[test]
    fn parses_the_archive_shape_in_any_column_order() {
        let text = format!(
            "{HEADER}240201,POV,STANDARD,2025-09-01,6,MDT,45,3\n\
             240201,POV,READY,2025-09-01,6,MDT,,\n\
             240201,pov,nexus,2025-09-01,7,MDT,5,2\n"
        );
        let r = parse_archive(&text, "obs.csv").expect("valid");
        assert_eq!(r.len(), 2, "the empty reading is skipped");
        assert_eq!(r[0].lane, LaneKind::General);
        assert_eq!(r[0].delay_min, 45.0);
        assert_eq!(r[0].lanes_open, 3);
        assert_eq!(r[1].lane, LaneKind::Sentri);
        assert_eq!(r[1].line, 4);
        let swapped = "lanes_open,delay_min,tz,hour,date,lane,mode,port_number\n\
                       3,45,MDT,6,2025-09-01,STANDARD,POV,240201\n";
        let s = parse_archive(swapped, "obs.csv").expect("valid");
        assert_eq!(s[0].delay_min, 45.0);
        assert_eq!(s[0].hour, 6);
    }

    #[test]
    fn every_bad_row_is_named_by_file_and_line() {
        let text = format!(
            "{HEADER}240201,POV,EXPRESS,2025-09-01,6,MDT,45,3\n\
             240201,POV,READY,2025-13-01,24,MDT,-5,x\n\
             240201,POV\n"
        );
        let e = parse_archive(&text, "obs.csv").expect_err("invalid");
        let msg = e.to_string();
        for want in [
            "obs.csv:2: lane: unknown lane (got \"EXPRESS\"",
            "obs.csv:3: date: not a date (got \"2025-13-01\", expected YYYY-MM-DD)",
            "obs.csv:3: hour: not an hour (got \"24\", expected 0 to 23)",
            "obs.csv:3: delay_min: not a wait in minutes (got \"-5\"",
            "obs.csv:3: lanes_open: not a lane count (got \"x\"",
            "obs.csv:4: row: has 2 fields, the header has 8",
        ] {
            assert!(msg.contains(want), "missing {want:?} in\n{msg}");
        }
        let e = parse_archive("port,mode\n", "obs.csv").expect_err("no columns");
        assert!(
            e.to_string()
                .starts_with("obs.csv:1: header: missing column(s) port_number, lane, date"),
            "{e}"
        );
    }

    fn reading(date: &str, hour: u8, delay: f64, lanes: u32) -> Reading {
        Reading {
            line: 0,
            port: 1,
            mode: Mode::Pov,
            lane: LaneKind::General,
            date: Date::parse(date).expect("valid"),
            hour,
            delay_min: delay,
            lanes_open: lanes,
        }
    }

    #[test]
    fn staffing_gaps_take_the_nearest_day_then_the_median() {
        let sel = Selection {
            port: 1,
            mode: Mode::Pov,
            from: Date::parse("2025-09-01").expect("valid"),
            to: Date::parse("2025-09-05").expect("valid"),
        };
        let rs = vec![
            reading("2025-09-01", 6, 10.0, 2),
            reading("2025-09-05", 6, 10.0, 5),
            // Outside the period: only feeds the median of hour 7.
            reading("2025-08-01", 7, 10.0, 4),
            reading("2025-08-02", 7, 10.0, 6),
            reading("2025-08-03", 7, 10.0, 9),
        ];
        let s = staffing_series(&rs, &sel, LaneKind::General);
        let h6: Vec<u32> = s.booths.iter().map(|d| d[6]).collect();
        // Day 1 is nearest day 0; day 2 is 2 days from both (the earlier wins); day 3 is
        // nearest day 4.
        assert_eq!(h6, vec![2, 2, 2, 5, 5]);
        assert!(s.booths.iter().all(|d| d[7] == 6), "median of 4, 6, 9");
        assert!(s.booths.iter().all(|d| d[8] == 0), "no data at all");
        assert_eq!(s.filled_hours, 5 * 24 - 2);
        assert_eq!(
            s.filled_from_median,
            5 * 23,
            "every hour but 6 has no day in the period"
        );
    }

    #[test]
    fn the_naive_forecast_is_the_baseline_hour_mean() {
        let base = vec![
            reading("2025-08-01", 6, 10.0, 1),
            reading("2025-08-02", 6, 30.0, 1),
        ];
        let held = vec![
            reading("2025-09-01", 6, 25.0, 1),
            reading("2025-09-02", 6, 5.0, 1),
            reading("2025-09-02", 9, 5.0, 1),
        ];
        let e = naive_errors(&base, &held);
        let g = e[&LaneKind::General];
        assert_eq!(g.n, 2, "hour 9 has no baseline");
        assert_eq!(g.mae_min, 10.0);
        // Predicted 20 against 25 and 5: errors -5 and +15.
        assert_eq!(g.bias_min, 5.0);
        assert_eq!(g.rmse_min, 125f64.sqrt());
    }

    #[test]
    fn validation_compares_each_reading_with_its_day_and_hour() {
        let from = Date::parse("2025-09-01").expect("valid");
        // Two replications, 40 days; the simulation posts 10 at 06h on every day but day 1,
        // where it posts 40, and nothing at 07h.
        let mut rep = vec![[None; 24]; 40];
        for (d, day) in rep.iter_mut().enumerate() {
            day[6] = Some(if d == 1 { 40.0 } else { 10.0 });
        }
        let sim = BTreeMap::from([(
            LaneKind::General,
            SimulatedPosted {
                values: vec![rep.clone(), rep],
            },
        )]);
        let held = vec![
            reading("2025-09-01", 6, 20.0, 1),
            reading("2025-09-02", 6, 40.0, 1),
            reading("2025-10-01", 6, 10.0, 1),
            reading("2025-09-01", 7, 99.0, 1),
        ];
        let base = vec![reading("2025-08-01", 6, 30.0, 1)];
        let v = validate(&sim, from, &held, &base);
        assert_eq!(v.by_hour.len(), 1, "07h posted nothing");
        let h = &v.by_hour[0];
        assert_eq!(h.n_observed, 3);
        assert!((h.observed_mean_min - 70.0 / 3.0).abs() < 1e-12);
        assert!((h.simulated_mean_min - 20.0).abs() < 1e-12);
        assert_eq!(h.observed_p95_min, 40.0);
        // 80 values at 06h: 78 of 10 and 2 of 40; the 95% quantile is the 76th: 10.
        assert_eq!(h.simulated_band_min, (10.0, 10.0));
        let s = &v.summary[0];
        // Errors: 10-20, 40-40, 10-10.
        assert_eq!(s.model.n, 3);
        assert!((s.model.mae_min - 10.0 / 3.0).abs() < 1e-12);
        assert!((s.model.bias_min + 10.0 / 3.0).abs() < 1e-12);
        assert!(
            (s.coverage_5_95 - 1.0 / 3.0).abs() < 1e-12,
            "only 10 is inside [10, 10]"
        );
        // Naive predicts 30 for all three: errors 10, -10, 20.
        assert!((s.naive.mae_min - 40.0 / 3.0).abs() < 1e-12);
        let months: Vec<&str> = v.by_month.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(months, ["2025-09", "2025-10"]);
        assert_eq!(v.by_month[0].model.n, 2);
        assert_eq!(v.by_month[1].model.mae_min, 0.0);
    }
    #[test]
    fn replay_puts_the_observed_lanes_into_each_day_and_rejects_missing_kinds() {
        use crate::port::test_support;
        let mut cfg = test_support::config(
            [10.0; 24],
            vec![test_support::class("g", 1.0, vec![0])],
            vec![test_support::lane("g", 2, 60.0)],
        );
        cfg.warmup = SimTime::from_hours(30);
        let sel = Selection {
            port: 1,
            mode: Mode::Pov,
            from: Date::parse("2025-09-03").expect("valid"),
            to: Date::parse("2025-09-04").expect("valid"),
        };
        let rs = vec![
            reading("2025-09-01", 6, 10.0, 7),
            reading("2025-09-04", 6, 10.0, 3),
        ];
        let r = replay(&cfg, &rs, &sel).expect("valid");
        assert_eq!(r.lead_days, 2, "30 h of warm-up is two whole days");
        assert_eq!(r.config.calendar.start, Date::parse("2025-09-01"));
        assert_eq!(r.config.horizon, SimTime::from_hours(4 * 24));
        let s = r.config.lanes[0].booths_by_date.as_ref().expect("series");
        let h6: Vec<u32> = s.iter().map(|d| d[6]).collect();
        assert_eq!(h6, vec![7, 7, 3, 3]);
        assert_eq!(
            r.config.lanes[0].max_booths, 7,
            "raised to the most observed"
        );
        assert_eq!(r.filled[&LaneKind::General], (4 * 24 - 2, 4 * 23));
        let mut ready = reading("2025-09-04", 7, 5.0, 1);
        ready.lane = LaneKind::Ready;
        let e = replay(&cfg, &[ready], &sel).expect_err("no ready lane");
        assert!(
            e.contains("has READY lanes (1 readings) but the scenario has no lane of kind ready (it has general)"),
            "{e}"
        );
    }

    #[test]
    fn the_estimator_rounds_floors_and_lags_each_hourly_value() {
        let mut cfg = crate::port::test_support::config(
            [10.0; 24],
            vec![crate::port::test_support::class("g", 1.0, vec![0])],
            vec![crate::port::test_support::lane("g", 2, 60.0)],
        );
        cfg.lanes[0].kind = LaneKind::Ready;
        // Two days of one lane; seconds: hour h of day d posts 60 x (24 d + h) + 100.
        let days: Vec<[Option<f64>; 24]> = (0..2)
            .map(|d| std::array::from_fn(|h| Some(60.0 * (24 * d + h) as f64 + 100.0)))
            .collect();
        let series = vec![PostedSeries { values: vec![days] }];
        let plain = simulated_posted(&series, &cfg, 1, &Estimator::default());
        let v = &plain[&LaneKind::Ready].values[0];
        assert_eq!(v.len(), 1, "the lead day is dropped");
        assert!((v[0][0].expect("value") - (24.0 + 100.0 / 60.0)).abs() < 1e-12);
        let est = Estimator {
            round_min: 5.0,
            floor_min: 30.0,
            lag_hours: 2,
        };
        let v = &simulated_posted(&series, &cfg, 1, &est)[&LaneKind::Ready].values[0];
        // Hour 0 of day 1 reads hour 22 of day 0: 22 + 1.67 min, floored to 30.
        assert_eq!(v[0][0], Some(30.0));
        // Hour 10 reads hour 8 of day 1: 32 + 1.67 = 33.67, rounded to 35.
        assert_eq!(v[0][10], Some(35.0));
    }
}
