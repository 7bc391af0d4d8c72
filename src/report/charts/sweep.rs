//! Sweep charts: a metric against the swept value (one key), and a heatmap over two keys with
//! the target contour.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::run::legend;
use super::style::{
    LABEL_PX, TARGET_COLOR, TITLE_PX, band, color, group_name, house_mesh, legend_line,
    metric_name, nice_max, text,
};
use super::{ChartError, Ctx, de};
use crate::report::i18n::{Key, Lang};
use crate::report::read::{Sweep, SweepRow};

/// The distinct values of column `k`, numerically sorted when all are numbers (else in file
/// order), and whether they are numeric.
fn axis_values(rows: &[&SweepRow], k: usize) -> (Vec<String>, bool) {
    let mut vals: Vec<String> = Vec::new();
    for r in rows {
        if let Some(v) = r.values.get(k)
            && !vals.contains(v)
        {
            vals.push(v.clone());
        }
    }
    let numeric = !vals.is_empty() && vals.iter().all(|v| v.parse::<f64>().is_ok());
    if numeric {
        vals.sort_by(|a, b| {
            let (x, y) = (
                a.parse::<f64>().unwrap_or(0.0),
                b.parse::<f64>().unwrap_or(0.0),
            );
            x.total_cmp(&y)
        });
    }
    (vals, numeric)
}

/// A value as written in the file, in the chart's language (decimal comma in Spanish).
fn show_value(v: &str, lang: Lang) -> String {
    match lang {
        Lang::Es if v.parse::<f64>().is_ok() => v.replace('.', ","),
        _ => v.to_string(),
    }
}

fn sweep_of<'a>(ctx: &Ctx<'a>) -> Result<&'a Sweep, ChartError> {
    ctx.data
        .sweep
        .as_ref()
        .ok_or_else(|| ChartError::Draw("no sweep results".to_string()))
}

/// Rows at the first value of every key after the first `keep` keys.
fn sliced(s: &Sweep, keep: usize) -> (Vec<&SweepRow>, String) {
    let all: Vec<&SweepRow> = s.rows.iter().collect();
    let mut rows = all;
    let mut fixed = Vec::new();
    for k in keep..s.keys.len() {
        let (vals, _) = axis_values(&rows, k);
        if let Some(v) = vals.first() {
            fixed.push(format!("{} = {v}", s.keys[k]));
            let v = v.clone();
            rows.retain(|r| r.values.get(k) == Some(&v));
        }
    }
    (rows, fixed.join(", "))
}

