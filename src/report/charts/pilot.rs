//! Pilot-site charts from pilot.csv: the ranking (weighted score and rank stability per
//! candidate) and the trade-off between delay saved and 95th-percentile wait saved.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::run::legend;
use super::style::{LABEL_PX, TARGET_COLOR, TITLE_PX, house_mesh, text};
use super::{ChartError, Ctx, de};
use crate::report::i18n::{Key, Lang};
use crate::report::read::{Ci, PilotData, PilotRow};

/// Pareto-set members (Okabe-Ito blue).
const PARETO: RGBColor = RGBColor(0, 114, 178);
/// Other candidates (Okabe-Ito sky blue).
const OTHER: RGBColor = RGBColor(86, 180, 233);
/// Rank stability (Okabe-Ito orange).
const STABILITY: RGBColor = RGBColor(230, 159, 0);
/// The equity flag (Okabe-Ito vermillion).
const FLAG: RGBColor = RGBColor(213, 94, 0);
/// Candidates outside the Pareto set on the trade-off chart (Okabe-Ito bluish green).
const OTHER_POINT: RGBColor = RGBColor(0, 158, 115);

/// The display name of a candidate: `site · intervention`.
pub(crate) fn candidate_name(r: &PilotRow) -> String {
    if r.site.is_empty() || r.intervention.is_empty() {
        r.candidate.replace('/', " · ")
    } else {
        format!("{} · {}", r.site, r.intervention)
    }
}

fn pilot_of<'a>(ctx: &Ctx<'a>) -> Result<&'a PilotData, ChartError> {
    ctx.data
        .pilot
        .as_ref()
        .ok_or_else(|| ChartError::Draw("no pilot.csv in the folder".to_string()))
}

fn finite_or(x: f64, d: f64) -> f64 {
    if x.is_finite() { x } else { d }
}

