//! The scenario comparison chart: change in mean and p95 wait per alternative, with CI whiskers.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::run::legend;
use super::style::{TARGET_COLOR, TITLE_PX, color, group_name, house_mesh, nice_max, text};
use super::{ChartError, Ctx, de};
use crate::report::i18n::Key;
use crate::report::read::CompareRow;

const METRICS: [&str; 2] = ["wait_mean_s", "wait_p95_s"];

fn charted(r: &CompareRow) -> bool {
    METRICS.contains(&r.metric.as_str())
        && (r.group == "all" || r.group.starts_with("lane:"))
        && r.diff_mean.is_finite()
}

/// Whether the comparison has rows this chart shows.
pub(crate) fn has_rows(rows: &[CompareRow]) -> bool {
    rows.iter().any(charted)
}

/// Horizontal dot-and-whisker chart: one row per (alternative, group), two metrics each.
pub(crate) fn comparison<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let lang = ctx.opts.lang;
    let rows: Vec<&CompareRow> = ctx
        .data
        .comparison
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .filter(|r| charted(r))
        .collect();
    // Categories in file order.
    let mut cats: Vec<(String, String)> = Vec::new();
    for r in &rows {
        let c = (r.alternative.clone(), r.group.clone());
        if !cats.contains(&c) {
            cats.push(c);
        }
    }
    let n = cats.len().max(1);
    let labels: Vec<String> = cats
        .iter()
        .map(|(alt, g)| format!("{alt} · {}", group_name(ctx.data.meta.as_ref(), g, lang)))
        .collect();
    let ext = rows
        .iter()
        .map(|r| {
            let ci = if r.diff_ci95.is_finite() {
                r.diff_ci95.abs()
            } else {
                0.0
            };
            (r.diff_mean.abs() + ci) / 60.0
        })
        .fold(0.0, f64::max);
    let xmax = nice_max(ext * 1.15);
    let baseline = rows.first().map(|r| r.baseline.clone()).unwrap_or_default();
    // Leave the top band free for the legend.
    let ytop = n as f64 - 0.5 + (0.2 * n as f64).max(0.8);
    let mut chart = ChartBuilder::on(area)
        .caption(
            lang.fill(Key::TitleCompare, &[("baseline", &baseline)]),
            text(TITLE_PX),
        )
        .margin(24)
        .margin_right(56)
        .x_label_area_size(80)
        .y_label_area_size(440)
        .build_cartesian_2d(-xmax..xmax, -0.5f64..ytop)
        .map_err(de)?;
    // Row i is drawn at y = n - 1 - i so that the first alternative is on top.
    let ylab = |y: &f64| {
        let r = y.round();
        if (y - r).abs() > 1e-6 || r < 0.0 || r >= n as f64 {
            return String::new();
        }
        let i = n - 1 - r as usize;
        labels.get(i).cloned().unwrap_or_default()
    };
    let xlab = |x: &f64| lang.num_short(*x, 2);
    house_mesh(&mut chart.configure_mesh())
        .x_desc(lang.text(Key::AxisChangeMin))
        .x_labels(11)
        .y_labels((ytop + 0.5).ceil() as usize + 2)
        .x_label_formatter(&xlab)
        .y_label_formatter(&ylab)
        .disable_y_mesh()
        .draw()
        .map_err(de)?;
    let ts = TARGET_COLOR.stroke_width(2);
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            ts,
        )))
        .map_err(de)?;
    for (k, metric) in METRICS.iter().enumerate() {
        let c = color(k);
        let offset = if k == 0 { 0.15 } else { -0.15 };
        let ys = |r: &CompareRow| {
            let i = cats
                .iter()
                .position(|(a, g)| *a == r.alternative && *g == r.group)
                .unwrap_or(0);
            (n - 1 - i) as f64 + offset
        };
        let mine: Vec<&&CompareRow> = rows.iter().filter(|r| r.metric == *metric).collect();
        let whisker = c.stroke_width(3);
        for r in &mine {
            if !r.diff_ci95.is_finite() {
                continue;
            }
            let y = ys(r);
            let (lo, hi) = (
                (r.diff_mean - r.diff_ci95) / 60.0,
                (r.diff_mean + r.diff_ci95) / 60.0,
            );
            chart
                .draw_series([
                    PathElement::new(vec![(lo, y), (hi, y)], whisker),
                    PathElement::new(vec![(lo, y - 0.08), (lo, y + 0.08)], whisker),
                    PathElement::new(vec![(hi, y - 0.08), (hi, y + 0.08)], whisker),
                ])
                .map_err(de)?;
        }
        let key = if k == 0 {
            Key::MetricWaitMean
        } else {
            Key::MetricWaitP95
        };
        let marker = c.filled();
        chart
            .draw_series(
                mine.iter()
                    .map(|r| Circle::new((r.diff_mean / 60.0, ys(r)), 9, marker)),
            )
            .map_err(de)?
            .label(lang.fill(Key::LegendCi, &[("lane", lang.text(key))]))
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (30, 0)], whisker)
                    + Circle::new((15, 0), 8, marker)
            });
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}
