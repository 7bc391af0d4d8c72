//! Charts of one run: wait, staffing and queue by hour of day, and the wait distribution.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

#[cfg(test)]
use super::style::runs;
use super::style::{
    AXIS_PX, LABEL_PX, TARGET_COLOR, TITLE_PX, band, color, house_mesh, lane_name, legend_line,
    nice_max, text,
};
use super::{ChartError, Ctx, de};
use crate::report::i18n::{Key, Lang};
use crate::report::read::{Est, PostedHour, RunData};

fn run_of<'a>(ctx: &Ctx<'a>) -> Result<&'a RunData, ChartError> {
    ctx.data
        .run
        .as_ref()
        .ok_or_else(|| ChartError::Draw("no run results".to_string()))
}

/// (group, display name) of every lane.
fn lanes(run: &RunData, lang: Lang) -> Vec<(String, String)> {
    run.meta
        .lanes
        .iter()
        .map(|l| {
            (
                format!("lane:{}", l.id),
                lane_name(&run.meta.lanes, l, lang),
            )
        })
        .collect()
}

fn hour_label(x: &f64) -> String {
    format!("{:02}:00", x.round() as i64)
}

/// Hourly (x = mid-hour, mean, ci) points scaled by `scale`.
fn hourly_points(h: &[Option<Est>; 24], scale: f64) -> Points {
    h.iter()
        .enumerate()
        .map(|(i, e)| {
            e.filter(|e| e.mean.is_finite())
                .map(|e| (i as f64 + 0.5, e.mean * scale, e.ci95 * scale))
        })
        .collect()
}

fn split3(points: &[Option<(f64, f64, f64)>]) -> Vec<Vec<(f64, f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64, f64)>> = Vec::new();
    let mut cur = Vec::new();
    for p in points {
        match p {
            Some(p) => cur.push(*p),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn upper(points: &[Option<(f64, f64, f64)>]) -> f64 {
    points
        .iter()
        .flatten()
        .map(|&(_, m, c)| m + if c.is_finite() { c } else { 0.0 })
        .fold(0.0, f64::max)
}

/// Hourly points: (mid-hour, value, CI half-width), `None` where undefined.
type Points = Vec<Option<(f64, f64, f64)>>;

/// Lines with CI bands for several series of hourly points; `dashed` are extra dashed lines.
struct HourlySeries {
    name: String,
    points: Points,
    dashed: Option<(String, Points)>,
    /// Whether the points are means with a 95% interval (band and legend say so).
    ci: bool,
}

fn hourly_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    title: &str,
    y_desc: &str,
    series: &[HourlySeries],
    target_min: Option<f64>,
) -> Result<(), ChartError> {
    let lang = ctx.opts.lang;
    let mut ymax = series
        .iter()
        .map(|s| {
            let d = s.dashed.as_ref().map(|(_, p)| upper(p)).unwrap_or(0.0);
            upper(&s.points).max(d)
        })
        .fold(0.0, f64::max);
    if let Some(t) = target_min {
        ymax = ymax.max(t);
    }
    // Room for the legend above the data.
    let ymax = nice_max(ymax * 1.35);
    let mut chart = ChartBuilder::on(area)
        .caption(title, text(TITLE_PX))
        .margin(24)
        .margin_right(56)
        .x_label_area_size(80)
        .y_label_area_size(110)
        .build_cartesian_2d(0f64..24f64, 0f64..ymax)
        .map_err(de)?;
    let ylab = |y: &f64| lang.num_short(*y, 2);
    house_mesh(&mut chart.configure_mesh())
        .x_desc(lang.text(Key::AxisHourOfDay))
        .y_desc(y_desc)
        .x_labels(13)
        .y_labels(8)
        .x_label_formatter(&hour_label)
        .y_label_formatter(&ylab)
        .draw()
        .map_err(de)?;
    for (i, s) in series.iter().enumerate() {
        let c = color(i);
        for run in split3(&s.points).into_iter().filter(|_| s.ci) {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band(&run),
                    c.mix(0.18).filled(),
                )))
                .map_err(de)?;
        }
        let line_style = c.stroke_width(4);
        for (k, run) in split3(&s.points).into_iter().enumerate() {
            let ann = chart
                .draw_series(LineSeries::new(
                    run.iter().map(|&(x, m, _)| (x, m)),
                    line_style,
                ))
                .map_err(de)?;
            if k == 0 {
                let label = if s.ci {
                    lang.fill(Key::LegendMeanCi, &[("lane", &s.name)])
                } else {
                    s.name.clone()
                };
                ann.label(label)
                    .legend(move |(x, y)| legend_line(x, y, line_style));
            }
        }
        if let Some((label, dashed)) = &s.dashed {
            let dash_style = c.stroke_width(3);
            for (k, run) in split3(dashed).into_iter().enumerate() {
                let ann = chart
                    .draw_series(DashedLineSeries::new(
                        run.iter().map(|&(x, m, _)| (x, m)).collect::<Vec<_>>(),
                        12,
                        8,
                        dash_style,
                    ))
                    .map_err(de)?;
                if k == 0 {
                    ann.label(label.clone()).legend(move |(x, y)| {
                        DashedPathElement::new(vec![(x, y), (x + 30, y)], 8, 5, dash_style)
                    });
                }
            }
        }
    }
    if let Some(t) = target_min {
        let ts = TARGET_COLOR.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(vec![(0.0, t), (24.0, t)], 6, 6, ts))
            .map_err(de)?
            .label(lang.fill(Key::LegendTarget, &[("target", &lang.minutes(t))]))
            .legend(move |(x, y)| DashedPathElement::new(vec![(x, y), (x + 30, y)], 5, 4, ts));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// Draws the series legend.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    pos: SeriesLabelPosition,
) -> Result<(), ChartError> {
    chart
        .configure_series_labels()
        .position(pos)
        .label_font(text(LABEL_PX))
        .background_style(WHITE)
        .border_style(RGBColor(160, 160, 160))
        .margin(16)
        .legend_area_size(46)
        .draw()
        .map_err(de)
}

