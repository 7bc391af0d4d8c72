//! Exporters for batch experiments: `sweep.csv`, `comparison.csv` and the comparison table.

use std::fmt::Write as _;

use super::tables::{csv_field, fmt_num, group_label};
use crate::experiment::{Aggregate, LineQueue, MetricDiff, Overload};
use crate::port::{Metric, PortConfig};
use crate::stats::MeanCi;

/// The whole-run metrics of one sweep variant: `(group label, metric, mean and CI)`.
pub type SweepRows = Vec<(String, Metric, MeanCi)>;

/// The rows of `sweep.csv` contributed by one variant (every group and metric with data).
pub fn sweep_rows(cfg: &PortConfig, agg: &Aggregate) -> SweepRows {
    let mut rows = Vec::new();
    for g in &agg.groups {
        let label = group_label(cfg, g.group);
        for &m in Metric::ALL {
            let v = g.metric(m);
            if v.n > 0 {
                rows.push((label.clone(), m, v));
            }
        }
    }
    rows
}

/// The overload of one sweep variant (see [`Overload`]) from its rows, with the label
/// (`lane:<id>`) of its worst lane.
pub fn sweep_overload(rows: &SweepRows) -> (Overload, Option<String>) {
    let mut lanes: Vec<(&str, LineQueue)> = Vec::new();
    for (group, m, v) in rows {
        if !group.starts_with("lane:") {
            continue;
        }
        let i = match lanes.iter().position(|l| l.0 == group) {
            Some(i) => i,
            None => {
                let nan = LineQueue {
                    at_end: f64::NAN,
                    at_reference: f64::NAN,
                    per_day: f64::NAN,
                };
                lanes.push((group, nan));
                lanes.len() - 1
            }
        };
        match m {
            Metric::UnservedAtEnd => lanes[i].1.at_end = v.mean,
            Metric::QueuedWeekBeforeEnd => lanes[i].1.at_reference = v.mean,
            Metric::ArrivalsPerDay => lanes[i].1.per_day = v.mean,
            _ => {}
        }
    }
    let o = Overload::from_lanes(lanes.iter().enumerate().map(|(i, l)| (i, l.1)));
    let label = o.lane.map(|i| lanes[i].0.to_string());
    (o, label)
}

/// `sweep.csv`: one column per varied key, then `group,metric,mean,ci95,n,queue_growth_share,
/// overloaded`; `points` holds each variant's column values and rows, in variant order. The
/// last two columns describe the variant: the largest growth of a lane's queue over the
/// last week measured as a share of its daily arrivals, and whether that makes it overloaded (see
/// [`Overload`]).
pub fn sweep_csv(columns: &[String], points: &[(Vec<String>, SweepRows)]) -> Vec<u8> {
    let mut out = String::new();
    for c in columns {
        out.push_str(&csv_field(c));
        out.push(',');
    }
    out.push_str("group,metric,mean,ci95,n,queue_growth_share,overloaded\n");
    for (values, rows) in points {
        let mut prefix = String::new();
        for v in values {
            prefix.push_str(&csv_field(v));
            prefix.push(',');
        }
        let (o, _) = sweep_overload(rows);
        let suffix = format!("{},{}", fmt_num(o.share), o.flagged());
        for (group, m, v) in rows {
            let _ = writeln!(
                out,
                "{prefix}{},{},{},{},{},{suffix}",
                csv_field(group),
                m.name(),
                fmt_num(v.mean),
                fmt_num(v.ci95),
                v.n
            );
        }
    }
    out.into_bytes()
}

/// `comparison.csv`: `baseline,alternative,group,metric,baseline_mean,alternative_mean,
/// diff_mean,diff_ci95,rel_change,significant,n,baseline_overloaded,alternative_overloaded`,
/// differences paired by replication; `n` is the number of pairs (replications where both sides
/// have a value) behind all three means; the last two say whether the queue of some lane of
/// each side grows by more than [`crate::experiment::OVERLOAD_SHARE`] of a day's arrivals over
/// the last week measured. `overloads` holds the baseline's, then each alternative's.
pub fn comparison_csv(
    baseline: &str,
    alternatives: &[(String, Vec<MetricDiff>)],
    overloads: &[Overload],
) -> Vec<u8> {
    let mut out = String::from(
        "baseline,alternative,group,metric,baseline_mean,alternative_mean,diff_mean,diff_ci95,rel_change,significant,n,baseline_overloaded,alternative_overloaded\n",
    );
    let b = csv_field(baseline);
    let flagged = |i: usize| overloads.get(i).is_some_and(Overload::flagged);
    for (k, (alt, diffs)) in alternatives.iter().enumerate() {
        let a = csv_field(alt);
        let (bo, ao) = (flagged(0), flagged(k + 1));
        for d in diffs {
            let _ = writeln!(
                out,
                "{b},{a},{},{},{},{},{},{},{},{},{},{bo},{ao}",
                csv_field(&d.group),
                d.metric.name(),
                fmt_num(d.baseline.mean),
                fmt_num(d.alternative.mean),
                fmt_num(d.diff.mean),
                fmt_num(d.diff.ci95),
                fmt_num(d.rel_change()),
                d.significant(),
                d.n
            );
        }
    }
    out.into_bytes()
}

