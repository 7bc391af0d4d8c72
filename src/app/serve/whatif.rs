//! The page's edits as a scenario, and the results of a what-if as the page shows them.
//!
//! Edits are `(key path, value)` pairs applied to the loaded scenario's document by the sweep
//! code (`experiment::sweep::apply`: the same key paths as `--vary`, class shares rebalanced),
//! and the edited text is validated by `scenario::parse_str` like any file. The what-if then
//! runs with its baseline (the scenario as loaded, same seed and replications: common random
//! numbers), and its results go through the same exporters, readers, charts and report code as
//! `garita run`, `compare` and `report`.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde_json::{Value, json};
use toml::Table;

use super::api::{Api, RunFailure};
use crate::app::{AppError, VERSION};
use crate::experiment::sweep::{self, SetValue, VariantSpec};
use crate::experiment::{Aggregate, MetricDiff, Overload, aggregate, paired_diffs};
use crate::port::{Metric, PortConfig};
use crate::report::charts::style::lane_name;
use crate::report::charts::{self, ChartKind, ChartOptions, Format};
use crate::report::i18n::{Key, Lang};
use crate::report::read::{LaneMeta, OutputData};
use crate::report::{RunInfo, comparison_csv, fmt_num, html, live_output};
use crate::scenario::{Scenario, ScenarioError, parse_duration_s, parse_str};

/// A scenario as loaded, with its parsed document for edits.
pub(super) struct Loaded {
    pub scenario: Scenario,
    doc: Table,
}

/// The page's edits of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Edits {
    pub scenario: String,
    pub sets: Vec<(String, toml::Value)>,
}

/// Why edits could not be made into a scenario.
pub(super) enum EditError {
    /// The change itself is impossible (an unknown path, shares over 1).
    Edit(String),
    /// The edited scenario fails validation.
    Invalid(ScenarioError),
}

fn json_to_toml(v: &Value, key: &str) -> Result<toml::Value, String> {
    Ok(match v {
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => match n.as_f64() {
                Some(f) if f.is_finite() => toml::Value::Float(f),
                _ => return Err(format!("{key}: {n} is not a finite number")),
            },
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(
            items
                .iter()
                .map(|x| json_to_toml(x, key))
                .collect::<Result<_, _>>()?,
        ),
        Value::Null | Value::Object(_) => {
            return Err(format!(
                "{key}: expected a number, text, true/false or a list of them, got {v}"
            ));
        }
    })
}

impl Edits {
    /// Reads `{"scenario": NAME, "sets": [[KEY, VALUE], ...]}`.
    pub fn from_json(body: &[u8]) -> Result<Edits, String> {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| format!("the request body is not valid JSON: {e}"))?;
        let scenario = v
            .get("scenario")
            .and_then(Value::as_str)
            .ok_or("scenario: expected the name of a served scenario")?
            .to_string();
        let mut sets = Vec::new();
        match v.get("sets") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let pair = item.as_array().filter(|p| p.len() == 2);
                    let (Some(key), Some(value)) =
                        (pair.and_then(|p| p[0].as_str()), pair.map(|p| &p[1]))
                    else {
                        return Err(format!("sets[{i}]: expected [key, value], got {item}"));
                    };
                    if key.is_empty() || key.chars().any(char::is_control) {
                        return Err(format!("sets[{i}]: {key:?} is not a key path"));
                    }
                    sets.push((key.to_string(), json_to_toml(value, key)?));
                }
            }
            Some(other) => {
                return Err(format!(
                    "sets: expected a list of [key, value], got {other}"
                ));
            }
        }
        Ok(Edits { scenario, sets })
    }
}

/// Keys with a control of their own on the page, or not for editing there (identities such
/// as a class being a trusted-traveller programme).
fn has_own_control(key: &str) -> bool {
    const TOP: [&str; 8] = [
        "name",
        "description",
        "seed",
        "replications",
        "horizon",
        "warmup",
        "demand",
        "display",
    ];
    let last = key.rsplit('.').next().unwrap_or(key);
    TOP.contains(&key)
        || key.starts_with("demand.")
        || last == "display"
        || last == "id"
        || (key.starts_with("lanes.") && (last == "booths" || last == "max_booths"))
        || (key.starts_with("classes.") && (last == "share" || last == "trusted"))
}