/// Mean wait with its 95% CI band and the p95 wait by hour of arrival, per lane (minutes).
pub(crate) fn wait_by_hour<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    minutes_by_hour(
        area,
        ctx,
        Key::TitleWaitByHour,
        "wait_mean_s",
        (Key::LegendP95, "wait_p95_s"),
    )
}

/// With `[response]`: the posted wait by hour of the clock per lane (mean with its 95% CI band),
/// and dashed the mean wait of the vehicles that joined in that hour (minutes).
pub(crate) fn posted_wait_by_hour<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    minutes_by_hour(
        area,
        ctx,
        Key::TitlePostedByHour,
        "posted_wait_mean_s",
        (Key::LegendWaitOfCrossers, "wait_mean_s"),
    )
}

/// `garita calibrate`'s fit (fit.csv): the simulated posted wait against CBP's readings.
pub(crate) fn calibration_fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let rows = ctx
        .data
        .fit
        .as_deref()
        .ok_or_else(|| ChartError::Draw("no calibration fit".to_string()))?;
    posted_against_observed(area, ctx, rows, Key::TitleFitByHour)
}

/// Per lane, the hourly metric `solid` (mean with its 95% CI band) and dashed the hourly mean of
/// `dashed.1` under the legend `dashed.0`, both seconds drawn in minutes, against the target.
fn minutes_by_hour<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    title: Key,
    solid: &str,
    dashed: (Key, &str),
) -> Result<(), ChartError> {
    let run = run_of(ctx)?;
    let lang = ctx.opts.lang;
    let series: Vec<HourlySeries> = lanes(run, lang)
        .into_iter()
        .map(|(g, name)| HourlySeries {
            ci: true,
            points: hourly_points(&run.hourly(&g, solid), 1.0 / 60.0),
            dashed: Some((
                lang.fill(dashed.0, &[("lane", &name)]),
                hourly_points(&run.hourly(&g, dashed.1), 1.0 / 60.0)
                    .into_iter()
                    .map(|p| p.map(|(x, m, _)| (x, m, f64::NAN)))
                    .collect(),
            )),
            name,
        })
        .collect();
    hourly_chart(
        area,
        ctx,
        lang.text(title),
        lang.text(Key::AxisWaitMin),
        &series,
        ctx.opts.target_s.map(|t| t / 60.0),
    )
}

