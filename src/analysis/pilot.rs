//! `garita pilot`: candidate sites x candidate interventions, each simulated against its site's
//! baseline with common random numbers, scored on neutral criteria and ranked transparently.
//!
//! The pilot file (TOML):
//! ```toml
//! name = "el-paso"
//! replications = 5          # overrides every site scenario (optional)
//! horizon = "14d"           # overrides (optional); also `warmup`, `seed`
//! demand_scales = [0.8, 1.0, 1.2]
//! top_k = 2                 # rank stability counts landing in the top k
//! stability_draws = 10000
//! [weights]                 # each >= 0, at least one > 0; missing weights are 1
//! delay = 1.0
//! reliability = 1.0
//! reach = 1.0
//! emissions = 1.0
//! robustness = 1.0
//! cost = 1.0
//! trips_enabled = 1.0
//! [[sites]]
//! id = "bota"
//! scenario = "../bota-pov.toml"   # relative to the pilot file
//! [[interventions]]
//! id = "ready-2"
//! changes = [
//!   { key = "lanes.general.booths", add = -2 },
//!   { key = "lanes.ready.booths", add = 2 },
//! ]
//! [[interventions]]
//! id = "bollards"
//! sites = ["bota"]          # only these sites (optional; default every site)
//! changes = [{ key = "lanes.ready.storage", add = 28 }]
//! [[interventions]]
//! id = "staff-p95-20m"
//! staff = "p95<=20m"
//! ```

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::AnalysisError;
use super::edit::edited_scenario;
use super::rank;
use super::staff::{StaffConfig, StaffResult, search};
use super::target::Target;
use crate::experiment::{Overload, aggregate, run_replications};
use crate::port::{GroupRef, HourlyMetric, LaneKind, Metric, PortConfig, ReplicationResult};
use crate::scenario::edit::{Change, EditOp, parse_hours};
use crate::scenario::{Scenario, load_file, parse_duration_s};
use crate::stats::{MeanCi, mean_ci};

/// The scored criteria, in output order.
pub const CRITERIA: [&str; 7] = [
    "delay",
    "reliability",
    "reach",
    "emissions",
    "robustness",
    "cost",
    "trips_enabled",
];

/// Number of scored criteria.
pub const N_CRITERIA: usize = CRITERIA.len();

/// A wait change counts as a benefit (or a loss) for a class in an hour when it is at least this
/// many seconds and at least [`BENEFIT_MIN_REL`] of the baseline wait.
pub const BENEFIT_MIN_S: f64 = 30.0;
/// See [`BENEFIT_MIN_S`].
pub const BENEFIT_MIN_REL: f64 = 0.05;
/// Share of a group above which "helps" and "worsens" are flagged.
pub const FLAG_SHARE: f64 = 0.05;

/// A candidate site.
#[derive(Clone, Debug)]
pub struct Site {
    /// Identifier.
    pub id: String,
    /// The scenario path as written in the pilot file.
    pub scenario_ref: String,
    /// The loaded scenario (before the pilot's overrides).
    pub scenario: Scenario,
}

/// A candidate intervention.
#[derive(Clone, Debug)]
pub struct Intervention {
    /// Identifier.
    pub id: String,
    /// Free text for the criteria sheet.
    pub description: String,
    /// Changes to each site's scenario document.
    pub changes: Vec<Change>,
    /// A staffing search applied after the changes: the target and the lane ids or kinds to
    /// staff (empty: every lane).
    pub staff: Option<(Target, Vec<String>)>,
    /// The ids of the sites it applies to (empty: every site).
    pub sites: Vec<String>,
}

impl Intervention {
    /// Whether the intervention is a candidate at site `id`.
    pub fn applies_to(&self, id: &str) -> bool {
        self.sites.is_empty() || self.sites.iter().any(|s| s == id)
    }
}