/// Every other number, duration and switch (true/false) the document sets, by key path: what
/// the page shows as "other settings" (for example traveller response, approach or flex-booth
/// parameters, when a scenario has them).
fn settings(t: &Table, prefix: &str, out: &mut Vec<Value>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if has_own_control(&key) {
            continue;
        }
        match v {
            toml::Value::Integer(i) => {
                out.push(json!({ "key": key, "kind": "number", "value": i }));
            }
            toml::Value::Float(f) => {
                out.push(json!({ "key": key, "kind": "number", "value": f }));
            }
            toml::Value::Boolean(b) => {
                out.push(json!({ "key": key, "kind": "bool", "value": b }));
            }
            toml::Value::String(s) if parse_duration_s(s).is_some() => {
                out.push(json!({ "key": key, "kind": "duration", "value": s }));
            }
            toml::Value::Table(sub) => settings(sub, &key, out),
            toml::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let toml::Value::Table(sub) = item {
                        let id = sub
                            .get("id")
                            .and_then(toml::Value::as_str)
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string());
                        settings(sub, &format!("{key}.{id}"), out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn lane_metas(cfg: &PortConfig) -> Vec<LaneMeta> {
    cfg.lanes
        .iter()
        .map(|l| LaneMeta {
            id: l.id.clone(),
            kind: l.kind.as_str().to_string(),
            display_en: l.display.en.clone(),
            display_es: l.display.es.clone(),
            booths_by_hour: l.booths.to_vec(),
        })
        .collect()
}

/// What the page needs to draw its controls for `cfg` (as written in `doc`).
fn state_json(cfg: &PortConfig, doc: &Table) -> Value {
    let metas = lane_metas(cfg);
    let lanes: Vec<Value> = cfg
        .lanes
        .iter()
        .zip(&metas)
        .map(|(l, m)| {
            json!({
                "id": l.id,
                "kind": l.kind.as_str(),
                "name_en": lane_name(&metas, m, Lang::En),
                "name_es": lane_name(&metas, m, Lang::Es),
                "booths": l.booths.to_vec(),
                "max_booths": l.max_booths,
            })
        })
        .collect();
    let class_name = |own: &str, fallback: &str, id: &str, lang: Lang| {
        if !own.is_empty() {
            own.to_string()
        } else if !fallback.is_empty() {
            fallback.to_string()
        } else {
            lang.fill(Key::ClassNamed, &[("id", id)])
        }
    };
    let classes: Vec<Value> = cfg
        .classes
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name_en": class_name(&c.display.en, "", &c.id, Lang::En),
                "name_es": class_name(&c.display.es, &c.display.en, &c.id, Lang::Es),
                "share": c.share,
            })
        })
        .collect();
    let mut other = Vec::new();
    settings(doc, "", &mut other);
    json!({
        "lanes": lanes,
        "classes": classes,
        "demand_scale": cfg.demand.scale,
        "replications": cfg.replications,
        "seed": cfg.seed,
        "days": cfg.horizon.as_secs_f64() / 86_400.0,
        "measured_days": cfg.measured_days(),
        "settings": other,
    })
}

impl Loaded {
    pub fn new(scenario: Scenario) -> Result<Loaded, AppError> {
        let doc: Table = scenario.source_text.parse().map_err(|e| {
            AppError::Usage(format!(
                "{}: cannot re-read the scenario: {e}",
                scenario.source_name
            ))
        })?;
        Ok(Loaded { scenario, doc })
    }

    /// Name, descriptions and the state of the controls.
    pub fn describe(&self) -> Value {
        let c = &self.scenario.config;
        json!({
            "name": c.name,
            "file": self.scenario.source_name,
            "description_en": c.description,
            "description_es": if c.description_es.is_empty() { &c.description } else { &c.description_es },
            "state": state_json(c, &self.doc),
        })
    }

    /// The page's booth bars show the weekday schedule: on a lane whose booths are a table by
    /// day type, `lanes.<id>.booths` edits its `weekday` entry and keeps Saturday and Sunday.
    fn booths_key(&self, key: &str) -> String {
        let lane = key
            .strip_prefix("lanes.")
            .and_then(|k| k.strip_suffix(".booths"));
        let by_day = lane.is_some_and(|id| {
            self.doc
                .get("lanes")
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(toml::Value::as_table)
                .find(|l| l.get("id").and_then(toml::Value::as_str) == Some(id))
                .and_then(|l| l.get("booths"))
                .is_some_and(toml::Value::is_table)
        });
        if by_day {
            format!("{key}.weekday")
        } else {
            key.to_string()
        }
    }

