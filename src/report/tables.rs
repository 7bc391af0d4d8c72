//! Tidy CSV and JSON exporters. Every function returns the file's bytes.
//!
//! Numbers are printed with at most 6 decimals (trailing zeros trimmed); undefined values
//! are omitted (rows with no finite replication) or left empty (a CI with n < 2).

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::experiment::Aggregate;
use crate::port::{CDF_POINTS_S, GroupRef, HourlyMetric, Metric, PortConfig, ReplicationResult};
use crate::stats::MeanCi;

/// Facts about a run recorded in `run.json` (nothing that varies between identical runs).
#[derive(Clone, Debug, PartialEq)]
pub struct RunInfo {
    /// The scenario file as named on the command line.
    pub source_name: String,
    /// SHA-256 of the scenario file.
    pub source_hash: String,
    /// garita's version.
    pub version: String,
}

pub use crate::stats::fmt_num;

fn json_num(x: f64) -> Value {
    if !x.is_finite() {
        return Value::Null;
    }
    let s = fmt_num(x);
    serde_json::from_str(&s).unwrap_or(Value::Null)
}

/// `all`, `lane:<id>` or `class:<id>` (see [`PortConfig::group_label`]).
pub fn group_label(cfg: &PortConfig, g: GroupRef) -> String {
    cfg.group_label(g)
}

/// A CSV field, quoted when needed.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn push_ci(out: &mut String, m: &MeanCi) {
    let _ = write!(out, "{},{},{}", fmt_num(m.mean), fmt_num(m.ci95), m.n);
}

