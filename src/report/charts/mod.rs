//! Charts drawn from a run's output files, as PNG or SVG bytes.
//!
//! Every chart is drawn by one generic function over a plotters backend, so the PNG and the
//! SVG show the same thing. Text uses the bundled font (no system font lookup), colours come
//! from the Okabe-Ito palette, and a footer names the scenario, its hash, seed, replications
//! and garita version (for a pilot: the pilot, its weight-draw seed, replications, version). Output is a pure function of the input files: PNG bytes are identical
//! between runs.

mod compare;
pub(crate) mod pilot;
mod run;
pub mod style;
mod sweep;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::i18n::Lang;
use crate::report::read::OutputData;

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The drawing library failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

pub(crate) fn de<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Image format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// 1600x900 PNG.
    #[default]
    Png,
    /// SVG (text in the bundled font's family).
    Svg,
}

impl Format {
    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// How charts are drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartOptions {
    /// Language of all text.
    pub lang: Lang,
    /// Target wait (s) drawn on wait charts; `None` draws none.
    pub target_s: Option<f64>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            lang: Lang::En,
            target_s: Some(1200.0),
        }
    }
}

/// One kind of chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Mean wait (95% CI band) and p95 wait by hour of arrival, per lane.
    WaitByHour,
    /// Booths open by hour (steps) against arrivals per hour (bars).
    Staffing,
    /// Mean queue length by hour, per lane.
    QueueByHour,
    /// Wait distribution (CDF) per lane with the target marked.
    WaitDistribution,
    /// Change in mean and p95 wait per alternative (comparison.csv).
    Comparison,
    /// Mean wait against the swept value (one-key sweep).
    SweepWaitMean,
    /// p95 wait against the swept value (one-key sweep).
    SweepWaitP95,
    /// p95 wait over a two-key grid with the target contour.
    SweepHeatmap,
    /// Pilot candidates by weighted score, with rank stability, Pareto set and equity flags.
    PilotRanking,
    /// Pilot candidates: delay saved against p95 wait saved, with CI whiskers.
    PilotTradeoff,
    /// With `[response]`: the posted wait by hour per lane, beside the wait of those who crossed.
    PostedWaitByHour,
    /// With `[response]`: latent, made, forgone and shifted trips by hour.
    TripsByHour,
    /// With an approach: vehicles inside the approach and outside the port by hour.
    Spillback,
    /// With lane storage: share of each hour that each lane's storage was full.
    LaneFull,
    /// `garita validate`: simulated posted wait (95% CI band) and observed readings by hour,
    /// per lane kind.
    ValidationByHour,
    /// `garita calibrate`: simulated posted wait (95% CI band) against the observed mean, by
    /// hour and lane kind (fit.csv).
    CalibrationFit,
    /// In a region: each port's share of the trips by hour (flows.csv).
    PortShare,
}

impl ChartKind {
    /// The file name without extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            ChartKind::WaitByHour => "wait_by_hour",
            ChartKind::Staffing => "staffing_vs_demand",
            ChartKind::QueueByHour => "queue_by_hour",
            ChartKind::WaitDistribution => "wait_distribution",
            ChartKind::Comparison => "comparison",
            ChartKind::SweepWaitMean => "sweep_wait_mean",
            ChartKind::SweepWaitP95 => "sweep_wait_p95",
            ChartKind::SweepHeatmap => "sweep_heatmap",
            ChartKind::PilotRanking => "pilot_ranking",
            ChartKind::PilotTradeoff => "pilot_tradeoff",
            ChartKind::PostedWaitByHour => "posted_wait_by_hour",
            ChartKind::TripsByHour => "trips_by_hour",
            ChartKind::Spillback => "spillback",
            ChartKind::LaneFull => "lane_full_by_hour",
            ChartKind::ValidationByHour => "validation_by_hour",
            ChartKind::CalibrationFit => "calibration_fit",
            ChartKind::PortShare => "port_share_by_hour",
        }
    }
}