    /// The scenario with `edits` applied, validated as a file named `<name>-whatif.toml`.
    pub fn edit(&self, edits: &Edits) -> Result<Scenario, EditError> {
        let spec = VariantSpec {
            sets: edits
                .sets
                .iter()
                .map(|(k, v)| {
                    (
                        self.booths_key(k),
                        SetValue {
                            text: v.to_string(),
                            value: v.clone(),
                        },
                    )
                })
                .collect(),
        };
        let text = sweep::apply(&self.doc, &spec).map_err(|e| EditError::Edit(e.to_string()))?;
        let changes: String = if spec.sets.is_empty() {
            "none".to_string()
        } else {
            spec.label()
        };
        let changes: String = changes
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let source = self.scenario.source_name.replace(char::is_control, " ");
        let text = format!(
            "# What-if of {source}, made with garita serve {VERSION}.\n# Changes: {changes}\n\n{text}"
        );
        let name = format!("{}-whatif.toml", self.scenario.config.name);
        parse_str(&text, &name).map_err(EditError::Invalid)
    }
}

/// A simulated what-if and its paired comparison with the scenario as loaded.
pub(super) struct Outcome {
    edited: Scenario,
    base_name: String,
    agg: Aggregate,
    diffs: Vec<MetricDiff>,
    /// Overload (growth of a lane's queue): the baseline's, then the what-if's.
    overloads: [Overload; 2],
}

/// Runs the what-if (and its baseline, unless already in memory).
pub(super) fn evaluate(
    api: &Api,
    index: usize,
    loaded: &Loaded,
    edited: &Scenario,
    cancel: &AtomicBool,
) -> Result<Outcome, RunFailure> {
    let alt = &edited.config;
    let mut base = loaded.scenario.config.clone();
    base.replications = alt.replications;
    base.seed = alt.seed;
    let (base_reps, alt_reps) = api.with_baseline(index, &base, alt, cancel)?;
    let diffs = paired_diffs(&base, &base_reps, alt, &alt_reps);
    let agg = aggregate(&alt_reps);
    let overloads = [Overload::of(&aggregate(&base_reps)), Overload::of(&agg)];
    Ok(Outcome {
        edited: edited.clone(),
        base_name: base.name.clone(),
        agg,
        diffs,
        overloads,
    })
}

const TARGET_S: f64 = 1200.0;

impl Outcome {
    fn options(lang: Lang) -> ChartOptions {
        ChartOptions {
            lang,
            target_s: Some(TARGET_S),
        }
    }

    /// The results as if read from `output/<name>` after `garita run` of the saved file, with
    /// the comparison beside them.
    fn data(&self, lang: Lang) -> Result<OutputData, String> {
        let cfg = &self.edited.config;
        let info = RunInfo {
            source_name: self.edited.source_name.clone(),
            source_hash: self.edited.source_hash.clone(),
            version: VERSION.to_string(),
        };
        let cmp = comparison_csv(
            &self.base_name,
            &[(lang.text(Key::UiThisWhatIf).to_string(), self.diffs.clone())],
            &self.overloads,
        );
        live_output(
            &Path::new("output").join(&cfg.name),
            cfg,
            &info,
            &self.agg,
            Some(&cmp),
        )
        .map_err(|e| format!("cannot read the results back: {e}"))
    }

