//! The short table printed after a run.

use std::fmt::Write as _;

use super::group_label;
use crate::experiment::{Aggregate, OVERLOAD_MIN_VEHICLES, OVERLOAD_SHARE};
use crate::port::{GroupRef, Metric, PortConfig};
use crate::stats::MeanCi;

fn minutes(m: MeanCi) -> String {
    if !m.mean.is_finite() {
        return "-".to_string();
    }
    if m.ci95.is_finite() {
        format!("{:.1} ± {:.1}", m.mean / 60.0, m.ci95 / 60.0)
    } else {
        format!("{:.1}", m.mean / 60.0)
    }
}

fn share(m: MeanCi) -> String {
    if m.mean.is_finite() {
        format!("{:.1}%", 100.0 * m.mean)
    } else {
        "-".to_string()
    }
}

/// A plain-text table: per group, arrivals per day, mean and p95 wait in minutes with 95% CIs,
/// share waiting 20 minutes or less, and utilization.
pub fn summary_table(cfg: &PortConfig, agg: &Aggregate) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "group".into(),
        "arrivals/day".into(),
        "mean wait (min)".into(),
        "p95 wait (min)".into(),
        "<= 20 min".into(),
        "utilization".into(),
    ]];
    for g in &agg.groups {
        let util = match g.group {
            GroupRef::Class(_) => "".to_string(),
            _ => share(g.metric(Metric::Utilization)),
        };
        rows.push([
            group_label(cfg, g.group),
            format!("{:.0}", g.metric(Metric::ArrivalsPerDay).mean),
            minutes(g.metric(Metric::WaitMean)),
            minutes(g.metric(Metric::WaitP95)),
            share(g.metric(Metric::ShareWaitLe20m)),
            util,
        ]);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} replications x {:.1} days measured",
        cfg.name,
        agg.replications,
        cfg.measured_days()
    );
    push_table(&mut out, &rows);
    response_table(&mut out, cfg, agg);
    for g in &agg.groups {
        if let GroupRef::Lane(_) = g.group {
            let left = g.metric(Metric::UnservedAtEnd).mean;
            let per_day = g.metric(Metric::ArrivalsPerDay).mean;
            if left > OVERLOAD_SHARE * per_day && left >= OVERLOAD_MIN_VEHICLES {
                let _ = writeln!(
                    out,
                    "warning: {}: {left:.0} vehicles still queued at the horizon ({:.0}% of a day's arrivals): demand may exceed capacity, so waits grow with the horizon",
                    group_label(cfg, g.group),
                    100.0 * left / per_day
                );
            }
        }
    }
    out
}

/// With `[response]`: per group, latent trips, trips forgone (and their share) and shifted per
/// day, and the mean posted wait.
fn response_table(out: &mut String, cfg: &PortConfig, agg: &Aggregate) {
    let latent_known = agg
        .group(GroupRef::All)
        .is_some_and(|g| g.metric(Metric::LatentTrips).mean.is_finite());
    if !latent_known {
        return;
    }
    let days = cfg.measured_days();
    let per_day = |m: MeanCi| {
        if m.mean.is_finite() && days > 0.0 {
            format!("{:.0}", m.mean / days)
        } else {
            "-".to_string()
        }
    };
    let mut rows: Vec<[String; 6]> = vec![[
        "group".into(),
        "latent/day".into(),
        "forgone/day".into(),
        "forgone".into(),
        "shifted/day".into(),
        "posted wait (min)".into(),
    ]];
    for g in &agg.groups {
        rows.push([
            group_label(cfg, g.group),
            per_day(g.metric(Metric::LatentTrips)),
            per_day(g.metric(Metric::Forgone)),
            share(g.metric(Metric::ForgoneShare)),
            per_day(g.metric(Metric::Shifted)),
            minutes(g.metric(Metric::PostedWaitMean)),
        ]);
    }
    out.push('\n');
    push_table(out, &rows);
}

/// Writes `rows` as an aligned table, the first row a header underlined with dashes.
fn push_table(out: &mut String, rows: &[[String; 6]]) {
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            let _ = writeln!(out, "{}", "-".repeat(total));
        }
    }
}
