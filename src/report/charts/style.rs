//! Shared look of every chart: the bundled font, the Okabe-Ito palette, sizes, the footer,
//! and lane names.

use std::sync::Once;

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use super::ChartError;
use crate::report::i18n::{Key, Lang};
use crate::report::read::{LaneMeta, OutputData, RunMeta};

/// The family name of the bundled font, as charts (and SVG `font-family`) name it.
pub const FONT: &str = "DejaVu Sans";

/// The bundled font (DejaVu Sans; licence in assets/fonts/).
pub static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Chart size in pixels (PNG) or user units (SVG).
pub const SIZE: (u32, u32) = (1600, 900);

/// Font sizes (pixels).
pub const TITLE_PX: f64 = 40.0;
/// Axis descriptions.
pub const AXIS_PX: f64 = 28.0;
/// Tick labels and legends.
pub const LABEL_PX: f64 = 23.0;
/// The footer.
pub const FOOTER_PX: f64 = 18.0;

const FOOTER_HEIGHT: u32 = 40;

static REGISTER: Once = Once::new();

/// Registers the bundled font with plotters (once per process).
pub fn register() -> Result<(), ChartError> {
    let mut ok = true;
    REGISTER.call_once(|| {
        ok = register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok();
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Draw(
            "the bundled font could not be loaded".to_string(),
        ))
    }
}

/// Okabe-Ito colours, in the order series use them (black is kept for targets).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(230, 159, 0),   // orange
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(240, 228, 66),  // yellow
];

/// The colour of series `i`.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Target lines and contours.
pub const TARGET_COLOR: RGBColor = RGBColor(0, 0, 0);

/// Light grid lines.
pub const GRID_COLOR: RGBColor = RGBColor(232, 232, 232);

/// The house style of every chart's axes: axis titles and tick labels in the bundled font, a
/// light grey grid and no minor grid lines.
pub fn house_mesh<'a, 'b, 'm, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.axis_desc_style(text(AXIS_PX))
        .label_style(text(LABEL_PX))
        .light_line_style(WHITE)
        .bold_line_style(GRID_COLOR)
}

/// A text style in the bundled font.
pub fn text(px: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, px).into_font()).color(&BLACK)
}

/// The display name of a lane in `lang`: its scenario display name, else the default name of
/// its kind (with the id appended when several lanes share a kind and lack display names).
pub fn lane_name(lanes: &[LaneMeta], lane: &LaneMeta, lang: Lang) -> String {
    let own = match lang {
        Lang::En => &lane.display_en,
        Lang::Es => {
            if lane.display_es.is_empty() {
                &lane.display_en
            } else {
                &lane.display_es
            }
        }
    };
    if !own.is_empty() {
        return own.clone();
    }
    let key = match lane.kind.as_str() {
        "general" => Key::LaneGeneral,
        "ready" => Key::LaneReady,
        "sentri" => Key::LaneSentri,
        "fast" => Key::LaneFast,
        _ => return lane.id.clone(),
    };
    let same_kind = lanes
        .iter()
        .filter(|l| l.kind == lane.kind && l.display_en.is_empty() && l.display_es.is_empty())
        .count();
    if same_kind > 1 {
        format!("{} ({})", lang.text(key), lane.id)
    } else {
        lang.text(key).to_string()
    }
}

/// The display name of a result group (`all`, `lane:<id>`, `class:<id>`).
pub fn group_name(meta: Option<&RunMeta>, group: &str, lang: Lang) -> String {
    if group == "all" {
        return lang.text(Key::AllVehicles).to_string();
    }
    if let Some(id) = group.strip_prefix("lane:") {
        if let Some(m) = meta
            && let Some(l) = m.lanes.iter().find(|l| l.id == id)
        {
            return lane_name(&m.lanes, l, lang);
        }
        // Without run.json, a lane named after a kind gets that kind's name.
        let guess = LaneMeta {
            id: id.to_string(),
            kind: id.to_string(),
            display_en: String::new(),
            display_es: String::new(),
            booths_by_hour: Vec::new(),
        };
        return lane_name(std::slice::from_ref(&guess), &guess, lang);
    }
    if let Some(id) = group.strip_prefix("class:") {
        if let Some(m) = meta
            && let Some(c) = m.classes.iter().find(|c| c.id == id)
        {
            let own = match lang {
                Lang::Es if !c.display_es.is_empty() => &c.display_es,
                _ => &c.display_en,
            };
            if !own.is_empty() {
                return own.clone();
            }
        }
        return lang.fill(Key::ClassNamed, &[("id", id)]);
    }
    group.to_string()
}

