//! Exporters for batch experiments: `sweep.csv`, `comparison.csv` and the comparison table.

use std::fmt::Write as _;

use super::tables::{csv_field, fmt_num, group_label};
use crate::experiment::{Aggregate, MetricDiff};
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

/// `sweep.csv`: one column per varied key, then `group,metric,mean,ci95,n`; `points` holds each
/// variant's column values and rows, in variant order.
pub fn sweep_csv(columns: &[String], points: &[(Vec<String>, SweepRows)]) -> Vec<u8> {
    let mut out = String::new();
    for c in columns {
        out.push_str(&csv_field(c));
        out.push(',');
    }
    out.push_str("group,metric,mean,ci95,n\n");
    for (values, rows) in points {
        let mut prefix = String::new();
        for v in values {
            prefix.push_str(&csv_field(v));
            prefix.push(',');
        }
        for (group, m, v) in rows {
            let _ = writeln!(
                out,
                "{prefix}{},{},{},{},{}",
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
/// diff_mean,diff_ci95,rel_change,significant`, differences paired by replication.
pub fn comparison_csv(baseline: &str, alternatives: &[(String, Vec<MetricDiff>)]) -> Vec<u8> {
    let mut out = String::from(
        "baseline,alternative,group,metric,baseline_mean,alternative_mean,diff_mean,diff_ci95,rel_change,significant\n",
    );
    let b = csv_field(baseline);
    for (alt, diffs) in alternatives {
        let a = csv_field(alt);
        for d in diffs {
            let _ = writeln!(
                out,
                "{b},{a},{},{},{},{},{},{},{},{}",
                csv_field(&d.group),
                d.metric.name(),
                fmt_num(d.baseline.mean),
                fmt_num(d.alternative.mean),
                fmt_num(d.diff.mean),
                fmt_num(d.diff.ci95),
                fmt_num(d.rel_change()),
                d.significant()
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
/// of latent trips forgone, as
/// `baseline -> alternative (difference ± 95% CI)`; `*` marks a significant difference.
pub fn comparison_table(
    base_cfg: &PortConfig,
    replications: usize,
    alternatives: &[(String, Vec<MetricDiff>)],
) -> String {
    let shown = [
        (Metric::WaitMean, "mean wait", 1.0 / 60.0, "min"),
        (Metric::WaitP95, "p95 wait", 1.0 / 60.0, "min"),
        (Metric::ShareWaitLe20m, "share <= 20 min", 100.0, "%"),
        (Metric::Utilization, "utilization", 100.0, "%"),
        // Only with `[response]` (undefined, so not shown, otherwise).
        (Metric::ForgoneShare, "trips forgone", 100.0, "%"),
    ];
    let mut out = String::new();
    for (alt, diffs) in alternatives {
        let _ = writeln!(
            out,
            "{} -> {} ({replications} paired replications, common random numbers)",
            base_cfg.name, alt
        );
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
            let _ = writeln!(
                out,
                "  {}, {name}: {:.1} -> {:.1} {unit} ({:+.1}{ci} {unit}){}",
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