/// `garita validate` (validation.csv): the simulated posted wait against the observed readings.
pub(crate) fn validation_by_hour<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let v = ctx
        .data
        .validation
        .as_ref()
        .ok_or_else(|| ChartError::Draw("no validation results".to_string()))?;
    posted_against_observed(area, ctx, &v.hours, Key::TitleValidationByHour)
}

/// Per lane kind, the simulated posted wait by hour (mean with its 95% CI band) and dashed the
/// mean observed reading of that hour: the chart of `garita validate` and `garita calibrate`.
fn posted_against_observed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
    rows: &[PostedHour],
    title: Key,
) -> Result<(), ChartError> {
    let lang = ctx.opts.lang;
    let mut kinds: Vec<&str> = Vec::new();
    for h in rows {
        if !kinds.contains(&h.lane.as_str()) {
            kinds.push(&h.lane);
        }
    }
    let series: Vec<HourlySeries> = kinds
        .into_iter()
        .map(|kind| {
            let name = match kind {
                "general" => lang.text(Key::LaneGeneral).to_string(),
                "ready" => lang.text(Key::LaneReady).to_string(),
                "sentri" => lang.text(Key::LaneSentri).to_string(),
                "fast" => lang.text(Key::LaneFast).to_string(),
                other => other.to_string(),
            };
            let mut sim: Points = vec![None; 24];
            let mut obs: Points = vec![None; 24];
            for h in rows.iter().filter(|h| h.lane == kind) {
                let x = h.hour as f64 + 0.5;
                let ci = if h.simulated_ci95.is_finite() {
                    h.simulated_ci95
                } else {
                    0.0
                };
                if let Some(slot) = sim.get_mut(h.hour) {
                    *slot =
                        h.simulated_mean_min
                            .is_finite()
                            .then_some((x, h.simulated_mean_min, ci));
                }
                if let Some(slot) = obs.get_mut(h.hour) {
                    *slot = h.observed_mean_min.is_finite().then_some((
                        x,
                        h.observed_mean_min,
                        f64::NAN,
                    ));
                }
            }
            HourlySeries {
                name: lang.fill(Key::LegendSimulatedPosted, &[("lane", &name)]),
                points: sim,
                dashed: Some((
                    lang.fill(Key::LegendObservedPosted, &[("lane", &name)]),
                    obs,
                )),
                ci: true,
            }
        })
        .collect();
    hourly_chart(
        area,
        ctx,
        lang.text(title),
        lang.text(Key::AxisWaitMin),
        &series,
        None,
    )
}

/// With `[response]`: latent, made, forgone and shifted trips per hour, all classes.
pub(crate) fn trips_by_hour<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let run = run_of(ctx)?;
    let lang = ctx.opts.lang;
    let series: Vec<HourlySeries> = [
        (Key::SeriesLatent, "latent_trips"),
        (Key::SeriesMade, "arrivals"),
        (Key::SeriesForgone, "forgone"),
        (Key::SeriesShifted, "shifted"),
    ]
    .into_iter()
    .map(|(k, metric)| HourlySeries {
        ci: true,
        points: hourly_points(&run.hourly("all", metric), 1.0),
        dashed: None,
        name: lang.text(k).to_string(),
    })
    .collect();
    hourly_chart(
        area,
        ctx,
        lang.text(Key::TitleTripsByHour),
        lang.text(Key::AxisTripsPerHour),
        &series,
        None,
    )
}