/// `metric` (minutes) against the swept value, one line with CI band per group.
pub(crate) fn line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    metric: &str,
) -> Result<(), ChartError> {
    let s = sweep_of(ctx)?;
    let lang = ctx.opts.lang;
    let (rows, _) = sliced(s, 1);
    let rows: Vec<&SweepRow> = rows.into_iter().filter(|r| r.metric == metric).collect();
    let (vals, numeric) = axis_values(&rows, 0);
    let integral = vals
        .iter()
        .all(|v| v.parse::<f64>().is_ok_and(|x| x.fract() == 0.0));
    let xpos = |v: &str| -> f64 {
        if numeric {
            v.parse().unwrap_or(0.0)
        } else {
            vals.iter().position(|x| x == v).unwrap_or(0) as f64
        }
    };
    let mut groups: Vec<String> = Vec::new();
    for r in &rows {
        if (r.group == "all" || r.group.starts_with("lane:")) && !groups.contains(&r.group) {
            groups.push(r.group.clone());
        }
    }
    let (x0, x1) = if numeric {
        let lo = vals.first().map(|v| xpos(v)).unwrap_or(0.0);
        let hi = vals.last().map(|v| xpos(v)).unwrap_or(1.0);
        let pad = ((hi - lo) * 0.05).max(1e-9);
        if hi > lo {
            (lo - pad, hi + pad)
        } else {
            (lo - 1.0, lo + 1.0)
        }
    } else {
        (-0.5, vals.len().max(1) as f64 - 0.5)
    };
    let mut ymax = rows
        .iter()
        .map(|r| {
            let c = if r.est.ci95.is_finite() {
                r.est.ci95
            } else {
                0.0
            };
            (r.est.mean + c) / 60.0
        })
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let target = ctx.opts.target_s.map(|t| t / 60.0);
    if let Some(t) = target {
        ymax = ymax.max(t);
    }
    let ymax = nice_max(ymax * 1.35);
    let key = s.keys.first().cloned().unwrap_or_default();
    let title = lang.fill(
        Key::TitleSweep,
        &[("metric", &metric_name(metric, lang)), ("key", &key)],
    );
    let mut chart = ChartBuilder::on(area)
        .caption(title, text(TITLE_PX))
        .margin(24)
        .margin_right(56)
        .x_label_area_size(80)
        .y_label_area_size(110)
        .build_cartesian_2d(x0..x1, 0f64..ymax)
        .map_err(de)?;
    let xlab = |x: &f64| {
        if numeric {
            if integral && (x - x.round()).abs() > 1e-9 {
                return String::new();
            }
            lang.num_short(*x, 3)
        } else {
            let r = x.round();
            if (x - r).abs() > 1e-6 || r < 0.0 {
                return String::new();
            }
            vals.get(r as usize)
                .map(|v| show_value(v, lang))
                .unwrap_or_default()
        }
    };
    let ylab = |y: &f64| lang.num_short(*y, 2);
    house_mesh(&mut chart.configure_mesh())
        .x_desc(key.as_str())
        .y_desc(lang.text(Key::AxisWaitMin))
        .x_labels(if numeric { 10 } else { 2 * vals.len() + 2 })
        .y_labels(8)
        .x_label_formatter(&xlab)
        .y_label_formatter(&ylab)
        .draw()
        .map_err(de)?;
    for (i, g) in groups.iter().enumerate() {
        let c = color(i);
        let mut pts: Vec<(f64, f64, f64)> = rows
            .iter()
            .filter(|r| &r.group == g && r.est.mean.is_finite())
            .map(|r| (xpos(&r.values[0]), r.est.mean / 60.0, r.est.ci95 / 60.0))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        if pts.is_empty() {
            continue;
        }
        chart
            .draw_series(std::iter::once(Polygon::new(
                band(&pts),
                c.mix(0.18).filled(),
            )))
            .map_err(de)?;
        let style = c.stroke_width(4);
        let name = group_name(ctx.data.meta.as_ref(), g, lang);
        chart
            .draw_series(LineSeries::new(pts.iter().map(|&(x, m, _)| (x, m)), style))
            .map_err(de)?
            .label(lang.fill(Key::LegendCi, &[("lane", &name)]))
            .legend(move |(x, y)| legend_line(x, y, style));
        chart
            .draw_series(
                pts.iter()
                    .map(|&(x, m, _)| Circle::new((x, m), 6, c.filled())),
            )
            .map_err(de)?;
    }
    if let Some(t) = target {
        let ts = TARGET_COLOR.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(vec![(x0, t), (x1, t)], 6, 6, ts))
            .map_err(de)?
            .label(lang.fill(Key::LegendTarget, &[("target", &lang.minutes(t))]))
            .legend(move |(x, y)| DashedPathElement::new(vec![(x, y), (x + 30, y)], 5, 4, ts));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// Viridis (colour-blind safe, monotone in lightness) at `t` in [0, 1].
fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// `metric` (minutes) for the whole port over the first two keys, with the target contour.
pub(crate) fn heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    metric: &str,
) -> Result<(), ChartError> {
    let s = sweep_of(ctx)?;
    let lang = ctx.opts.lang;
    let (rows, fixed) = sliced(s, 2);
    let rows: Vec<&SweepRow> = rows
        .into_iter()
        .filter(|r| r.metric == metric && r.group == "all")
        .collect();
    let (xs, _) = axis_values(&rows, 0);
    let (ys, _) = axis_values(&rows, 1);
    let (nx, ny) = (xs.len(), ys.len());
    let mut grid = vec![vec![f64::NAN; ny]; nx];
    for r in &rows {
        let i = xs.iter().position(|v| Some(v) == r.values.first());
        let j = ys.iter().position(|v| Some(v) == r.values.get(1));
        if let (Some(i), Some(j)) = (i, j) {
            grid[i][j] = r.est.mean / 60.0;
        }
    }
    let vmax = grid
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let vmax = nice_max(vmax);
    let mut title = lang.fill(Key::TitleHeatmap, &[("metric", &metric_name(metric, lang))]);
    if !fixed.is_empty() {
        title = format!("{title} ({fixed})");
    }
    let (main, side) = area.split_horizontally(area.dim_in_pixel().0 - 340);
    let mut chart = ChartBuilder::on(&main)
        .caption(title, text(TITLE_PX))
        .margin(24)
        .margin_right(56)
        .x_label_area_size(80)
        .y_label_area_size(130)
        .build_cartesian_2d(0f64..nx.max(1) as f64, 0f64..ny.max(1) as f64)
        .map_err(de)?;
    let cat = |vals: &[String], x: f64| -> String {
        let c = x - 0.5;
        let r = c.round();
        if (c - r).abs() > 1e-6 || r < 0.0 {
            return String::new();
        }
        vals.get(r as usize)
            .map(|v| show_value(v, lang))
            .unwrap_or_default()
    };
    let xlab = |x: &f64| cat(&xs, *x);
    let ylab = |y: &f64| cat(&ys, *y);
    house_mesh(&mut chart.configure_mesh())
        .x_desc(s.keys.first().map(String::as_str).unwrap_or(""))
        .y_desc(s.keys.get(1).map(String::as_str).unwrap_or(""))
        .x_labels(4 * nx + 4)
        .y_labels(4 * ny + 4)
        .x_label_formatter(&xlab)
        .y_label_formatter(&ylab)
        .disable_mesh()
        .draw()
        .map_err(de)?;
    for (i, col) in grid.iter().enumerate() {
        for (j, v) in col.iter().enumerate() {
            let (x, y) = (i as f64, j as f64);
            let fill = if v.is_finite() {
                viridis(v / vmax)
            } else {
                RGBColor(255, 255, 255)
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    fill.filled(),
                )))
                .map_err(de)?;
            if v.is_finite() {
                let light = (v / vmax) > 0.6;
                let tc = if light { BLACK } else { WHITE };
                chart
                    .draw_series(std::iter::once(Text::new(
                        lang.num(*v, 1),
                        (x + 0.5, y + 0.5),
                        text(LABEL_PX)
                            .color(&tc)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(de)?;
            }
        }
    }
    let mut contour_label = None;
    if let Some(t) = ctx.opts.target_s.map(|t| t / 60.0) {
        let ok = |i: usize, j: usize| grid[i][j].is_finite() && grid[i][j] <= t;
        let mut segs = Vec::new();
        for i in 0..nx {
            for j in 0..ny {
                if i + 1 < nx && ok(i, j) != ok(i + 1, j) {
                    let x = (i + 1) as f64;
                    segs.push(vec![(x, j as f64), (x, j as f64 + 1.0)]);
                }
                if j + 1 < ny && ok(i, j) != ok(i, j + 1) {
                    let y = (j + 1) as f64;
                    segs.push(vec![(i as f64, y), (i as f64 + 1.0, y)]);
                }
            }
        }
        let cs = RGBColor(255, 255, 255).stroke_width(6);
        let cs_inner = TARGET_COLOR.stroke_width(3);
        chart
            .draw_series(segs.iter().map(|s| PathElement::new(s.clone(), cs)))
            .map_err(de)?;
        chart
            .draw_series(segs.iter().map(|s| PathElement::new(s.clone(), cs_inner)))
            .map_err(de)?;
        contour_label = Some(lang.fill(Key::LegendContour, &[("target", &lang.minutes(t))]));
    }
    // Colour bar.
    let (_, h) = side.dim_in_pixel();
    let top = 120i32;
    let bottom = h as i32 - 120;
    let steps = 50;
    for k in 0..steps {
        let t0 = k as f64 / steps as f64;
        let y0 = bottom - ((bottom - top) as f64 * (k + 1) as f64 / steps as f64) as i32;
        let y1 = bottom - ((bottom - top) as f64 * k as f64 / steps as f64) as i32;
        side.draw(&Rectangle::new(
            [(40, y0), (90, y1)],
            viridis(t0 + 0.5 / steps as f64).filled(),
        ))
        .map_err(de)?;
    }
    for k in 0..=5 {
        let v = vmax * k as f64 / 5.0;
        let y = bottom - ((bottom - top) as f64 * k as f64 / 5.0) as i32;
        side.draw(&PathElement::new(vec![(90, y), (100, y)], BLACK))
            .map_err(de)?;
        side.draw(&Text::new(
            lang.num_short(v, 2),
            (108, y),
            text(LABEL_PX).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(de)?;
    }
    side.draw(&Text::new(
        lang.text(Key::LegendColorScale).to_string(),
        (20, top - 40),
        text(LABEL_PX),
    ))
    .map_err(de)?;
    if let Some(label) = contour_label {
        let y = bottom + 60;
        side.draw(&PathElement::new(
            vec![(20, y), (60, y)],
            TARGET_COLOR.stroke_width(3),
        ))
        .map_err(de)?;
        side.draw(&Text::new(
            label,
            (70, y),
            text(LABEL_PX - 4.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(de)?;
    }
    Ok(())
}