/// `summary.csv`: `scenario,group,metric,mean,ci95,n`.
pub fn summary_csv(cfg: &PortConfig, agg: &Aggregate) -> Vec<u8> {
    let mut out = String::from("scenario,group,metric,mean,ci95,n\n");
    let name = csv_field(&cfg.name);
    for g in &agg.groups {
        let label = csv_field(&group_label(cfg, g.group));
        for &m in Metric::ALL {
            let v = g.metric(m);
            if v.n == 0 {
                continue;
            }
            let _ = write!(out, "{name},{label},{},", m.name());
            push_ci(&mut out, &v);
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// `hourly.csv`: `scenario,hour,group,metric,mean,ci95,n`.
pub fn hourly_csv(cfg: &PortConfig, agg: &Aggregate) -> Vec<u8> {
    let mut out = String::from("scenario,hour,group,metric,mean,ci95,n\n");
    let name = csv_field(&cfg.name);
    for h in 0..24 {
        for g in &agg.groups {
            let label = csv_field(&group_label(cfg, g.group));
            for &m in HourlyMetric::ALL {
                let v = g.hourly(h, m);
                if v.n == 0 {
                    continue;
                }
                let _ = write!(out, "{name},{h},{label},{},", m.name());
                push_ci(&mut out, &v);
                out.push('\n');
            }
        }
    }
    out.into_bytes()
}

/// `flows.csv` of a region: `scenario,origin,class,port,hour,trips,ci95,n`, the trips per hour
/// (hour of day of joining a queue, after the warm-up) from each origin, of each class, to each
/// port; None for a single port. Rows for a class a port does not serve are left out.
pub fn flows_csv(cfg: &PortConfig, reps: &[ReplicationResult]) -> Option<Vec<u8>> {
    let region = cfg.region.as_ref()?;
    let mut out = String::from(
        "scenario,origin,class,port,hour,trips,ci95,n
",
    );
    let name = csv_field(&cfg.name);
    let (nc, np) = (cfg.classes.len(), region.ports.len());
    let mut xs = Vec::with_capacity(reps.len());
    for (o, origin) in region.origins.iter().enumerate() {
        for (c, class) in cfg.classes.iter().enumerate() {
            for (p, port) in region.ports.iter().enumerate() {
                if region.class_lanes[c][p].is_empty() {
                    continue;
                }
                for h in 0..24 {
                    let i = ((o * nc + c) * np + p) * 24 + h;
                    xs.clear();
                    xs.extend(reps.iter().filter_map(|r| r.flows.get(i).copied()));
                    let v = crate::stats::mean_ci(&xs);
                    if v.n == 0 {
                        continue;
                    }
                    let _ = write!(
                        out,
                        "{name},{},{},{},{h},",
                        csv_field(&origin.id),
                        csv_field(&class.id),
                        csv_field(&port.id)
                    );
                    push_ci(&mut out, &v);
                    out.push('\n');
                }
            }
        }
    }
    Some(out.into_bytes())
}

/// `distribution.csv`: `scenario,group,wait_s,share_le,ci95,n`, the share of served vehicles
/// that waited at most `wait_s`, every minute up to 4 hours.
pub fn distribution_csv(cfg: &PortConfig, agg: &Aggregate) -> Vec<u8> {
    let mut out = String::from("scenario,group,wait_s,share_le,ci95,n\n");
    let name = csv_field(&cfg.name);
    for g in &agg.groups {
        let label = csv_field(&group_label(cfg, g.group));
        for (x, v) in CDF_POINTS_S.iter().zip(&g.wait_cdf) {
            if v.n == 0 {
                continue;
            }
            let _ = write!(out, "{name},{label},{},", fmt_num(*x));
            push_ci(&mut out, v);
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// `replications.csv`: `scenario,replication,group,metric,value` (replications numbered from 1).
pub fn replications_csv(cfg: &PortConfig, reps: &[ReplicationResult]) -> Vec<u8> {
    let mut out = String::from("scenario,replication,group,metric,value\n");
    let name = csv_field(&cfg.name);
    for r in reps {
        for g in &r.groups {
            let label = csv_field(&group_label(cfg, g.group));
            for &m in Metric::ALL {
                let v = g.metric(m);
                if !v.is_finite() {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "{name},{},{label},{},{}",
                    r.replication + 1,
                    m.name(),
                    fmt_num(v)
                );
            }
        }
    }
    out.into_bytes()
}

fn ci_json(m: &MeanCi) -> Value {
    json!({ "mean": json_num(m.mean), "ci95": json_num(m.ci95), "n": m.n })
}

/// `summary.json`: the numbers of `summary.csv`, nested by group and metric.
pub fn summary_json(cfg: &PortConfig, info: &RunInfo, agg: &Aggregate) -> Vec<u8> {
    let groups: Vec<Value> = agg
        .groups
        .iter()
        .map(|g| {
            let mut metrics = Map::new();
            for &m in Metric::ALL {
                let v = g.metric(m);
                if v.n > 0 {
                    metrics.insert(m.name().to_string(), ci_json(&v));
                }
            }
            let (kind, id) = match g.group {
                GroupRef::All => ("all", String::new()),
                GroupRef::Lane(i) => ("lane", cfg.lanes[i].id.clone()),
                GroupRef::Class(i) => ("class", cfg.classes[i].id.clone()),
                GroupRef::FlexBooth { booth, lane } => {
                    let (f, j) = cfg.flex_booth(booth);
                    (
                        "flex_booth",
                        format!("{}/{}/lane:{}", cfg.flex[f].id, j + 1, cfg.lanes[lane].id),
                    )
                }
            };
            json!({
                "group": group_label(cfg, g.group),
                "kind": kind,
                "id": id,
                "metrics": Value::Object(metrics),
            })
        })
        .collect();
    let doc = json!({
        "scenario": cfg.name,
        "scenario_hash": info.source_hash,
        "seed": cfg.seed,
        "replications": agg.replications,
        "groups": groups,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    s.push('\n');
    s.into_bytes()
}

/// `run.json`: what is needed to reproduce the run (no wall-clock time, no thread count).
pub fn run_json(cfg: &PortConfig, info: &RunInfo) -> Vec<u8> {
    let doc = json!({
        "garita_version": info.version,
        "scenario": cfg.name,
        "description": cfg.description,
        "description_es": cfg.description_es,
        "display_en": cfg.display.en,
        "display_es": cfg.display.es,
        "scenario_file": info.source_name,
        "scenario_hash": info.source_hash,
        "seed": cfg.seed,
        "replications": cfg.replications,
        "horizon_s": json_num(cfg.horizon.as_secs_f64()),
        "warmup_s": json_num(cfg.warmup.as_secs_f64()),
        "lanes": cfg.lanes.iter().map(|l| json!({
            "id": l.id,
            "kind": l.kind.as_str(),
            "display_en": l.display.en,
            "display_es": l.display.es,
            "max_booths": l.max_booths,
            "booths_by_hour": l.booths.to_vec(),
            "service": l.service.kind_str(),
            "service_mean_s": json_num(l.service.mean_s()),
            "service_sd_s": json_num(l.service.sd_s()),
        })).collect::<Vec<_>>(),
        "classes": cfg.classes.iter().map(|c| json!({
            "id": c.id,
            "display_en": c.display.en,
            "display_es": c.display.es,
            "share": json_num(c.share),
            "lanes": c.lanes.iter().map(|&l| cfg.lanes[l].id.clone()).collect::<Vec<_>>(),
            "trusted": c.trusted,
            "mode": c.mode.as_str(),
        })).collect::<Vec<_>>(),
    });
    let mut doc = doc;
    // Only for scenarios that use them, so that other run.json files stay as they were.
    if let Some(obj) = doc.as_object_mut() {
        if let Some(start) = cfg.calendar.start {
            obj.insert("start".into(), json!(start.to_string()));
            obj.insert(
                "dates".into(),
                json!(
                    cfg.calendar
                        .dates
                        .iter()
                        .map(|d| json!({
                            "date": d.date.to_string(),
                            "demand": json_num(d.demand),
                            "booths": d.booths.map(|t| t.as_str()),
                        }))
                        .collect::<Vec<_>>()
                ),
            );
        }
        if let Some(a) = cfg.approach {
            obj.insert("approach_storage".into(), json!(a.storage));
        }
    }
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    s.push('\n');
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_format() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.1 + 0.2), "0.3");
        assert_eq!(fmt_num(12.345_678_9), "12.345679");
        assert_eq!(fmt_num(f64::NAN), "");
        assert_eq!(fmt_num(-0.000_000_1), "0");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