/// In a region: each port's share (%) of the trips that joined a queue, by hour of day, from
/// the mean trips of flows.csv summed over origins and classes.
pub(crate) fn port_share<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let run = run_of(ctx)?;
    let lang = ctx.opts.lang;
    let mut ports: Vec<&str> = Vec::new();
    for f in &run.flows {
        if !ports.contains(&f.port.as_str()) {
            ports.push(&f.port);
        }
    }
    let mut by_port = vec![[0.0; 24]; ports.len()];
    let mut total = [0.0; 24];
    for f in &run.flows {
        if f.est.mean.is_finite() {
            let p = ports
                .iter()
                .position(|&x| x == f.port)
                .expect("listed above");
            by_port[p][f.hour] += f.est.mean;
            total[f.hour] += f.est.mean;
        }
    }
    let series: Vec<HourlySeries> = ports
        .iter()
        .zip(&by_port)
        .map(|(id, t)| HourlySeries {
            ci: false,
            points: (0..24)
                .map(|h| {
                    (total[h] > 0.0).then(|| (h as f64 + 0.5, 100.0 * t[h] / total[h], f64::NAN))
                })
                .collect(),
            dashed: None,
            name: (*id).to_string(),
        })
        .collect();
    hourly_chart(
        area,
        ctx,
        lang.text(Key::TitlePortShare),
        lang.text(Key::AxisShareOfTrips),
        &series,
        None,
    )
}

/// Mean number of vehicles waiting by hour of day, per lane.
pub(crate) fn queue_by_hour<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let run = run_of(ctx)?;
    let lang = ctx.opts.lang;
    let series: Vec<HourlySeries> = lanes(run, lang)
        .into_iter()
        .map(|(g, name)| HourlySeries {
            ci: true,
            points: hourly_points(&run.hourly(&g, "queue_mean"), 1.0),
            dashed: None,
            name,
        })
        .collect();
    hourly_chart(
        area,
        ctx,
        lang.text(Key::TitleQueue),
        lang.text(Key::AxisQueue),
        &series,
        None,
    )
}

/// Whether `run` has any hourly value of `metric` for `group`.
pub(crate) fn has_hourly(run: &RunData, group: &str, metric: &str) -> bool {
    run.hourly(group, metric)
        .iter()
        .flatten()
        .any(|e| e.mean.is_finite())
}

/// How many lanes have hourly values of `metric`.
pub(crate) fn lanes_with(run: &RunData, metric: &str) -> usize {
    run.meta
        .lanes
        .iter()
        .filter(|l| has_hourly(run, &format!("lane:{}", l.id), metric))
        .count()
}

/// Vehicles inside the shared approach and outside the port, by hour (time averages).
pub(crate) fn spillback<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let run = run_of(ctx)?;
    let lang = ctx.opts.lang;
    let series = vec![
        HourlySeries {
            ci: true,
            name: lang.text(Key::LegendApproach).to_string(),
            points: hourly_points(&run.hourly("all", "approach_queue_mean"), 1.0),
            dashed: None,
        },
        HourlySeries {
            ci: true,
            name: lang.text(Key::LegendOutside).to_string(),
            points: hourly_points(&run.hourly("all", "outside_queue_mean"), 1.0),
            dashed: None,
        },
    ];
    hourly_chart(
        area,
        ctx,
        lang.text(Key::TitleSpillback),
        lang.text(Key::AxisQueue),
        &series,
        None,
    )
}

/// Share of each hour that each lane's storage was full (lanes with a storage).
pub(crate) fn lane_full<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let run = run_of(ctx)?;
    let lang = ctx.opts.lang;
    let series: Vec<HourlySeries> = lanes(run, lang)
        .into_iter()
        .filter(|(g, _)| has_hourly(run, g, "lane_full_share"))
        .map(|(g, name)| HourlySeries {
            ci: true,
            points: hourly_points(&run.hourly(&g, "lane_full_share"), 100.0),
            dashed: None,
            name,
        })
        .collect();
    hourly_chart(
        area,
        ctx,
        lang.text(Key::TitleLaneFull),
        lang.text(Key::AxisShareOfTime),
        &series,
        None,
    )
}