/// A readable name for a group label of `cfg` (`all`, `lane:<id>`, `class:<id>`).
fn group_name(cfg: &PortConfig, label: &str) -> String {
    if let Some(id) = label.strip_prefix("lane:") {
        let lane = cfg.lanes.iter().find(|l| l.id == id);
        match lane {
            Some(l) if !l.display.en.is_empty() => l.display.en.clone(),
            _ => format!("lane {id}"),
        }
    } else if let Some(id) = label.strip_prefix("class:") {
        let class = cfg.classes.iter().find(|c| c.id == id);
        match class {
            Some(c) if !c.display.en.is_empty() => {
                let d = &c.display.en;
                let lower = d.to_lowercase();
                if [
                    "travellers",
                    "travelers",
                    "trucks",
                    "vehicles",
                    "holders",
                    "members",
                ]
                .iter()
                .any(|w| lower.ends_with(w))
                {
                    d.clone()
                } else {
                    format!("{d} travellers")
                }
            }
            _ => format!("class {id}"),
        }
    } else {
        "All vehicles".to_string()
    }
}

/// The comparison printed after `garita compare`: per alternative and group, mean and p95 wait
/// in minutes, share waiting 20 minutes or less, utilization and (with `[response]`) the share
/// of latent trips forgone, as `baseline -> alternative (difference ± 95% CI)`; `*` marks a
/// significant difference, and a line resting on fewer pairs than `replications` (a group with
/// nobody served in some replications) says how many. An overloaded side (see [`Overload`])
/// gets a warning; `configs` and `overloads` hold the baseline's, then each alternative's.
pub fn comparison_table(
    configs: &[&PortConfig],
    replications: usize,
    alternatives: &[(String, Vec<MetricDiff>)],
    overloads: &[Overload],
) -> String {
    let base_cfg = configs[0];
    let shown = [
        (Metric::WaitMean, "mean wait", 1.0 / 60.0, "min"),
        (Metric::WaitP95, "p95 wait", 1.0 / 60.0, "min"),
        (Metric::ShareWaitLe20m, "share <= 20 min", 100.0, "%"),
        (Metric::Utilization, "utilization", 100.0, "%"),
        // Only with `[response]` (undefined, so not shown, otherwise).
        (Metric::ForgoneShare, "trips forgone", 100.0, "%"),
    ];
    let mut out = String::new();
    for (k, (alt, diffs)) in alternatives.iter().enumerate() {
        let _ = writeln!(
            out,
            "{} -> {} ({replications} paired replications, common random numbers)",
            base_cfg.name, alt
        );
        for i in [0, k + 1] {
            if let (Some(o), Some(cfg)) = (overloads.get(i), configs.get(i))
                && o.flagged()
            {
                let lane = match o.lane {
                    Some(l) => group_name(cfg, &format!("lane:{}", cfg.lanes[l].id)),
                    None => "the approach (vehicles before the lane split)".to_string(),
                };
                let _ = writeln!(out, "  {}", o.warning(&cfg.name, &lane));
            }
        }
        for d in diffs {
            let Some(&(_, name, scale, unit)) = shown.iter().find(|s| s.0 == d.metric) else {
                continue;
            };
            if !d.baseline.mean.is_finite() || !d.alternative.mean.is_finite() {
                continue;
            }
            let ci = if d.diff.ci95.is_finite() {
                format!(" ± {:.1}", d.diff.ci95 * scale)
            } else {
                String::new()
            };
            let pairs = if d.n < replications {
                format!(" [{} of {replications} pairs]", d.n)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {}, {name}: {:.1} -> {:.1} {unit} ({:+.1}{ci} {unit}){}{pairs}",
                group_name(base_cfg, &d.group),
                d.baseline.mean * scale,
                d.alternative.mean * scale,
                d.diff.mean * scale,
                if d.significant() { " *" } else { "" }
            );
        }
        out.push('\n');
    }
    out.push_str("* the 95% interval of the difference excludes zero\n");
    out
}