/// One horizontal bar per candidate (best on top): the weighted total score, Pareto members
/// outlined in a darker colour, with the rank stability as a thinner bar below it and a
/// triangle beside candidates that help one group of travellers and worsen the other.
pub(crate) fn ranking<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let lang = ctx.opts.lang;
    let pilot = pilot_of(ctx)?;
    let rows = pilot.ranked();
    let n = rows.len().max(1);
    let labels: Vec<String> = rows
        .iter()
        .map(|r| format!("{}. {}", r.rank, candidate_name(r)))
        .collect();
    // Leave a band at the bottom for the legend.
    let ybot = -0.5 - (0.4 * n as f64).max(3.0);
    let xmax = 1.2;
    let mut chart = ChartBuilder::on(area)
        .caption(lang.text(Key::TitlePilotRanking), text(TITLE_PX))
        .margin(24)
        .margin_right(40)
        .x_label_area_size(80)
        .y_label_area_size(440)
        .build_cartesian_2d(0.0..xmax, ybot..n as f64 - 0.5)
        .map_err(de)?;
    let ylab = |y: &f64| {
        let r = y.round();
        if (y - r).abs() > 1e-6 || r < 0.0 || r >= n as f64 {
            return String::new();
        }
        labels.get(n - 1 - r as usize).cloned().unwrap_or_default()
    };
    let xlab = |x: &f64| {
        if *x > 1.0 + 1e-9 {
            String::new()
        } else {
            lang.num_short(*x, 1)
        }
    };
    house_mesh(&mut chart.configure_mesh())
        .x_desc(lang.text(Key::AxisPilotScore))
        .x_labels(14)
        .y_labels((n as f64 - ybot).ceil() as usize + 2)
        .x_label_formatter(&xlab)
        .y_label_formatter(&ylab)
        .disable_y_mesh()
        .draw()
        .map_err(de)?;
    let y_of = |i: usize| (n - 1 - i) as f64;
    let small = text(LABEL_PX * 0.9);
    let value_label = |x: f64, y: f64, s: String| {
        EmptyElement::at((x, y)) + Text::new(s, (8, -10), small.clone())
    };
    // Score bars: Pareto members and the others as two series (for the legend).
    for pareto in [true, false] {
        let fill = if pareto { PARETO } else { OTHER };
        let mine: Vec<(usize, &&PilotRow)> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.pareto == pareto)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let series = chart
            .draw_series(mine.iter().map(|(i, r)| {
                let y = y_of(*i);
                Rectangle::new(
                    [
                        (0.0, y - 0.02),
                        (finite_or(r.total, 0.0).clamp(0.0, 1.0), y + 0.36),
                    ],
                    fill.filled(),
                )
            }))
            .map_err(de)?;
        let key = if pareto {
            Key::LegendScorePareto
        } else {
            Key::LegendScoreOther
        };
        series
            .label(lang.text(key))
            .legend(move |(x, y)| Rectangle::new([(x, y - 9), (x + 30, y + 9)], fill.filled()));
        if pareto {
            chart
                .draw_series(mine.iter().map(|(i, r)| {
                    let y = y_of(*i);
                    Rectangle::new(
                        [
                            (0.0, y - 0.02),
                            (finite_or(r.total, 0.0).clamp(0.0, 1.0), y + 0.36),
                        ],
                        BLACK.stroke_width(2),
                    )
                }))
                .map_err(de)?;
        }
    }
    chart
        .draw_series(rows.iter().enumerate().map(|(i, r)| {
            let y = y_of(i);
            let s = finite_or(r.stability, 0.0).clamp(0.0, 1.0);
            Rectangle::new([(0.0, y - 0.34), (s, y - 0.1)], STABILITY.filled())
        }))
        .map_err(de)?
        .label(lang.fill(Key::LegendStability, &[("k", &pilot.top_k.to_string())]))
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 30, y + 6)], STABILITY.filled()));
    // Values beside the bars.
    chart
        .draw_series(rows.iter().enumerate().flat_map(|(i, r)| {
            let y = y_of(i);
            let t = finite_or(r.total, 0.0).clamp(0.0, 1.0);
            let s = finite_or(r.stability, 0.0).clamp(0.0, 1.0);
            [
                value_label(t, y + 0.17, lang.num(r.total, 2)),
                value_label(s, y - 0.22, lang.percent(r.stability, 0)),
            ]
        }))
        .map_err(de)?;
    let flagged: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].equity_flag).collect();
    if !flagged.is_empty() {
        chart
            .draw_series(flagged.iter().map(|&i| {
                let t = finite_or(rows[i].total, 0.0).clamp(0.0, 1.0);
                EmptyElement::at((t, y_of(i) + 0.17))
                    + TriangleMarker::new((80, 0), 12, FLAG.filled())
            }))
            .map_err(de)?
            .label(lang.text(Key::LegendEquityFlag))
            .legend(|(x, y)| TriangleMarker::new((x + 15, y), 12, FLAG.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// The range covering every mean ± CI and zero, padded.
fn range(vals: &[Ci]) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in vals {
        if !v.mean.is_finite() {
            continue;
        }
        let c = finite_or(v.ci95, 0.0).abs();
        lo = lo.min(v.mean - c);
        hi = hi.max(v.mean + c);
    }
    if hi - lo <= 0.0 {
        return (-1.0, 1.0);
    }
    let pad = 0.08 * (hi - lo);
    (lo - pad, hi + pad)
}

/// Delay saved per day (x) against 95th-percentile wait saved (y), each with its 95% CI
/// whiskers; Pareto members highlighted, every point labelled.
pub(crate) fn tradeoff<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let lang = ctx.opts.lang;
    let pilot = pilot_of(ctx)?;
    let rows: Vec<&PilotRow> = pilot
        .ranked()
        .into_iter()
        .filter(|r| r.delay_saved_vh_per_day.mean.is_finite() && r.p95_saved_min.mean.is_finite())
        .collect();
    let xs: Vec<Ci> = rows.iter().map(|r| r.delay_saved_vh_per_day).collect();
    let ys: Vec<Ci> = rows.iter().map(|r| r.p95_saved_min).collect();
    let (x0, x1) = range(&xs);
    let (y0, y1) = range(&ys);
    // Room above the points for the legend.
    let y1 = y1 + 0.3 * (y1 - y0);
    let mut chart = ChartBuilder::on(area)
        .caption(lang.text(Key::TitlePilotTradeoff), text(TITLE_PX))
        .margin(24)
        .margin_right(56)
        .x_label_area_size(80)
        .y_label_area_size(120)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(de)?;
    let fmt = move |v: &f64| axis_num(lang, *v);
    house_mesh(&mut chart.configure_mesh())
        .x_desc(lang.text(Key::AxisDelaySaved))
        .y_desc(lang.text(Key::AxisP95Saved))
        .x_labels(10)
        .y_labels(10)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .draw()
        .map_err(de)?;
    let zero = TARGET_COLOR.stroke_width(1);
    chart
        .draw_series([
            PathElement::new(vec![(0.0, y0), (0.0, y1)], zero),
            PathElement::new(vec![(x0, 0.0), (x1, 0.0)], zero),
        ])
        .map_err(de)?;
    let xcap = 0.006 * (x1 - x0);
    let ycap = 0.008 * (y1 - y0);
    // Others first so that Pareto members are drawn on top.
    for pareto in [false, true] {
        let (c, key, size) = if pareto {
            (PARETO, Key::LegendParetoCi, 11)
        } else {
            (OTHER_POINT, Key::LegendOtherCi, 8)
        };
        let mine: Vec<&&PilotRow> = rows.iter().filter(|r| r.pareto == pareto).collect();
        if mine.is_empty() {
            continue;
        }
        let w = c.stroke_width(2);
        for r in &mine {
            let (x, y) = (r.delay_saved_vh_per_day.mean, r.p95_saved_min.mean);
            let mut lines = Vec::new();
            let cx = finite_or(r.delay_saved_vh_per_day.ci95, 0.0).abs();
            if cx > 0.0 {
                lines.push(vec![(x - cx, y), (x + cx, y)]);
                lines.push(vec![(x - cx, y - ycap), (x - cx, y + ycap)]);
                lines.push(vec![(x + cx, y - ycap), (x + cx, y + ycap)]);
            }
            let cy = finite_or(r.p95_saved_min.ci95, 0.0).abs();
            if cy > 0.0 {
                lines.push(vec![(x, y - cy), (x, y + cy)]);
                lines.push(vec![(x - xcap, y - cy), (x + xcap, y - cy)]);
                lines.push(vec![(x - xcap, y + cy), (x + xcap, y + cy)]);
            }
            chart
                .draw_series(lines.into_iter().map(|l| PathElement::new(l, w)))
                .map_err(de)?;
        }
        let marker = c.filled();
        chart
            .draw_series(mine.iter().map(|r| {
                Circle::new(
                    (r.delay_saved_vh_per_day.mean, r.p95_saved_min.mean),
                    size,
                    marker,
                )
            }))
            .map_err(de)?
            .label(lang.text(key))
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (30, 0)], w)
                    + Circle::new((15, 0), size, marker)
            });
    }
    let flagged: Vec<&&PilotRow> = rows.iter().filter(|r| r.equity_flag).collect();
    if !flagged.is_empty() {
        let ring = FLAG.stroke_width(4);
        chart
            .draw_series(flagged.iter().map(|r| {
                Circle::new(
                    (r.delay_saved_vh_per_day.mean, r.p95_saved_min.mean),
                    17,
                    ring,
                )
            }))
            .map_err(de)?
            .label(lang.text(Key::LegendEquityFlag))
            .legend(move |(x, y)| Circle::new((x + 15, y), 12, ring));
    }
    // Labels placed where they overlap no other label or point.
    let label_px = LABEL_PX * 0.9;
    let points: Vec<(i32, i32)> = rows
        .iter()
        .map(|r| chart.backend_coord(&(r.delay_saved_vh_per_day.mean, r.p95_saved_min.mean)))
        .collect();
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let bounds = (xr.start, yr.start, xr.end, yr.end);
    let texts: Vec<String> = rows
        .iter()
        .map(|r| format!("{}. {}", r.rank, candidate_name(r)))
        .collect();
    let offsets = place_labels(&points, &texts, label_px, bounds);
    let label_style = text(label_px);
    let leader = RGBColor(120, 120, 120).stroke_width(1);
    chart
        .draw_series(
            rows.iter()
                .zip(texts)
                .zip(offsets)
                .map(|((r, t), (off, w))| {
                    // A leader line from the point to the nearest point of the label's box.
                    let h = (label_px * 1.25).ceil() as i32;
                    let lx = 0.clamp(off.0, off.0 + w);
                    let ly = 0.clamp(off.1, off.1 + h);
                    let far = lx * lx + ly * ly > 20 * 20;
                    let line = if far {
                        vec![(0, 0), (lx, ly)]
                    } else {
                        vec![(0, 0), (0, 0)]
                    };
                    // Anchor the text at the side facing the point, so that the estimated width
                    // only decides the placement, never the gap.
                    let (hpos, ax) = if off.0 + w <= 0 {
                        (HPos::Right, off.0 + w)
                    } else if off.0 < 0 {
                        (HPos::Center, off.0 + w / 2)
                    } else {
                        (HPos::Left, off.0)
                    };
                    let style = label_style.pos(Pos::new(hpos, VPos::Top));
                    EmptyElement::at((r.delay_saved_vh_per_day.mean, r.p95_saved_min.mean))
                        + PathElement::new(line, leader)
                        + Text::new(t, (ax, off.1), style)
                }),
        )
        .map_err(de)?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// A box in pixels: (left, top, right, bottom).