/// Booths open by hour per lane (steps, right axis) against arrivals per hour (bars, left).
pub(crate) fn staffing<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let run = run_of(ctx)?;
    let lang = ctx.opts.lang;
    let arrivals = run.hourly("all", "arrivals");
    let amax = arrivals
        .iter()
        .flatten()
        .map(|e| e.mean)
        .filter(|m| m.is_finite())
        .fold(0.0, f64::max);
    let lanes = lanes(run, lang);
    // Booths: the measured time-average per hour, else the plan in run.json.
    let booths: Vec<[f64; 24]> = run
        .meta
        .lanes
        .iter()
        .zip(&lanes)
        .map(|(l, (g, _))| {
            let measured = run.hourly(g, "booths_open");
            let mut b = [0.0; 24];
            for h in 0..24 {
                b[h] = match measured[h] {
                    Some(e) if e.mean.is_finite() => e.mean,
                    _ => l.booths_by_hour.get(h).copied().unwrap_or(0) as f64,
                };
            }
            b
        })
        .collect();
    let bmax = booths
        .iter()
        .flat_map(|b| b.iter().copied())
        .fold(0.0, f64::max);
    let ymax = nice_max(amax * 1.4);
    let bmax = (bmax * 1.4).ceil().max(1.0);
    let mut chart = ChartBuilder::on(area)
        .caption(lang.text(Key::TitleStaffing), text(TITLE_PX))
        .margin(24)
        .margin_right(56)
        .x_label_area_size(80)
        .y_label_area_size(120)
        .right_y_label_area_size(110)
        .build_cartesian_2d(0f64..24f64, 0f64..ymax)
        .map_err(de)?
        .set_secondary_coord(0f64..24f64, 0f64..bmax);
    let ylab = |y: &f64| lang.num_short(*y, 1);
    house_mesh(&mut chart.configure_mesh())
        .x_desc(lang.text(Key::AxisHourOfDay))
        .y_desc(lang.text(Key::AxisArrivalsPerHour))
        .x_labels(13)
        .y_labels(8)
        .x_label_formatter(&hour_label)
        .y_label_formatter(&ylab)
        .draw()
        .map_err(de)?;
    let blab = |y: &f64| lang.num_short(*y, 1);
    chart
        .configure_secondary_axes()
        .y_desc(lang.text(Key::AxisBoothsOpen))
        .axis_desc_style(text(AXIS_PX))
        .label_style(text(LABEL_PX))
        .y_labels(8)
        .y_label_formatter(&blab)
        .draw()
        .map_err(de)?;
    let bar = RGBColor(190, 190, 190);
    chart
        .draw_series(arrivals.iter().enumerate().filter_map(|(h, e)| {
            e.filter(|e| e.mean.is_finite()).map(|e| {
                Rectangle::new(
                    [(h as f64 + 0.08, 0.0), (h as f64 + 0.92, e.mean)],
                    bar.filled(),
                )
            })
        }))
        .map_err(de)?
        .label(lang.text(Key::LegendArrivals))
        .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 30, y + 8)], bar.filled()));
    for (i, (b, (_, name))) in booths.iter().zip(&lanes).enumerate() {
        let style = color(i).stroke_width(4);
        let mut pts = Vec::with_capacity(48);
        for (h, v) in b.iter().enumerate() {
            pts.push((h as f64, *v));
            pts.push((h as f64 + 1.0, *v));
        }
        chart
            .draw_secondary_series(LineSeries::new(pts, style))
            .map_err(de)?
            .label(lang.fill(Key::LegendBooths, &[("lane", name)]))
            .legend(move |(x, y)| legend_line(x, y, style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(text(LABEL_PX))
        .background_style(WHITE)
        .border_style(RGBColor(160, 160, 160))
        .margin(16)
        .legend_area_size(46)
        .draw()
        .map_err(de)
}

/// The share waiting at most `x_s` seconds, interpolated on the distribution's points.
pub(crate) fn share_at(dist: &[(f64, Est)], x_s: f64) -> Option<f64> {
    let mut prev: Option<(f64, f64)> = None;
    for (w, e) in dist {
        if !e.mean.is_finite() {
            continue;
        }
        if *w >= x_s {
            return Some(match prev {
                Some((pw, pm)) if *w > pw => pm + (e.mean - pm) * (x_s - pw) / (w - pw),
                _ => e.mean,
            });
        }
        prev = Some((*w, e.mean));
    }
    prev.map(|(_, m)| m)
}

/// The wait distribution (CDF) per lane with the target marked.
pub(crate) fn wait_distribution<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let run = run_of(ctx)?;
    let lang = ctx.opts.lang;
    let lanes = lanes(run, lang);
    let dists: Vec<Vec<(f64, Est)>> = lanes.iter().map(|(g, _)| run.distribution(g)).collect();
    // Show waits up to where every lane has reached 99.5%, at least 10 minutes.
    let mut xmax_s: f64 = 600.0;
    for d in &dists {
        if let Some((w, _)) = d.iter().find(|(_, e)| e.mean >= 0.995) {
            xmax_s = xmax_s.max(*w);
        } else if let Some((w, _)) = d.last() {
            xmax_s = xmax_s.max(*w);
        }
    }
    if let Some(t) = ctx.opts.target_s {
        xmax_s = xmax_s.max(t * 1.2);
    }
    let xmax = nice_max(xmax_s / 60.0);
    let mut chart = ChartBuilder::on(area)
        .caption(lang.text(Key::TitleCdf), text(TITLE_PX))
        .margin(24)
        .margin_right(56)
        .x_label_area_size(80)
        .y_label_area_size(110)
        .build_cartesian_2d(0f64..xmax, 0f64..100f64)
        .map_err(de)?;
    let xlab = |x: &f64| lang.num_short(*x, 1);
    let ylab = |y: &f64| lang.num_short(*y, 0);
    house_mesh(&mut chart.configure_mesh())
        .x_desc(lang.text(Key::AxisWaitMin))
        .y_desc(lang.text(Key::AxisShareLe))
        .x_labels(12)
        .y_labels(11)
        .x_label_formatter(&xlab)
        .y_label_formatter(&ylab)
        .draw()
        .map_err(de)?;
    for (i, ((_, name), d)) in lanes.iter().zip(&dists).enumerate() {
        let c = color(i);
        let pts: Vec<(f64, f64, f64)> = d
            .iter()
            .filter(|(w, e)| *w / 60.0 <= xmax + 1e-9 && e.mean.is_finite())
            .map(|(w, e)| (w / 60.0, e.mean * 100.0, e.ci95 * 100.0))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let poly: Vec<(f64, f64)> = band(&pts)
            .into_iter()
            .map(|(x, y)| (x, y.min(100.0)))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.18).filled())))
            .map_err(de)?;
        let style = c.stroke_width(4);
        let label = match ctx.opts.target_s.and_then(|t| share_at(d, t)) {
            Some(share) => lang.fill(
                Key::LegendCdf,
                &[
                    ("lane", name),
                    ("share", &lang.percent(share, 0)),
                    (
                        "target",
                        &lang.minutes(ctx.opts.target_s.unwrap_or(0.0) / 60.0),
                    ),
                ],
            ),
            None => lang.fill(Key::LegendCi, &[("lane", name)]),
        };
        chart
            .draw_series(LineSeries::new(pts.iter().map(|&(x, m, _)| (x, m)), style))
            .map_err(de)?
            .label(label)
            .legend(move |(x, y)| legend_line(x, y, style));
    }
    if let Some(t) = ctx.opts.target_s {
        let t = t / 60.0;
        let ts = TARGET_COLOR.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(vec![(t, 0.0), (t, 100.0)], 6, 6, ts))
            .map_err(de)?
            .label(lang.fill(Key::LegendTarget, &[("target", &lang.minutes(t))]))
            .legend(move |(x, y)| DashedPathElement::new(vec![(x, y), (x + 30, y)], 5, 4, ts));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(m: f64) -> Est {
        Est {
            mean: m,
            ci95: 0.0,
            n: 2,
        }
    }

    #[test]
    fn share_at_interpolates() {
        let d = vec![(0.0, e(0.2)), (60.0, e(0.6)), (120.0, e(1.0))];
        assert_eq!(share_at(&d, 60.0), Some(0.6));
        assert!((share_at(&d, 90.0).unwrap() - 0.8).abs() < 1e-12);
        assert_eq!(share_at(&d, 1e9), Some(1.0));
        assert_eq!(share_at(&[], 5.0), None);
    }

    #[test]
    fn runs_split_on_gaps() {
        let r = runs(&[Some((0.0, 1.0)), None, Some((2.0, 1.0)), Some((3.0, 2.0))]);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].len(), 2);
    }
}