/// A validated pilot file.
#[derive(Clone, Debug)]
pub struct Pilot {
    /// The file as named by the user.
    pub file: String,
    /// Name (names the output folder).
    pub name: String,
    /// Free text.
    pub description: String,
    /// Overrides of every scenario.
    pub replications: Option<u32>,
    /// Override (s).
    pub horizon_s: Option<f64>,
    /// Override (s).
    pub warmup_s: Option<f64>,
    /// Override.
    pub seed: Option<u64>,
    /// Demand scales for robustness (1.0 always runs).
    pub demand_scales: Vec<f64>,
    /// Rank stability counts the top `top_k`.
    pub top_k: usize,
    /// Monte Carlo weight draws.
    pub stability_draws: usize,
    /// Weights in [`CRITERIA`] order.
    pub weights: [f64; N_CRITERIA],
    /// Sites.
    pub sites: Vec<Site>,
    /// Interventions.
    pub interventions: Vec<Intervention>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPilot {
    name: Option<String>,
    description: Option<String>,
    replications: Option<Spanned<i64>>,
    horizon: Option<Spanned<String>>,
    warmup: Option<Spanned<String>>,
    seed: Option<Spanned<i64>>,
    demand_scales: Option<Spanned<Vec<f64>>>,
    top_k: Option<Spanned<i64>>,
    stability_draws: Option<Spanned<i64>>,
    weights: Option<RawWeights>,
    sites: Option<Vec<RawSite>>,
    interventions: Option<Vec<RawIntervention>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeights {
    delay: Option<Spanned<f64>>,
    reliability: Option<Spanned<f64>>,
    reach: Option<Spanned<f64>>,
    emissions: Option<Spanned<f64>>,
    robustness: Option<Spanned<f64>>,
    cost: Option<Spanned<f64>>,
    trips_enabled: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    id: Spanned<String>,
    scenario: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntervention {
    id: Spanned<String>,
    description: Option<String>,
    changes: Option<Vec<Spanned<RawChange>>>,
    staff: Option<Spanned<String>>,
    staff_lanes: Option<Vec<String>>,
    sites: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    key: String,
    set: Option<toml::Value>,
    add: Option<f64>,
    scale: Option<f64>,
    hours: Option<String>,
}

/// Collects problems with their place in the pilot file.
struct Problems<'a> {
    file: &'a str,
    text: &'a str,
    list: Vec<String>,
}

impl Problems<'_> {
    fn at(&mut self, span: std::ops::Range<usize>, key: &str, msg: String) {
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        // Columns count characters, as in scenario files.
        let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        self.list
            .push(format!("{}:{line}:{col}: {key}: {msg}", self.file));
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Reads and validates a pilot file and every site scenario it names (paths relative to the
/// pilot file's folder). Every problem found is reported.
pub fn load(path: &Path) -> Result<Pilot, AnalysisError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| AnalysisError::Input(format!("{file}: cannot read pilot file: {e}")))?;
    let raw: RawPilot = toml::from_str(&text).map_err(|e| {
        let mut p = Problems {
            file: &file,
            text: &text,
            list: Vec::new(),
        };
        let msg = e.message().trim().trim_end_matches('.').to_string();
        p.at(e.span().unwrap_or(0..0), "", msg);
        AnalysisError::Input(p.list.join("\n"))
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut p = Problems {
        file: &file,
        text: &text,
        list: Vec::new(),
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = raw.name.unwrap_or(stem);
    if !is_id(&name) {
        p.list.push(format!(
            "{file}: name: invalid name (got {name:?}, expected 1-64 characters of a-z, 0-9, '_' or '-')"
        ));
    }
    let replications = raw.replications.and_then(|r| {
        let v = *r.get_ref();
        if (2..=1_000_000).contains(&v) {
            Some(v as u32)
        } else {
            p.at(
                r.span(),
                "replications",
                format!("must be between 2 and 1000000 (intervals need two), got {v}"),
            );
            None
        }
    });
    let duration = |v: Option<Spanned<String>>, key: &str, p: &mut Problems<'_>| {
        v.and_then(|s| match parse_duration_s(s.get_ref()) {
            Some(x) if x > 0.0 => Some(x),
            _ => {
                p.at(
                    s.span(),
                    key,
                    format!(
                        "invalid duration (got {:?}, expected e.g. \"14d\", \"36h\")",
                        s.get_ref()
                    ),
                );
                None
            }
        })
    };
    let horizon_s = duration(raw.horizon, "horizon", &mut p);
    let warmup_s = duration(raw.warmup, "warmup", &mut p);
    let seed = raw.seed.and_then(|s| {
        let v = *s.get_ref();
        if v < 0 {
            p.at(s.span(), "seed", format!("must not be negative, got {v}"));
            None
        } else {
            Some(v as u64)
        }
    });
    let demand_scales = match raw.demand_scales {
        Some(s) => {
            let v = s.get_ref().clone();
            if v.is_empty() || v.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
                p.at(
                    s.span(),
                    "demand_scales",
                    format!("expected a non-empty list of positive numbers, got {v:?}"),
                );
            }
            v
        }
        None => vec![0.8, 1.0, 1.2],
    };
    let mut int_in = |v: Option<Spanned<i64>>, key: &str, lo: i64, hi: i64, default: usize| {
        v.map_or(default, |s| {
            let x = *s.get_ref();
            if (lo..=hi).contains(&x) {
                x as usize
            } else {
                p.at(
                    s.span(),
                    key,
                    format!("must be between {lo} and {hi}, got {x}"),
                );
                default
            }
        })
    };
    let top_k = int_in(raw.top_k, "top_k", 1, 1000, 3);
    let stability_draws = int_in(raw.stability_draws, "stability_draws", 1, 1_000_000, 10_000);
    let mut weights = [1.0; N_CRITERIA];
    if let Some(w) = raw.weights {
        let given = [
            w.delay,
            w.reliability,
            w.reach,
            w.emissions,
            w.robustness,
            w.cost,
            w.trips_enabled,
        ];
        for (k, g) in given.into_iter().enumerate() {
            if let Some(s) = g {
                let x = *s.get_ref();
                if !(x.is_finite() && x >= 0.0) {
                    p.at(
                        s.span(),
                        &format!("weights.{}", CRITERIA[k]),
                        format!("must not be negative, got {x}"),
                    );
                } else {
                    weights[k] = x;
                }
            }
        }
        if weights.iter().all(|&x| x == 0.0) {
            p.list.push(format!(
                "{file}: weights: at least one weight must be positive"
            ));
        }
    }

    let mut sites = Vec::new();
    let raw_sites = raw.sites.unwrap_or_default();
    if raw_sites.is_empty() {
        p.list.push(format!(
            "{file}: sites: missing [[sites]] (at least one site)"
        ));
    }
    for (i, s) in raw_sites.into_iter().enumerate() {
        let id = s.id.get_ref().clone();
        if !is_id(&id) {
            p.at(
                s.id.span(),
                &format!("sites[{i}].id"),
                format!(
                    "invalid id (got {id:?}, expected 1-64 characters of a-z, 0-9, '_' or '-')"
                ),
            );
        } else if sites.iter().any(|x: &Site| x.id == id) {
            p.at(
                s.id.span(),
                &format!("sites[{i}].id"),
                format!("duplicate id {id:?}"),
            );
        }
        let rel = s.scenario.get_ref().clone();
        let resolved = dir.join(&rel);
        if !resolved.is_file() {
            p.at(
                s.scenario.span(),
                &format!("sites[{i}].scenario"),
                format!(
                    "no scenario file {} (paths are relative to the pilot file's folder)",
                    resolved.display()
                ),
            );
            continue;
        }
        match load_file(&resolved) {
            Ok(scenario) if scenario.config.region.is_some() => {
                // A site's criteria (reach, the per-lane interventions) are those of one port;
                // a region's ports are scored through their own scenarios.
                p.at(
                    s.scenario.span(),
                    &format!("sites[{i}].scenario"),
                    format!(
                        "{} is a region file, expected one port's scenario (name each port's own scenario as a site, e.g. one of the region's [[ports]]; `garita run`, `compare`, `sweep` and `staff` take the region itself)",
                        resolved.display()
                    ),
                );
            }
            Ok(scenario) => {
                let h = horizon_s.unwrap_or(scenario.config.horizon.as_secs_f64());
                let w = warmup_s.unwrap_or(scenario.config.warmup.as_secs_f64());
                if w >= h {
                    p.at(
                        s.scenario.span(),
                        &format!("sites[{i}]"),
                        format!(
                            "with the pilot's overrides the warm-up ({w} s) is not shorter than the horizon ({h} s)"
                        ),
                    );
                }
                sites.push(Site {
                    id,
                    scenario_ref: rel,
                    scenario,
                })
            }
            Err(e) => p.list.push(e.to_string()),
        }
    }

    let mut interventions: Vec<Intervention> = Vec::new();
    let raw_int = raw.interventions.unwrap_or_default();
    if raw_int.is_empty() {
        p.list.push(format!(
            "{file}: interventions: missing [[interventions]] (at least one)"
        ));
    }
    for (i, r) in raw_int.into_iter().enumerate() {
        let base = format!("interventions[{i}]");
        let id = r.id.get_ref().clone();
        if !is_id(&id) {
            p.at(
                r.id.span(),
                &format!("{base}.id"),
                format!(
                    "invalid id (got {id:?}, expected 1-64 characters of a-z, 0-9, '_' or '-')"
                ),
            );
        } else if interventions.iter().any(|x| x.id == id) {
            p.at(
                r.id.span(),
                &format!("{base}.id"),
                format!("duplicate id {id:?}"),
            );
        }
        let mut changes = Vec::new();
        for (j, c) in r.changes.unwrap_or_default().into_iter().enumerate() {
            let span = c.span();
            let c = c.into_inner();
            let key = format!("{base}.changes[{j}]");
            let ops = [c.set.is_some(), c.add.is_some(), c.scale.is_some()];
            if ops.iter().filter(|&&x| x).count() != 1 {
                p.at(
                    span,
                    &key,
                    "give exactly one of `set`, `add` or `scale`".to_string(),
                );
                continue;
            }
            let op = match (c.set, c.add, c.scale) {
                (Some(v), _, _) => EditOp::Set(v),
                (_, Some(a), _) => EditOp::Add(a),
                (_, _, Some(s)) => EditOp::Scale(s),
                _ => unreachable!("exactly one operation was checked above"),
            };
            if c.hours.is_some() && matches!(op, EditOp::Set(_)) {
                p.at(
                    span.clone(),
                    &format!("{key}.hours"),
                    "`hours` works with `add` and `scale`; with `set`, give all 24 values"
                        .to_string(),
                );
                continue;
            }
            let hours = match c.hours.as_deref() {
                None => None,
                Some(h) => match parse_hours(h) {
                    Some(x) => Some(x),
                    None => {
                        p.at(
                            span,
                            &format!("{key}.hours"),
                            format!("invalid hour range (got {h:?}, expected e.g. \"06-10\" for 06:00-10:00)"),
                        );
                        continue;
                    }
                },
            };
            changes.push(Change {
                key: c.key,
                op,
                hours,
            });
        }
        let staff = match r.staff {
            Some(s) => match Target::parse(s.get_ref()) {
                Ok(t) => Some((t, r.staff_lanes.unwrap_or_default())),
                Err(e) => {
                    p.at(s.span(), &format!("{base}.staff"), e);
                    None
                }
            },
            None => None,
        };
        let only = match r.sites {
            Some(list) => {
                let span = list.span();
                let list = list.into_inner();
                if list.is_empty() {
                    p.at(
                        span.clone(),
                        &format!("{base}.sites"),
                        "an empty list applies to no site (leave `sites` out for every site)"
                            .to_string(),
                    );
                }
                for id in &list {
                    if !sites.iter().any(|s: &Site| &s.id == id) {
                        let ids: Vec<&str> = sites.iter().map(|s| s.id.as_str()).collect();
                        p.at(
                            span.clone(),
                            &format!("{base}.sites"),
                            format!("no site {id:?} (sites are: {})", ids.join(", ")),
                        );
                    }
                }
                list
            }
            None => Vec::new(),
        };
        if changes.is_empty() && staff.is_none() {
            p.at(
                r.id.span(),
                &base,
                "no `changes` and no `staff`: the intervention changes nothing".to_string(),
            );
        }
        interventions.push(Intervention {
            id,
            description: r.description.unwrap_or_default(),
            changes,
            staff,
            sites: only,
        });
    }
    // Every intervention must make a valid scenario at every site.
    if p.list.is_empty() {
        for s in &sites {
            for iv in interventions.iter().filter(|iv| iv.applies_to(&s.id)) {
                if let Err(e) = alternative_text(&file, s, iv) {
                    p.list.push(e.to_string());
                }
            }
        }
    }
    if !p.list.is_empty() {
        return Err(AnalysisError::Input(p.list.join("\n")));
    }
    Ok(Pilot {
        file,
        name,
        description: raw.description.unwrap_or_default(),
        replications,
        horizon_s,
        warmup_s,
        seed,
        demand_scales,
        top_k,
        stability_draws,
        weights,
        sites,
        interventions,
    })
}

fn alternative_text(
    pilot_file: &str,
    site: &Site,
    iv: &Intervention,
) -> Result<Scenario, AnalysisError> {
    let label = format!(
        "{pilot_file}: intervention {:?} at site {:?} ({})",
        iv.id, site.id, site.scenario.source_name
    );
    if iv.changes.is_empty() {
        return Ok(site.scenario.clone());
    }
    edited_scenario(&site.scenario.source_text, &label, &iv.changes)
}

impl Pilot {
    /// A site's configuration with the pilot's overrides.
    pub fn site_config(&self, cfg: &PortConfig) -> PortConfig {
        let mut c = cfg.clone();
        if let Some(r) = self.replications {
            c.replications = r;
        }
        if let Some(h) = self.horizon_s {
            c.horizon = crate::engine::SimTime::from_secs_f64(h);
        }
        if let Some(w) = self.warmup_s {
            c.warmup = crate::engine::SimTime::from_secs_f64(w);
        }
        if let Some(s) = self.seed {
            c.seed = s;
        }
        c
    }

    /// The seed of the rank-stability weight draws: the pilot's seed, else the first site's.
    pub fn stability_seed(&self) -> u64 {
        self.seed
            .or_else(|| self.sites.first().map(|s| s.scenario.config.seed))
            .unwrap_or(1)
    }

    /// The demand scales run (always including 1.0), ascending.
    pub fn scales(&self) -> Vec<f64> {
        let mut s = self.demand_scales.clone();
        if !s.contains(&1.0) {
            s.push(1.0);
        }
        s.sort_by(f64::total_cmp);
        s.dedup();
        s
    }
}

/// The criteria of one candidate (site x intervention), each a mean and 95% interval over
/// replications of the paired (common random numbers) difference with the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Criteria {
    /// Vehicle-hours of waiting saved per day: the waiting of every vehicle that came in the
    /// baseline minus that of every vehicle that came with the intervention (with reacting
    /// demand the latter includes the trips the intervention enabled).
    pub delay_saved_vh_per_day: MeanCi,
    /// Open booth-hours per day added (negative: saved).
    pub added_booth_hours_per_day: MeanCi,
    /// Vehicle-hours saved per added booth-hour (undefined when under half a booth-hour a day
    /// is added).
    pub delay_saved_per_booth_hour: MeanCi,
    /// Reduction of the 95th percentile wait (minutes).
    pub p95_saved_min: MeanCi,
    /// Gain in the share waiting 20 minutes or less.
    pub share_le_20m_gain: MeanCi,
    /// Share of all travellers who benefit.
    pub reach_all: MeanCi,
    /// Share of trusted travellers who benefit.
    pub reach_trusted: MeanCi,
    /// Share of other travellers who benefit.
    pub reach_other: MeanCi,
    /// Share of trusted travellers who wait longer.
    pub worse_trusted: MeanCi,
    /// Share of other travellers who wait longer.
    pub worse_other: MeanCi,
    /// Helps one group while it worsens the other.
    pub equity_flag: bool,
    /// Idling CO2 saved (kg per day).
    pub co2_kg_saved_per_day: MeanCi,
    /// Idling NOx saved (g per day), where given.
    pub nox_g_saved_per_day: MeanCi,
    /// Idling PM2.5 saved (g per day), where given.
    pub pm25_g_saved_per_day: MeanCi,
    /// Delay saved (vehicle-hours per day) at each demand scale.
    pub by_scale: Vec<(f64, MeanCi)>,
    /// Cost: officer booth-hours per day the intervention's schedules add to the baseline's
    /// ([`officer_booth_hours_per_day`]), 0 when they add none.
    pub cost_officer_hours_per_day: MeanCi,
    /// Trips enabled: forgone trips per day, baseline minus intervention (0 without
    /// `[response]`, where no trip is forgone).
    pub trips_enabled_per_day: MeanCi,
}

impl Criteria {
    /// Robustness: the smallest mean delay saved over the demand scales (NaN when no scale
    /// has a value).
    pub fn robustness(&self) -> f64 {
        self.by_scale
            .iter()
            .map(|(_, m)| m.mean)
            .filter(|x| !x.is_nan())
            .reduce(f64::min)
            .unwrap_or(f64::NAN)
    }

    /// The raw values scored, each oriented so that more is better: delay, p95 saved, share
    /// gain, reach, CO2, robustness, minus the cost, trips enabled.
    fn raw(&self) -> [f64; 8] {
        [
            self.delay_saved_vh_per_day.mean,
            self.p95_saved_min.mean,
            self.share_le_20m_gain.mean,
            self.reach_all.mean,
            self.co2_kg_saved_per_day.mean,
            self.robustness(),
            -self.cost_officer_hours_per_day.mean,
            self.trips_enabled_per_day.mean,
        ]
    }
}

/// One ranked candidate.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Site index.
    pub site: usize,
    /// Intervention index.
    pub intervention: usize,
    /// The criteria.
    pub criteria: Criteria,
    /// Scores in [0, 1] in [`CRITERIA`] order.
    pub scores: [f64; N_CRITERIA],
    /// Weighted total.
    pub total: f64,
    /// 1-based rank.
    pub rank: usize,
    /// In the Pareto set.
    pub pareto: bool,
    /// Share of random weightings that put it in the top k.
    pub stability: f64,
    /// The staffing found, for a staffing intervention.
    pub staff: Option<StaffResult>,
    /// The alternative's worst lane by growth of its queue over the last week measured (demand
    /// scale 1).
    pub overload: Overload,
    /// False when that lane is overloaded ([`Overload::flagged`]): its waits describe only the
    /// vehicles served, so the candidate ranks after every feasible one and is left out of the
    /// Pareto set and of rank stability's top k.
    pub feasible: bool,
}

/// Everything `garita pilot` computes.
#[derive(Clone, Debug)]
pub struct PilotResult {
    /// Candidates in site x intervention order.
    pub candidates: Vec<Candidate>,
}

fn per_rep(n: usize, f: impl Fn(usize) -> f64) -> MeanCi {
    let v: Vec<f64> = (0..n).map(f).collect();
    mean_ci(&v)
}

fn metric(r: &ReplicationResult, g: GroupRef, m: Metric) -> f64 {
    r.group(g).map_or(f64::NAN, |x| x.metric(m))
}

/// Shares of travellers in `classes` who benefit and who lose, in one replication pair.
fn reach_shares(
    cfg: &PortConfig,
    base: &ReplicationResult,
    alt: &ReplicationResult,
    pick: impl Fn(usize) -> bool,
) -> (f64, f64) {
    let (mut total, mut better, mut worse) = (0.0, 0.0, 0.0);
    for c in (0..cfg.classes.len()).filter(|&c| pick(c)) {
        let (Some(b), Some(a)) = (
            base.group(GroupRef::Class(c)),
            alt.group(GroupRef::Class(c)),
        ) else {
            continue;
        };
        for h in 0..24 {
            let n = b.hourly[h][HourlyMetric::Arrivals as usize];
            let bw = b.hourly[h][HourlyMetric::WaitMean as usize];
            let aw = a.hourly[h][HourlyMetric::WaitMean as usize];
            if !(n.is_finite() && n > 0.0 && bw.is_finite() && aw.is_finite()) {
                continue;
            }
            total += n;
            let threshold = BENEFIT_MIN_S.max(BENEFIT_MIN_REL * bw);
            if bw - aw >= threshold {
                better += n;
            } else if aw - bw >= threshold {
                worse += n;
            }
        }
    }
    if total > 0.0 {
        (better / total, worse / total)
    } else {
        (f64::NAN, f64::NAN)
    }
}

/// Officer booth-hours per day that a configuration schedules, over an average week: every
/// open booth of every lane by hour (five weekdays, a Saturday and a Sunday, each by its own
/// table), two officers for a stacked booth, and each flex booth all day (it has an officer
/// during its changeovers too).
pub fn officer_booth_hours_per_day(cfg: &PortConfig) -> f64 {
    use crate::port::DayType;
    let lanes: f64 = cfg
        .lanes
        .iter()
        .map(|l| {
            let day = |t: DayType| l.booths_on(t).iter().map(|&b| f64::from(b)).sum::<f64>();
            let week = 5.0 * day(DayType::Weekday) + day(DayType::Saturday) + day(DayType::Sunday);
            week / 7.0 * f64::from(l.stacked)
        })
        .sum();
    let flex: f64 = cfg.flex.iter().map(|f| f64::from(f.booths) * 24.0).sum();
    lanes + flex
}

/// Computes the criteria of an alternative (configuration `alt_cfg`) against its baseline
/// (`cfg`) at each demand scale; `runs[k] = (baseline, alternative)` replications at
/// `scales[k]`.
pub fn criteria(
    cfg: &PortConfig,
    alt_cfg: &PortConfig,
    scales: &[f64],
    runs: &[(&[ReplicationResult], &[ReplicationResult])],
) -> Criteria {
    let k1 = scales.iter().position(|&s| s == 1.0).unwrap_or(0);
    let (base, alt) = runs[k1];
    let n = base.len().min(alt.len());
    let days = cfg.measured_days();
    let all = GroupRef::All;
    let diff = |m: Metric, r: usize| metric(&base[r], all, m) - metric(&alt[r], all, m);
    let delay = |b: &[ReplicationResult], a: &[ReplicationResult]| {
        per_rep(b.len().min(a.len()), |r| {
            metric(&b[r], all, Metric::VehicleHoursWaitingPerDay)
                - metric(&a[r], all, Metric::VehicleHoursWaitingPerDay)
        })
    };
    let added = |r: usize| -diff(Metric::BoothHoursPerDay, r);
    let trusted = |c: usize| cfg.classes[c].trusted;
    let reach = |r: usize, pick: &dyn Fn(usize) -> bool| reach_shares(cfg, &base[r], &alt[r], pick);
    let reach_trusted = per_rep(n, |r| reach(r, &trusted).0);
    let reach_other = per_rep(n, |r| reach(r, &|c| !trusted(c)).0);
    let worse_trusted = per_rep(n, |r| reach(r, &trusted).1);
    let worse_other = per_rep(n, |r| reach(r, &|c| !trusted(c)).1);
    let helps_hurts = |help: &MeanCi, hurt: &MeanCi| {
        help.mean.is_finite()
            && hurt.mean.is_finite()
            && help.mean >= FLAG_SHARE
            && hurt.mean >= FLAG_SHARE
    };
    let equity_flag =
        helps_hurts(&reach_trusted, &worse_other) || helps_hurts(&reach_other, &worse_trusted);
    // Scheduled, so the same in every replication: its interval is 0.
    let cost = (officer_booth_hours_per_day(alt_cfg) - officer_booth_hours_per_day(cfg)).max(0.0);
    // Without a response nothing is forgone (the metric is undefined): no trip is enabled.
    let forgone = |r: &ReplicationResult| {
        let f = metric(r, all, Metric::Forgone);
        if f.is_nan() { 0.0 } else { f / days }
    };
    Criteria {
        delay_saved_vh_per_day: delay(base, alt),
        added_booth_hours_per_day: per_rep(n, added),
        delay_saved_per_booth_hour: per_rep(n, |r| {
            let a = added(r);
            if a >= 0.5 {
                diff(Metric::VehicleHoursWaitingPerDay, r) / a
            } else {
                f64::NAN
            }
        }),
        p95_saved_min: per_rep(n, |r| diff(Metric::WaitP95, r) / 60.0),
        share_le_20m_gain: per_rep(n, |r| -diff(Metric::ShareWaitLe20m, r)),
        reach_all: per_rep(n, |r| reach(r, &|_| true).0),
        reach_trusted,
        reach_other,
        worse_trusted,
        worse_other,
        equity_flag,
        co2_kg_saved_per_day: per_rep(n, |r| diff(Metric::Co2KgIdling, r) / days),
        nox_g_saved_per_day: per_rep(n, |r| diff(Metric::NoxGIdling, r) / days),
        pm25_g_saved_per_day: per_rep(n, |r| diff(Metric::Pm25GIdling, r) / days),
        by_scale: scales
            .iter()
            .zip(runs)
            .map(|(&s, (b, a))| (s, delay(b, a)))
            .collect(),
        cost_officer_hours_per_day: per_rep(n, |_| cost),
        trips_enabled_per_day: per_rep(n, |r| forgone(&base[r]) - forgone(&alt[r])),
    }
}

/// Which lanes of `cfg` `names` select: lane ids, or lane kinds (all lanes of that kind); all
/// lanes when empty.
pub fn select_lanes(cfg: &PortConfig, names: &[String]) -> Result<Vec<usize>, String> {
    if names.is_empty() {
        return Ok((0..cfg.lanes.len()).collect());
    }
    let mut out = Vec::new();
    for name in names {
        let by_id: Vec<usize> = cfg
            .lanes
            .iter()
            .position(|l| &l.id == name)
            .into_iter()
            .collect();
        let found = if by_id.is_empty() {
            let kind = LaneKind::ALL.iter().find(|k| k.as_str() == name);
            cfg.lanes
                .iter()
                .enumerate()
                .filter(|(_, l)| Some(&l.kind) == kind)
                .map(|(i, _)| i)
                .collect()
        } else {
            by_id
        };
        if found.is_empty() {
            let ids: Vec<&str> = cfg.lanes.iter().map(|l| l.id.as_str()).collect();
            return Err(format!(
                "{}: no lane with id or kind {name:?} (lanes are: {})",
                cfg.name,
                ids.join(", ")
            ));
        }
        for i in found {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Runs every site x intervention and ranks the candidates.
pub fn run(pilot: &Pilot, threads: usize) -> Result<PilotResult, AnalysisError> {
    let scales = pilot.scales();
    let mut candidates = Vec::new();
    for (si, site) in pilot.sites.iter().enumerate() {
        let base = pilot.site_config(&site.scenario.config);
        // Alternatives at scale 1 (staffing searched on the site's own demand).
        let mut alts = Vec::new();
        let mut staffs = Vec::new();
        let applicable: Vec<usize> = (0..pilot.interventions.len())
            .filter(|&i| pilot.interventions[i].applies_to(&site.id))
            .collect();
        for iv in applicable.iter().map(|&i| &pilot.interventions[i]) {
            let mut alt = pilot.site_config(&alternative_text(&pilot.file, site, iv)?.config);
            let mut staff = None;
            if let Some((target, names)) = &iv.staff {
                let lanes = select_lanes(&alt, names).map_err(|e| {
                    AnalysisError::Input(format!("{}: intervention {:?}: {e}", pilot.file, iv.id))
                })?;
                let res = search(
                    &alt,
                    &StaffConfig {
                        target: *target,
                        lanes,
                        threads,
                        max_rounds: 60,
                    },
                )?;
                alt = res.apply(&alt);
                staff = Some(res);
            }
            alts.push(alt);
            staffs.push(staff);
        }
        // One batch: baseline and every alternative at every scale.
        let scaled = |c: &PortConfig, s: f64| {
            let mut c = c.clone();
            c.demand.scale *= s;
            c
        };
        let mut configs = Vec::new();
        for &s in &scales {
            configs.push(scaled(&base, s));
            for a in &alts {
                configs.push(scaled(a, s));
            }
        }
        let results = run_replications(&configs, threads, None)?;
        let stride = 1 + alts.len();
        let k1 = scales.iter().position(|&s| s == 1.0).unwrap_or(0);
        for (k, (staff, &ii)) in staffs.into_iter().zip(&applicable).enumerate() {
            let overload = Overload::of(&aggregate(&results[k1 * stride + 1 + k]));
            let runs: Vec<(&[ReplicationResult], &[ReplicationResult])> = (0..scales.len())
                .map(|j| {
                    (
                        results[j * stride].as_slice(),
                        results[j * stride + 1 + k].as_slice(),
                    )
                })
                .collect();
            candidates.push(Candidate {
                site: si,
                intervention: ii,
                criteria: criteria(&base, &alts[k], &scales, &runs),
                scores: [0.0; N_CRITERIA],
                total: 0.0,
                rank: 0,
                pareto: false,
                stability: 0.0,
                staff,
                overload,
                feasible: !overload.flagged(),
            });
        }
    }
    score(&mut candidates, pilot);
    Ok(PilotResult { candidates })
}

/// Fills scores, totals, ranks, the Pareto flags and rank stability.
fn score(candidates: &mut [Candidate], pilot: &Pilot) {
    let raw: Vec<Vec<f64>> = candidates
        .iter()
        .map(|c| c.criteria.raw().to_vec())
        .collect();
    let feasible: Vec<bool> = candidates.iter().map(|c| c.feasible).collect();
    let norm = rank::normalise_among(&raw, &feasible);
    let scores: Vec<Vec<f64>> = norm
        .iter()
        .map(|s| vec![s[0], (s[1] + s[2]) / 2.0, s[3], s[4], s[5], s[6], s[7]])
        .collect();
    let totals = rank::weighted_totals(&scores, &pilot.weights);
    let ranks = rank::ranks_feasible(&totals, &feasible);
    let pareto = rank::pareto_feasible(&scores, &feasible);
    let stability = rank::rank_stability(
        &scores,
        &feasible,
        pilot.top_k,
        pilot.stability_draws,
        pilot.stability_seed(),
    );
    for (i, c) in candidates.iter_mut().enumerate() {
        c.scores.copy_from_slice(&scores[i]);
        c.total = totals[i];
        c.rank = ranks[i];
        c.pareto = pareto[i];
        c.stability = stability[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(x: f64) -> MeanCi {
        MeanCi {
            mean: x,
            ci95: 0.1,
            n: 3,
        }
    }

    fn criteria_all(x: f64) -> Criteria {
        Criteria {
            delay_saved_vh_per_day: m(x),
            added_booth_hours_per_day: m(0.0),
            delay_saved_per_booth_hour: m(f64::NAN),
            p95_saved_min: m(x),
            share_le_20m_gain: m(x / 100.0),
            reach_all: m(x / 100.0),
            reach_trusted: m(x / 100.0),
            reach_other: m(x / 100.0),
            worse_trusted: m(0.0),
            worse_other: m(0.0),
            equity_flag: false,
            co2_kg_saved_per_day: m(x),
            nox_g_saved_per_day: m(f64::NAN),
            pm25_g_saved_per_day: m(f64::NAN),
            by_scale: vec![(0.8, m(x)), (1.0, m(x)), (1.2, m(x))],
            cost_officer_hours_per_day: m(0.0),
            trips_enabled_per_day: m(0.0),
        }
    }

    /// An overloaded candidate that beats every other on every criterion ranks after the
    /// feasible ones, is out of the Pareto set and never in rank stability's top k.
    #[test]
    fn an_overloaded_candidate_never_ranks_first() {
        let p = load(Path::new("tests/fixtures/pilot/good.toml")).expect("fixture pilot");
        let cand = |i: usize, x: f64, overload: Overload| Candidate {
            site: 0,
            intervention: i,
            criteria: criteria_all(x),
            scores: [0.0; N_CRITERIA],
            total: 0.0,
            rank: 0,
            pareto: false,
            stability: 0.0,
            staff: None,
            overload,
            feasible: !overload.flagged(),
        };
        let over = Overload {
            lane: Some(0),
            unserved: 900.0,
            growth: 800.0,
            share: 0.4,
        };
        let mut cs = vec![
            cand(0, 100.0, over),
            cand(1, 1.0, Overload::NONE),
            cand(2, 2.0, Overload::NONE),
        ];
        score(&mut cs, &p);
        assert!(!cs[0].feasible && cs[1].feasible);
        assert_eq!([cs[0].rank, cs[1].rank, cs[2].rank], [3, 2, 1]);
        assert!(cs[0].total >= cs[2].total, "it would win on its numbers");
        assert!(!cs[0].pareto && cs[2].pareto);
        assert_eq!(p.top_k, 1);
        assert_eq!(cs[0].stability, 0.0);
        assert_eq!(cs[2].stability, 1.0);
        // The feasible candidates' scores span [0, 1] as if it were not there.
        assert_eq!(cs[1].scores[0], 0.0);
        assert_eq!(cs[2].scores[0], 1.0);
    }

    #[test]
    fn robustness_of_undefined_values_is_undefined() {
        let mut c = criteria_all(1.0);
        c.by_scale = vec![(0.8, m(f64::NAN)), (1.0, m(f64::NAN))];
        assert!(c.robustness().is_nan());
        c.by_scale = vec![(0.8, m(f64::NAN)), (1.0, m(3.0)), (1.2, m(-2.0))];
        assert_eq!(c.robustness(), -2.0);
        c.by_scale = Vec::new();
        assert!(c.robustness().is_nan());
    }

    /// Cost is the scheduled officer booth-hours added (a stacked booth two officers, a flex
    /// booth one all day, an average week), 0 for a reallocation or a cut; trips enabled is
    /// forgone trips per day, baseline minus intervention, and 0 without a response.
    #[test]
    fn cost_and_trips_enabled() {
        use crate::engine::SimTime;
        use crate::port::{FlexConfig, GroupResult, test_support};
        let mut base = test_support::config(
            [100.0; 24],
            vec![test_support::class("x", 1.0, vec![0, 1])],
            vec![
                test_support::lane("a", 2, 60.0),
                test_support::lane("b", 1, 60.0),
            ],
        );
        base.horizon = SimTime::from_hours(24 * 5);
        base.warmup = SimTime::from_hours(24);
        assert_eq!(officer_booth_hours_per_day(&base), 72.0);
        let mut stacked = base.clone();
        stacked.lanes[0].stacked = 2;
        assert_eq!(officer_booth_hours_per_day(&stacked), 120.0);
        let mut weekend = base.clone();
        weekend.lanes[1].booths_sunday = Some([0; 24]);
        assert!((officer_booth_hours_per_day(&weekend) - (72.0 - 24.0 / 7.0)).abs() < 1e-9);
        let mut flex = base.clone();
        flex.lanes[0].booths = [1; 24];
        flex.flex = vec![FlexConfig {
            id: "gate".into(),
            booths: 1,
            lanes: [0, 1],
            every: SimTime::from_secs_f64(900.0),
            switch_gap_s: 600.0,
            changeover: SimTime::from_secs_f64(120.0),
            hours: None,
        }];
        assert_eq!(officer_booth_hours_per_day(&flex), 72.0);

        // Replications whose only values are the forgone trips (4 measured days).
        let rep = |forgone: f64| ReplicationResult {
            replication: 0,
            groups: vec![GroupResult {
                group: GroupRef::All,
                metrics: {
                    let mut m = vec![f64::NAN; Metric::COUNT];
                    m[Metric::Forgone as usize] = forgone;
                    m
                },
                hourly: vec![[f64::NAN; HourlyMetric::COUNT]; 24],
                wait_cdf: Vec::new(),
            }],
            flows: Vec::new(),
            vehicles_simulated: 0,
        };
        let b = vec![rep(400.0), rep(440.0)];
        let a = vec![rep(100.0), rep(100.0)];
        let k = criteria(&base, &stacked, &[1.0], &[(&b, &a)]);
        assert_eq!(k.cost_officer_hours_per_day.mean, 48.0);
        assert_eq!(k.cost_officer_hours_per_day.ci95, 0.0);
        assert_eq!(k.trips_enabled_per_day.mean, 80.0);
        assert_eq!(k.trips_enabled_per_day.n, 2);
        // A reallocation, and a cut, add nothing; losing trips is negative.
        let k = criteria(&base, &flex, &[1.0], &[(&a, &b)]);
        assert_eq!(k.cost_officer_hours_per_day.mean, 0.0);
        assert_eq!(k.trips_enabled_per_day.mean, -80.0);
        assert_eq!(
            criteria(&stacked, &base, &[1.0], &[(&a, &a)])
                .cost_officer_hours_per_day
                .mean,
            0.0
        );
        // Without a response the metric is undefined: no trip is enabled.
        let none = vec![rep(f64::NAN), rep(f64::NAN)];
        let k = criteria(&base, &base, &[1.0], &[(&none, &none)]);
        assert_eq!(k.trips_enabled_per_day.mean, 0.0);
    }
}