type PxBox = (i32, i32, i32, i32);

fn overlap(a: PxBox, b: PxBox) -> i64 {
    let w = (a.2.min(b.2) - a.0.max(b.0)).max(0);
    let h = (a.3.min(b.3) - a.1.max(b.1)).max(0);
    i64::from(w) * i64::from(h)
}

/// For each point (in pixels) the offset of its label's top-left corner: the first of a fixed
/// list of positions around the point that overlaps no earlier label, no point and stays in
/// `bounds`, else the position with the least overlap. Deterministic: points in order.
/// Also returns each label's estimated width.
fn place_labels(
    points: &[(i32, i32)],
    texts: &[String],
    px: f64,
    bounds: PxBox,
) -> Vec<((i32, i32), i32)> {
    let h = (px * 1.25).ceil() as i32;
    let marks: Vec<PxBox> = points
        .iter()
        .map(|&(x, y)| (x - 12, y - 12, x + 12, y + 12))
        .collect();
    let mut placed: Vec<PxBox> = Vec::new();
    let mut out = Vec::with_capacity(points.len());
    for (&(x, y), t) in points.iter().zip(texts) {
        let w = (t.chars().count() as f64 * px * 0.6).ceil() as i32;
        let mut cands: Vec<(i32, i32)> = Vec::new();
        for step in 0..4 {
            let d = step * h;
            cands.extend([
                (14, 4 + d),
                (14, -h - 4 - d),
                (-14 - w, 4 + d),
                (-14 - w, -h - 4 - d),
            ]);
        }
        cands.extend([(-w / 2, 16), (-w / 2, -h - 16)]);
        let mut best = (i64::MAX, cands[0]);
        for &(dx, dy) in &cands {
            let b = (x + dx, y + dy, x + dx + w, y + dy + h);
            let outside = i64::from(
                (bounds.0 - b.0).max(0)
                    + (b.2 - bounds.2).max(0)
                    + (bounds.1 - b.1).max(0)
                    + (b.3 - bounds.3).max(0),
            ) * 1000;
            let cost = outside
                + placed.iter().map(|p| overlap(*p, b)).sum::<i64>()
                + marks.iter().map(|m| overlap(*m, b)).sum::<i64>();
            if cost < best.0 {
                best = (cost, (dx, dy));
                if cost == 0 {
                    break;
                }
            }
        }
        let (dx, dy) = best.1;
        placed.push((x + dx, y + dy, x + dx + w, y + dy + h));
        out.push((best.1, w));
    }
    out
}

/// An axis number with a precision that suits its size.
fn axis_num(lang: Lang, v: f64) -> String {
    let a = v.abs();
    let d = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else {
        2
    };
    lang.num_short(v, d)
}