/// The translated name of a metric of the output files (the raw name if unknown).
pub fn metric_name(metric: &str, lang: Lang) -> String {
    let key = match metric {
        "wait_mean_s" => Key::MetricWaitMean,
        "wait_p95_s" => Key::MetricWaitP95,
        "wait_p50_s" => Key::MetricWaitP50,
        "share_wait_le_20m" => Key::MetricShareLe20,
        "utilization" => Key::MetricUtilization,
        "queue_mean" => Key::MetricQueueMean,
        "arrivals_per_day" => Key::MetricArrivalsPerDay,
        "booth_hours_per_day" => Key::MetricBoothHours,
        _ => return metric.to_string(),
    };
    lang.text(key).to_string()
}

/// The footer line: scenario, short hash, seed, replications, version.
pub fn footer_text(meta: Option<&RunMeta>, lang: Lang) -> String {
    match meta {
        Some(m) => {
            let hash: String = m.scenario_hash.chars().take(12).collect();
            lang.fill(
                Key::Footer,
                &[
                    ("name", &m.scenario),
                    ("hash", &hash),
                    ("seed", &m.seed.to_string()),
                    ("reps", &m.replications.to_string()),
                    ("version", &m.garita_version),
                ],
            )
        }
        None => format!("garita {}", crate::VERSION),
    }
}

/// The footer of pilot charts: pilot name, weight-draw seed, replications and version, as far
/// as pilot.json gives them (else the folder's name and this garita's version).
pub fn pilot_footer_text(data: &OutputData, lang: Lang) -> String {
    let meta = data
        .pilot
        .as_ref()
        .map(|p| p.meta.clone())
        .unwrap_or_default();
    let name = meta.name.unwrap_or_else(|| {
        data.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let mut parts = vec![lang.fill(Key::FooterPilot, &[("name", &name)])];
    if let Some(seed) = meta.seed {
        parts.push(lang.fill(Key::FooterWeightSeed, &[("seed", &seed.to_string())]));
    }
    if let Some(r) = meta.replications {
        parts.push(lang.fill(Key::FooterReplications, &[("reps", &r.to_string())]));
    }
    let version = meta
        .garita_version
        .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_string());
    parts.push(lang.fill(Key::FooterVersion, &[("version", &version)]));
    parts.join(" · ")
}

/// Paints the background and the footer; returns the area left for the chart.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    footer: &str,
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    root.fill(&WHITE).map_err(super::de)?;
    let (main, foot) = root.split_vertically(SIZE.1 - FOOTER_HEIGHT);
    foot.draw(&Text::new(
        footer.to_string(),
        (24, 8),
        text(FOOTER_PX).color(&RGBColor(80, 80, 80)),
    ))
    .map_err(super::de)?;
    Ok(main)
}

/// A short horizontal line for a legend entry.
pub fn legend_line(x: i32, y: i32, style: ShapeStyle) -> PathElement<(i32, i32)> {
    PathElement::new(vec![(x, y), (x + 30, y)], style)
}

/// Contiguous runs of defined points.
pub fn runs(points: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur = Vec::new();
    for p in points {
        match p {
            Some(p) if p.0.is_finite() && p.1.is_finite() => cur.push(*p),
            _ => {
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

/// The polygon of a confidence band over one run of (x, mean, ci95) points.
pub fn band(points: &[(f64, f64, f64)]) -> Vec<(f64, f64)> {
    let mut poly: Vec<(f64, f64)> = points
        .iter()
        .map(|&(x, m, c)| (x, m + if c.is_finite() { c } else { 0.0 }))
        .collect();
    poly.extend(
        points
            .iter()
            .rev()
            .map(|&(x, m, c)| (x, (m - if c.is_finite() { c } else { 0.0 }).max(0.0))),
    );
    poly
}

/// A rounded-up axis maximum.
pub fn nice_max(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * p >= x {
            return m * p;
        }
    }
    10.0 * p
}
