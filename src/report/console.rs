//! The short table printed after a run.

use std::fmt::Write as _;

use super::group_label;
use crate::experiment::{Aggregate, LineQueue, Overload};
use crate::port::{CapacityCheck, GroupRef, Metric, PortConfig};
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
            // Flex booths have their own lines below the table.
            GroupRef::FlexBooth { .. } => continue,
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
    if rows.iter().flatten().any(|c| c.contains('±')) {
        let _ = writeln!(
            out,
            "± is the half-width of the 95% confidence interval (Student t) over the {} replications",
            agg.replications
        );
    }
    response_table(&mut out, cfg, agg);
    flex_lines(&mut out, cfg, agg);
    for g in &agg.groups {
        if let GroupRef::Lane(_) = g.group {
            let o = Overload::from_lanes([(0, LineQueue::of(g))]);
            if o.flagged() {
                let _ = writeln!(out, "{}", o.warning(&cfg.name, &group_label(cfg, g.group)));
            }
        }
    }
    out
}

/// With `[[flex]]`: each flex booth's hours per day in each of its lanes and its moves into
/// each per day.
fn flex_lines(out: &mut String, cfg: &PortConfig, agg: &Aggregate) {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for g in &agg.groups {
        let GroupRef::FlexBooth { booth, lane } = g.group else {
            continue;
        };
        let hours = g.metric(Metric::FlexBoothHoursPerDay);
        let moves = g.metric(Metric::FlexSwitchesPerDay);
        let part = format!(
            "{} {:.1} ± {:.1} h ({:.2} moves in)",
            cfg.lanes[lane].id, hours.mean, hours.ci95, moves.mean
        );
        match lines.iter_mut().find(|(b, _)| *b == booth) {
            Some((_, l)) => {
                l.push_str(", ");
                l.push_str(&part);
            }
            None => lines.push((booth, part)),
        }
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nflex booths: hours per day in each lane (moves into it per day)"
    );
    for (booth, l) in lines {
        let (f, j) = cfg.flex_booth(booth);
        let _ = writeln!(out, "  {}/{}: {l}", cfg.flex[f].id, j + 1);
    }
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
        if let GroupRef::FlexBooth { .. } = g.group {
            continue;
        }
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

fn capacity_sets(cfg: &PortConfig, c: &CapacityCheck) -> (String, String) {
    let join = |ids: Vec<&str>| ids.join("+");
    (
        join(
            c.classes
                .iter()
                .map(|&i| cfg.classes[i].id.as_str())
                .collect(),
        ),
        join(c.lanes.iter().map(|&i| cfg.lanes[i].id.as_str()).collect()),
    )
}

fn load_text(load: f64) -> String {
    if load.is_finite() {
        format!("{load:.2}")
    } else {
        "no capacity".to_string()
    }
}

/// The capacity checks of a scenario, one indented line each, as `check` prints them:
/// vehicles on an average day of the classes against the capacity of their lanes.
pub fn capacity_lines(cfg: &PortConfig, checks: &[CapacityCheck]) -> String {
    let mut text = String::new();
    for c in checks {
        let (classes, lanes) = capacity_sets(cfg, c);
        let _ = writeln!(
            text,
            "  capacity a day: classes {classes} {:.0} vs lanes {lanes} {:.0} (load {}){}",
            c.demand_per_day,
            c.capacity_per_day,
            load_text(c.load()),
            match (c.is_overloaded(), cfg.response.is_some()) {
                (false, _) => "",
                (true, false) => ": over capacity",
                // Latent demand: travellers who react forgo or shift trips instead.
                (true, true) => ": latent demand over capacity (travellers forgo or shift trips)",
            }
        );
    }
    text
}

/// One warning line per overloaded check of the scenario read from `source`; none with
/// `[response]`, where demand is latent and travellers forgo or shift trips when waits are long,
/// so that queues do not grow without bound.
pub fn capacity_warnings(source: &str, cfg: &PortConfig, checks: &[CapacityCheck]) -> String {
    let mut text = String::new();
    if cfg.response.is_some() {
        return text;
    }
    for c in checks.iter().filter(|c| c.is_overloaded()) {
        let (classes, lanes) = capacity_sets(cfg, c);
        let _ = writeln!(
            text,
            "warning: {source}: classes {classes} bring {:.0} vehicles on an average day but lanes {lanes} can serve {:.0} (load {}): their queue grows without bound",
            c.demand_per_day,
            c.capacity_per_day,
            load_text(c.load())
        );
    }
    text
}