/// The charts that apply to what `data` holds, in a fixed order.
pub fn applicable(data: &OutputData) -> Vec<ChartKind> {
    let mut out = Vec::new();
    if data.run.is_some() {
        out.extend([
            ChartKind::WaitByHour,
            ChartKind::Staffing,
            ChartKind::QueueByHour,
            ChartKind::WaitDistribution,
        ]);
        if let Some(run) = &data.run {
            if run::has_hourly(run, "all", "outside_queue_mean") {
                out.push(ChartKind::Spillback);
            }
            if run::lanes_with(run, "lane_full_share") > 0 {
                out.push(ChartKind::LaneFull);
            }
        }
    }
    if let Some(run) = &data.run
        && run.hourly.iter().any(|r| r.metric == "latent_trips")
    {
        out.extend([ChartKind::PostedWaitByHour, ChartKind::TripsByHour]);
    }
    if data.run.as_ref().is_some_and(|r| !r.flows.is_empty()) {
        out.push(ChartKind::PortShare);
    }
    if let Some(c) = &data.comparison
        && compare::has_rows(c)
    {
        out.push(ChartKind::Comparison);
    }
    if let Some(s) = &data.sweep {
        match s.keys.len() {
            0 => {}
            1 => out.extend([ChartKind::SweepWaitMean, ChartKind::SweepWaitP95]),
            _ => out.push(ChartKind::SweepHeatmap),
        }
    }
    if let Some(p) = &data.pilot
        && !p.rows.is_empty()
    {
        out.extend([ChartKind::PilotRanking, ChartKind::PilotTradeoff]);
    }
    if let Some(v) = &data.validation
        && !v.hours.is_empty()
    {
        out.push(ChartKind::ValidationByHour);
    }
    if data.fit.as_ref().is_some_and(|f| !f.is_empty()) {
        out.push(ChartKind::CalibrationFit);
    }
    out
}

/// What a drawing function gets.
pub(crate) struct Ctx<'a> {
    pub data: &'a OutputData,
    pub opts: &'a ChartOptions,
}

fn draw<DB: DrawingBackend>(
    kind: ChartKind,
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx<'_>,
) -> Result<(), ChartError> {
    let footer = match kind {
        ChartKind::PilotRanking | ChartKind::PilotTradeoff => {
            style::pilot_footer_text(ctx.data, ctx.opts.lang)
        }
        _ => style::footer_text(ctx.data.meta.as_ref(), ctx.opts.lang),
    };
    let area = style::frame(root, &footer)?;
    match kind {
        ChartKind::WaitByHour => run::wait_by_hour(&area, ctx),
        ChartKind::Staffing => run::staffing(&area, ctx),
        ChartKind::QueueByHour => run::queue_by_hour(&area, ctx),
        ChartKind::WaitDistribution => run::wait_distribution(&area, ctx),
        ChartKind::Comparison => compare::comparison(&area, ctx),
        ChartKind::SweepWaitMean => sweep::line(&area, ctx, "wait_mean_s"),
        ChartKind::SweepWaitP95 => sweep::line(&area, ctx, "wait_p95_s"),
        ChartKind::SweepHeatmap => sweep::heatmap(&area, ctx, "wait_p95_s"),
        ChartKind::PilotRanking => pilot::ranking(&area, ctx),
        ChartKind::PilotTradeoff => pilot::tradeoff(&area, ctx),
        ChartKind::PostedWaitByHour => run::posted_wait_by_hour(&area, ctx),
        ChartKind::TripsByHour => run::trips_by_hour(&area, ctx),
        ChartKind::Spillback => run::spillback(&area, ctx),
        ChartKind::LaneFull => run::lane_full(&area, ctx),
        ChartKind::ValidationByHour => run::validation_by_hour(&area, ctx),
        ChartKind::CalibrationFit => run::calibration_fit(&area, ctx),
        ChartKind::PortShare => run::port_share(&area, ctx),
    }
}

/// Draws one chart and returns the file's bytes.
pub fn render(
    kind: ChartKind,
    data: &OutputData,
    opts: &ChartOptions,
    format: Format,
) -> Result<Vec<u8>, ChartError> {
    style::register()?;
    let ctx = Ctx { data, opts };
    let (w, h) = style::SIZE;
    match format {
        Format::Svg => {
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
                draw(kind, &root, &ctx)?;
                root.present().map_err(de)?;
            }
            Ok(s.into_bytes())
        }
        Format::Png => {
            let mut buf = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                draw(kind, &root, &ctx)?;
                root.present().map_err(de)?;
            }
            encode_png(&buf, w, h)
        }
    }
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        let mut wr = enc
            .write_header()
            .map_err(|e| ChartError::Png(e.to_string()))?;
        wr.write_image_data(rgb)
            .map_err(|e| ChartError::Png(e.to_string()))?;
        wr.finish().map_err(|e| ChartError::Png(e.to_string()))?;
    }
    Ok(out)
}