    fn svg(kind: ChartKind, data: &OutputData, lang: Lang) -> Result<String, String> {
        let bytes = charts::render(kind, data, &Self::options(lang), Format::Svg)
            .map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// What the page shows.
    pub fn page_json(&self, lang: Lang, elapsed_ms: u64) -> Result<Value, String> {
        let data = self.data(lang)?;
        let run = data.run.as_ref().ok_or("no run results")?;
        let cfg = &self.edited.config;
        let headline = |metric: &str| {
            let e = run.summary("all", metric);
            json!({
                "text": html::minutes_with_ci(e, lang),
                "mean_s": e.map(|e| fmt_num(e.mean)).unwrap_or_default(),
            })
        };
        let change = self
            .diffs
            .iter()
            .find(|d| d.group == "all" && d.metric == Metric::WaitMean);
        let change = match change {
            Some(d) => {
                let m = lang.num(d.diff.mean / 60.0, 1);
                let m = if d.diff.mean / 60.0 >= 0.05 {
                    format!("+{m}")
                } else {
                    m
                };
                let text = if d.diff.ci95.is_finite() {
                    format!("{m} ± {}", lang.num(d.diff.ci95 / 60.0, 1))
                } else {
                    m
                };
                json!({
                    "text": text,
                    "mean_s": fmt_num(d.diff.mean),
                    "ci95_s": fmt_num(d.diff.ci95),
                    "significant": d.significant(),
                })
            }
            None => json!({ "text": "–", "mean_s": "", "ci95_s": "", "significant": false }),
        };
        let doc: Table = self
            .edited
            .source_text
            .parse()
            .map_err(|e| format!("cannot re-read the edited scenario: {e}"))?;
        let days = lang.num_short(cfg.measured_days(), 1);
        Ok(json!({
            "scenario": cfg.name,
            "file": self.edited.source_name,
            "toml": self.edited.source_text,
            "state": state_json(cfg, &doc),
            "headline": {
                "wait_mean": headline("wait_mean_s"),
                "wait_p95": headline("wait_p95_s"),
                "change": change,
            },
            "status": lang.fill(Key::UiSimulated, &[
                ("reps", &cfg.replications.to_string()),
                ("days", &days),
                ("ms", &elapsed_ms.to_string()),
            ]),
            "elapsed_ms": elapsed_ms,
            "figures_html": html::key_figures_section(run, lang),
            "charts": {
                "wait_by_hour": Self::svg(ChartKind::WaitByHour, &data, lang)?,
                "staffing": Self::svg(ChartKind::Staffing, &data, lang)?,
                "comparison": Self::svg(ChartKind::Comparison, &data, lang)?,
            },
        }))
    }

    /// The self-contained report of this what-if (with its comparison), as `garita report`
    /// writes it.
    pub fn report_html(&self, lang: Lang) -> Result<String, String> {
        let data = self.data(lang)?;
        let mut svgs = Vec::new();
        for kind in charts::applicable(&data) {
            svgs.push((kind, Self::svg(kind, &data, lang)?));
        }
        Ok(html::report_html(&data, &svgs, &Self::options(lang)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Booth bars edit the weekday table of a lane with booths by day type, and keep the others.
    #[test]
    fn booth_edits_reach_the_weekday_table_only() {
        let text = r#"
name = "x"
horizon = "2d"
[demand]
rate = 10
[[lanes]]
id = "main"
booths = { weekday = 3, saturday = 1 }
max_booths = 4
service = { dist = "exponential", mean = "45s" }
[[classes]]
id = "general"
share = 1.0
lanes = ["main"]
"#;
        let loaded = Loaded::new(parse_str(text, "x.toml").expect("valid")).expect("loaded");
        let edits = Edits {
            scenario: "x".into(),
            sets: vec![(
                "lanes.main.booths".into(),
                toml::Value::Array(vec![toml::Value::Integer(2); 24]),
            )],
        };
        let Ok(edited) = loaded.edit(&edits) else {
            panic!("the edit applies");
        };
        let lane = &edited.config.lanes[0];
        assert_eq!(lane.booths, [2; 24]);
        assert_eq!(lane.booths_saturday, Some([1; 24]));
    }

    #[test]
    fn other_settings_are_the_scenarios_own_numbers_durations_and_switches() {
        let doc: Table = r#"
name = "x"
seed = 1
horizon = "2d"
[demand]
rate = 10
scale = 1.5
[response]
enabled = true
patience = "20m"
share = 0.4
label = "not a number"
[[lanes]]
id = "main"
booths = 3
max_booths = 4
service = { dist = "exponential", mean = "45s" }
[[classes]]
id = "general"
share = 1.0
"#
        .parse()
        .expect("toml");
        let mut out = Vec::new();
        settings(&doc, "", &mut out);
        let keys: Vec<(&str, &str)> = out
            .iter()
            .map(|v| {
                (
                    v["key"].as_str().expect("key"),
                    v["kind"].as_str().expect("kind"),
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                ("lanes.main.service.mean", "duration"),
                ("response.enabled", "bool"),
                ("response.patience", "duration"),
                ("response.share", "number"),
            ]
        );
    }
}
