//! The self-contained HTML report: scenario, key figures, charts (inline SVG), comparison
//! table and a reproducibility section, in one file with the bundled font embedded.
//!
//! No network access, no scripts, no external fonts or images. The page prints to A4 or Letter
//! (the `@page` box follows the printer's paper): charts scale to the page width and are never
//! split across pages.

use std::fmt::Write as _;

use crate::report::charts::pilot::candidate_name;
use crate::report::charts::style::{
    FONT, FONT_BYTES, footer_text, group_name, metric_name, pilot_footer_text,
};
use crate::report::charts::{ChartKind, ChartOptions};
use crate::report::i18n::{Key, Lang};
use crate::report::read::{
    Ci, CompareRow, Est, OutputData, PilotData, RunData, RunMeta, StaffData, ValidationData,
};

const CSS: &str = r#"
@page { margin: 14mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "FONT", sans-serif; color: #111; background: #fff; margin: 0 auto;
  max-width: 1120px; padding: 24px 28px; line-height: 1.4; font-size: 15px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 28px 0 10px; border-bottom: 2px solid #0072b2; padding-bottom: 3px;
  break-after: avoid; page-break-after: avoid; }
p.meta { color: #555; font-size: 13px; margin: 0 0 8px; }
p.note { color: #444; font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
thead th { background: #eef3f8; }
tr { break-inside: avoid; page-break-inside: avoid; }
figure.chart { margin: 0 0 18px; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 100%; }
code, .mono { font-family: "FONT", monospace; font-size: 13px; word-break: break-all; }
pre { white-space: pre-wrap; word-break: break-all; background: #f5f5f5; padding: 8px 10px;
  border: 1px solid #ddd; font-size: 13px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dt { color: #444; }
dd { margin: 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
}
"#;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Minutes with CI: `12.3 ± 0.4`.
fn min_ci(e: Option<Est>, lang: Lang) -> String {
    match e {
        Some(e) if e.mean.is_finite() => {
            let m = lang.num(e.mean / 60.0, 1);
            if e.ci95.is_finite() {
                format!("{m} ± {}", lang.num(e.ci95 / 60.0, 1))
            } else {
                m
            }
        }
        _ => "–".to_string(),
    }
}

fn pct_ci(e: Option<Est>, lang: Lang) -> String {
    match e {
        Some(e) if e.mean.is_finite() => {
            let m = lang.percent(e.mean, 1);
            if e.ci95.is_finite() {
                format!("{m} ± {}", lang.num(e.ci95 * 100.0, 1))
            } else {
                m
            }
        }
        _ => "–".to_string(),
    }
}

fn count_ci(e: Option<Est>, lang: Lang) -> String {
    match e {
        Some(e) if e.mean.is_finite() => {
            let m = lang.num(e.mean, 0);
            if e.ci95.is_finite() {
                format!("{m} ± {}", lang.num(e.ci95, 0))
            } else {
                m
            }
        }
        _ => "–".to_string(),
    }
}

fn key_figures(out: &mut String, run: &RunData, lang: Lang) {
    figures_head(
        out,
        lang,
        Key::SectionKeyFigures,
        [
            Key::ColArrivalsPerDay,
            Key::ColWaitMean,
            Key::ColWaitP95,
            Key::ColShareLe20,
            Key::ColUtilization,
        ],
    );
    for g in all_groups(run) {
        if run.summary(&g, "arrivals_per_day").is_none() {
            continue;
        }
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&group_name(Some(&run.meta), &g, lang)),
            esc(&count_ci(run.summary(&g, "arrivals_per_day"), lang)),
            esc(&min_ci(run.summary(&g, "wait_mean_s"), lang)),
            esc(&min_ci(run.summary(&g, "wait_p95_s"), lang)),
            esc(&pct_ci(run.summary(&g, "share_wait_le_20m"), lang)),
            esc(&pct_ci(run.summary(&g, "utilization"), lang)),
        );
    }
    let _ = writeln!(
        out,
        "</tbody></table><p class=\"note\">{}</p></section>",
        esc(&lang.fill(Key::CiNote, &[("reps", &run.meta.replications.to_string())]))
    );
}

/// With `[response]`: latent, forgone and shifted trips per day and the mean posted wait.
fn response_figures(out: &mut String, run: &RunData, lang: Lang) {
    if run.summary("all", "latent_trips").is_none() {
        return;
    }
    let days = (run.meta.horizon_s - run.meta.warmup_s) / 86_400.0;
    let per_day = |e: Option<Est>| {
        e.map(|e| Est {
            mean: e.mean / days,
            ci95: e.ci95 / days,
            n: e.n,
        })
    };
    figures_head(
        out,
        lang,
        Key::SectionResponse,
        [
            Key::ColLatentPerDay,
            Key::ColForgonePerDay,
            Key::ColForgoneShare,
            Key::ColShiftedPerDay,
            Key::ColPostedWait,
        ],
    );
    for g in all_groups(run) {
        if run.summary(&g, "latent_trips").is_none() {
            continue;
        }
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&group_name(Some(&run.meta), &g, lang)),
            esc(&count_ci(per_day(run.summary(&g, "latent_trips")), lang)),
            esc(&count_ci(per_day(run.summary(&g, "forgone")), lang)),
            esc(&pct_ci(run.summary(&g, "forgone_share"), lang)),
            esc(&count_ci(per_day(run.summary(&g, "shifted")), lang)),
            esc(&min_ci(run.summary(&g, "posted_wait_mean_s"), lang)),
        );
    }
    let _ = writeln!(
        out,
        "</tbody></table><p class=\"note\">{}</p></section>",
        esc(lang.text(Key::ResponseNote))
    );
}

/// The opening of a figures section titled `section`: a table whose first column is the group
/// and whose other five columns are headed `cols`.
fn figures_head(out: &mut String, lang: Lang, section: Key, cols: [Key; 5]) {
    let _ = write!(
        out,
        "<section class=\"figures\"><h2>{}</h2><table><thead><tr><th>{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        esc(lang.text(section)),
        esc(lang.text(Key::ColGroup)),
        esc(lang.text(cols[0])),
        esc(lang.text(cols[1])),
        esc(lang.text(cols[2])),
        esc(lang.text(cols[3])),
        esc(lang.text(cols[4])),
    );
}

/// The summary groups in report order: all, each lane, each class.
fn all_groups(run: &RunData) -> Vec<String> {
    let mut groups = vec!["all".to_string()];
    groups.extend(run.meta.lanes.iter().map(|l| format!("lane:{}", l.id)));
    groups.extend(run.meta.classes.iter().map(|c| format!("class:{}", c.id)));
    groups
}

/// A value of a comparison metric: minutes for waits, percent for shares, else the number.
fn cmp_value(metric: &str, x: f64, lang: Lang) -> String {
    if metric.ends_with("_s") {
        lang.num(x / 60.0, 1)
    } else if metric.starts_with("share_") || metric == "utilization" {
        lang.percent(x, 1)
    } else {
        lang.num(x, 2)
    }
}

fn comparison_table(out: &mut String, rows: &[CompareRow], data: &OutputData, lang: Lang) {
    const SHOWN: [&str; 4] = [
        "wait_mean_s",
        "wait_p95_s",
        "share_wait_le_20m",
        "utilization",
    ];
    let _ = write!(
        out,
        "<section class=\"comparison\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th>\
         <th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th>{}</th></tr></thead><tbody>",
        esc(lang.text(Key::SectionComparison)),
        esc(lang.text(Key::ColAlternative)),
        esc(lang.text(Key::ColGroup)),
        esc(lang.text(Key::ColMetric)),
        esc(lang.text(Key::ColBaseline)),
        esc(lang.text(Key::ColAltValue)),
        esc(lang.text(Key::ColChange)),
        esc(lang.text(Key::ColSignificant)),
    );
    for r in rows.iter().filter(|r| SHOWN.contains(&r.metric.as_str())) {
        let mut metric = metric_name(&r.metric, lang);
        if r.metric.ends_with("_s") {
            metric.push_str(" (min)");
        }
        let change = if r.diff_ci95.is_finite() {
            format!(
                "{} ± {}",
                cmp_value(&r.metric, r.diff_mean, lang),
                cmp_value(&r.metric, r.diff_ci95, lang)
            )
        } else {
            cmp_value(&r.metric, r.diff_mean, lang)
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&r.alternative),
            esc(&group_name(data.meta.as_ref(), &r.group, lang)),
            esc(&metric),
            esc(&cmp_value(&r.metric, r.baseline_mean, lang)),
            esc(&cmp_value(&r.metric, r.alternative_mean, lang)),
            esc(&change),
            esc(lang.text(if r.significant { Key::Yes } else { Key::No })),
        );
    }
    let _ = writeln!(
        out,
        "</tbody></table><p class=\"note\">{}</p></section>",
        esc(lang.text(Key::CompareNote))
    );
}

/// `mean ± ci` with `decimals`, scaled by `k`.
fn ci_text(v: Ci, k: f64, decimals: usize, lang: Lang) -> String {
    if !v.mean.is_finite() {
        return "–".to_string();
    }
    let m = lang.num(v.mean * k, decimals);
    if v.ci95.is_finite() {
        format!("{m} ± {}", lang.num(v.ci95 * k, decimals))
    } else {
        m
    }
}

fn pilot_table(out: &mut String, pilot: &PilotData, lang: Lang) {
    let k = pilot.top_k.to_string();
    let heads = [
        (Key::ColRank, true),
        (Key::ColCandidate, false),
        (Key::ColDelaySaved, true),
        (Key::ColP95Saved, true),
        (Key::ColShareGain, true),
        (Key::ColReach, true),
        (Key::ColCo2Saved, true),
        (Key::ColTotal, true),
        (Key::ColPareto, false),
        (Key::ColStability, true),
    ];
    let _ = write!(
        out,
        "<section class=\"pilot\"><h2>{}</h2><table><thead><tr>",
        esc(lang.text(Key::SectionPilotRanking))
    );
    for (key, num) in heads {
        let _ = write!(
            out,
            "<th{}>{}</th>",
            if num { " class=\"num\"" } else { "" },
            esc(&lang.fill(key, &[("k", &k)]))
        );
    }
    out.push_str("</tr></thead><tbody>");
    for r in pilot.ranked() {
        let flag = if r.equity_flag { " ⚑" } else { "" };
        let _ = write!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}{flag}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td class=\"num\">{}</td></tr>",
            r.rank,
            esc(&candidate_name(r)),
            esc(&ci_text(r.delay_saved_vh_per_day, 1.0, 1, lang)),
            esc(&ci_text(r.p95_saved_min, 1.0, 1, lang)),
            esc(&ci_text(r.share_le_20m_gain, 100.0, 1, lang)),
            esc(&ci_text(r.reach_all, 1.0, 2, lang)),
            esc(&ci_text(r.co2_kg_saved_per_day, 1.0, 0, lang)),
            esc(&lang.num(r.total, 3)),
            if r.pareto { "✓" } else { "" },
            esc(&lang.percent(r.stability, 0)),
        );
    }
    let _ = writeln!(
        out,
        "</tbody></table><p class=\"note\">{}</p></section>",
        esc(lang.text(Key::PilotNote))
    );
}

fn pilot_repro(out: &mut String, data: &OutputData, pilot: &PilotData, lang: Lang) {
    let m = &pilot.meta;
    let file = m.file.clone().unwrap_or_else(|| "PILOT.toml".to_string());
    let dir = data.dir.display();
    let cmd = format!(
        "garita pilot {file} -o {dir}\ngarita report {dir} --lang {}",
        lang.code()
    );
    let _ = write!(
        out,
        "<section class=\"repro\"><h2>{}</h2><p>{}</p><pre>{}</pre><dl>",
        esc(lang.text(Key::SectionRepro)),
        esc(lang.text(Key::ReproIntro)),
        esc(&cmd)
    );
    let mut row = |k: Key, v: &str| {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(lang.text(k)), esc(v));
    };
    let version = m
        .garita_version
        .clone()
        .unwrap_or_else(|| crate::VERSION.to_string());
    row(Key::ReproVersion, &version);
    row(Key::ReproPilotFile, &file);
    if let Some(seed) = m.seed {
        row(Key::ReproSeed, &seed.to_string());
    }
    if let Some(r) = m.replications {
        row(Key::ReproReplications, &r.to_string());
    }
    out.push_str("</dl></section>\n");
}

fn repro(out: &mut String, data: &OutputData, lang: Lang) {
    if data.meta.is_none()
        && let Some(p) = &data.pilot
    {
        pilot_repro(out, data, p, lang);
        return;
    }
    let _ = write!(
        out,
        "<section class=\"repro\"><h2>{}</h2>",
        esc(lang.text(Key::SectionRepro))
    );
    let Some(m) = &data.meta else {
        let _ = writeln!(
            out,
            "<dl><dt>{}</dt><dd>{}</dd></dl></section>",
            esc(lang.text(Key::ReproVersion)),
            esc(crate::VERSION)
        );
        return;
    };
    let file_of = |m: &RunMeta| {
        if m.scenario_file.is_empty() {
            format!("{}.toml", m.scenario)
        } else {
            m.scenario_file.clone()
        }
    };
    let file = file_of(m);
    let dir = data.dir.display();
    let run_cmd = match (&data.run, &data.comparison, &data.sweep) {
        (Some(_), _, _) => Some(format!("garita run {file}")),
        (None, Some(rows), _) => {
            // The baseline, then each alternative in table order.
            let mut files = vec![file.clone()];
            for r in rows {
                let f = data
                    .sub_metas
                    .iter()
                    .find(|s| s.scenario == r.alternative)
                    .map(file_of)
                    .unwrap_or_else(|| format!("{}.toml", r.alternative));
                if !files.contains(&f) {
                    files.push(f);
                }
            }
            Some(format!("garita compare {}", files.join(" ")))
        }
        _ => None,
    };
    let report_cmd = format!("garita report {dir} --lang {}", lang.code());
    let cmd = match run_cmd {
        Some(c) => format!(
            "{c} --seed {} --replications {} -o {dir}\n{report_cmd}",
            m.seed, m.replications
        ),
        None => report_cmd,
    };
    let row = |out: &mut String, k: Key, v: &str, mono: bool| {
        let _ = write!(
            out,
            "<dt>{}</dt><dd{}>{}</dd>",
            esc(lang.text(k)),
            if mono { " class=\"mono\"" } else { "" },
            esc(v)
        );
    };
    let _ = write!(
        out,
        "<p>{}</p><pre>{}</pre><dl>",
        esc(lang.text(Key::ReproIntro)),
        esc(&cmd)
    );
    row(out, Key::ReproVersion, &m.garita_version, false);
    row(out, Key::ReproFile, &file, true);
    row(out, Key::ReproHash, &m.scenario_hash, true);
    row(out, Key::ReproSeed, &m.seed.to_string(), false);
    row(
        out,
        Key::ReproReplications,
        &m.replications.to_string(),
        false,
    );
    let days = |s: f64| {
        let d = s / 86_400.0;
        let key = if d == 1.0 { Key::OneDay } else { Key::Days };
        lang.fill(key, &[("x", &lang.num_short(d, 2))])
    };
    row(
        out,
        Key::ReproHorizon,
        &format!("{} / {}", days(m.horizon_s), days(m.warmup_s)),
        false,
    );
    out.push_str("</dl>");
    if data.run.is_none() && data.sub_metas.len() > 1 {
        let _ = write!(
            out,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(lang.text(Key::SectionScenario)),
            esc(lang.text(Key::ReproFile)),
            esc(lang.text(Key::ReproHash)),
        );
        for s in &data.sub_metas {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
                esc(&s.scenario),
                esc(&file_of(s)),
                esc(&s.scenario_hash)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");
}

/// Makes a plotters SVG scale to its container.
fn inline_svg(svg: &str, title: &str) -> String {
    let body = svg.trim();
    let body = body
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .unwrap_or(body);
    body.replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" preserveAspectRatio=\"xMidYMid meet\" ",
            esc(title)
        ),
        1,
    )
}

fn chart_title(kind: ChartKind, lang: Lang) -> &'static str {
    match kind {
        ChartKind::WaitByHour => lang.text(Key::TitleWaitByHour),
        ChartKind::Staffing => lang.text(Key::TitleStaffing),
        ChartKind::QueueByHour => lang.text(Key::TitleQueue),
        ChartKind::WaitDistribution => lang.text(Key::TitleCdf),
        ChartKind::Comparison => lang.text(Key::SectionComparison),
        ChartKind::SweepWaitMean => lang.text(Key::MetricWaitMean),
        ChartKind::SweepWaitP95 | ChartKind::SweepHeatmap => lang.text(Key::MetricWaitP95),
        ChartKind::PilotRanking => lang.text(Key::TitlePilotRanking),
        ChartKind::PilotTradeoff => lang.text(Key::TitlePilotTradeoff),
        ChartKind::PostedWaitByHour => lang.text(Key::TitlePostedByHour),
        ChartKind::TripsByHour => lang.text(Key::TitleTripsByHour),
        ChartKind::Spillback => lang.text(Key::TitleSpillback),
        ChartKind::LaneFull => lang.text(Key::TitleLaneFull),
        ChartKind::ValidationByHour => lang.text(Key::TitleValidationByHour),
        ChartKind::CalibrationFit => lang.text(Key::TitleFitByHour),
        ChartKind::PortShare => lang.text(Key::TitlePortShare),
    }
}

/// The summary of a `garita validate` folder: one row per lane kind.
fn validation_table(out: &mut String, v: &ValidationData, lang: Lang) {
    let _ = write!(
        out,
        "<section class=\"validation\"><h2>{}</h2><table><thead><tr>",
        esc(lang.text(Key::SectionValidation))
    );
    for (k, num) in [
        (Key::ColLaneKind, false),
        (Key::ColMae, true),
        (Key::ColRmse, true),
        (Key::ColBias, true),
        (Key::ColCoverage, true),
        (Key::ColNaiveMae, true),
        (Key::ColReadings, true),
    ] {
        let class = if num { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", esc(lang.text(k)));
    }
    out.push_str("</tr></thead><tbody>\n");
    let dec = |x: f64| {
        if x.is_finite() {
            lang.num(x, 1)
        } else {
            "–".to_string()
        }
    };
    for r in &v.lanes {
        let name = match r.lane.as_str() {
            "general" => lang.text(Key::LaneGeneral).to_string(),
            "ready" => lang.text(Key::LaneReady).to_string(),
            "sentri" => lang.text(Key::LaneSentri).to_string(),
            "fast" => lang.text(Key::LaneFast).to_string(),
            other => other.to_string(),
        };
        let cover = if r.coverage_5_95.is_finite() {
            lang.percent(r.coverage_5_95, 0)
        } else {
            "–".to_string()
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&name),
            dec(r.mae_min),
            dec(r.rmse_min),
            dec(r.bias_min),
            cover,
            dec(r.naive_mae_min),
            r.n_observed
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// A staffing schedule: one row per hour, one column per staffed lane with the booths now and
/// proposed, the target's measure in the proposed schedule's run, and the hour's status.
fn staff_table(out: &mut String, staff: &StaffData, meta: Option<&RunMeta>, lang: Lang) {
    let mut lanes: Vec<&str> = Vec::new();
    for h in &staff.hours {
        if !lanes.contains(&h.lane.as_str()) {
            lanes.push(&h.lane);
        }
    }
    let lane_name = |id: &str| {
        meta.and_then(|m| m.lanes.iter().find(|l| l.id == id))
            .map(|l| match lang {
                Lang::Es if !l.display_es.trim().is_empty() => l.display_es.clone(),
                _ if !l.display_en.trim().is_empty() => l.display_en.clone(),
                _ => id.to_string(),
            })
            .unwrap_or_else(|| id.to_string())
    };
    let _ = write!(
        out,
        "<section class=\"staff\"><h2>{}</h2><table><thead><tr><th class=\"num\">{}</th>",
        esc(lang.text(Key::SectionStaffSchedule)),
        esc(lang.text(Key::ColHour))
    );
    for l in &lanes {
        let _ = write!(out, "<th class=\"num\">{}</th>", esc(&lane_name(l)));
    }
    out.push_str("</tr></thead><tbody>");
    for hour in 0..24 {
        let _ = write!(out, "<tr><td class=\"num\">{hour:02}</td>");
        for l in &lanes {
            let cell = staff
                .hours
                .iter()
                .find(|h| h.hour == hour && h.lane == *l)
                .map(|h| {
                    let measure = if !h.bound.is_finite() {
                        "–".to_string()
                    } else if h.measure.ends_with("_s") {
                        format!("{} min", lang.num(h.bound / 60.0, 1))
                    } else {
                        lang.percent(h.bound, 1)
                    };
                    let mark = match h.status.as_str() {
                        "met" => "✓",
                        "no_demand" => "–",
                        "unreachable" => "✗✗",
                        _ => "✗",
                    };
                    format!("{} → {} · {measure} {mark}", h.current, h.booths)
                })
                .unwrap_or_default();
            let _ = write!(out, "<td class=\"num\">{}</td>", esc(&cell));
        }
        out.push_str("</tr>");
    }
    let target = staff.hours.first().map_or("", |h| h.target.as_str());
    let _ = writeln!(
        out,
        "</tbody></table><p class=\"note\">{}</p></section>",
        esc(&lang.fill(Key::StaffNote, &[("target", target)]))
    );
}

/// The scenario's display name in `lang`, falling back to English, then to its name.
fn scenario_title(m: &RunMeta, lang: Lang) -> String {
    let es = m.display_es.trim();
    let en = m.display_en.trim();
    match lang {
        Lang::Es if !es.is_empty() => es.to_string(),
        _ if !en.is_empty() => en.to_string(),
        _ => m.scenario.clone(),
    }
}

/// report.html for `data` with its charts already drawn as SVG.
pub fn report_html(data: &OutputData, svgs: &[(ChartKind, String)], opts: &ChartOptions) -> String {
    let lang = opts.lang;
    let pilot_only = data.meta.is_none() && data.pilot.is_some();
    let title = if pilot_only {
        let name = data
            .pilot
            .as_ref()
            .and_then(|p| p.meta.name.clone())
            .unwrap_or_else(|| data.dir.display().to_string());
        lang.fill(Key::PilotReportTitle, &[("name", &name)])
    } else {
        let name = data
            .meta
            .as_ref()
            .map(|m| scenario_title(m, lang))
            .unwrap_or_else(|| data.dir.display().to_string());
        let key = if data.staff.is_some() {
            Key::StaffReportTitle
        } else {
            Key::ReportTitle
        };
        lang.fill(key, &[("name", &name)])
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; font-src data:; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n@font-face {{ font-family: \"{FONT}\"; \
         src: url(data:font/ttf;base64,{}) format(\"truetype\"); font-weight: normal; \
         font-style: normal; }}\n{}</style>\n</head>\n<body>\n",
        lang.code(),
        esc(&title),
        base64(FONT_BYTES),
        CSS.replace("FONT", FONT),
    );
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p class=\"meta\">{}</p></header>",
        esc(&title),
        esc(&if pilot_only {
            pilot_footer_text(data, lang)
        } else {
            footer_text(data.meta.as_ref(), lang)
        })
    );
    if !pilot_only {
        let description = data
            .meta
            .as_ref()
            .map(|m| match lang {
                Lang::Es if !m.description_es.trim().is_empty() => m.description_es.clone(),
                _ => m.description.clone(),
            })
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| lang.text(Key::NoDescription).to_string());
        let _ = writeln!(
            out,
            "<section class=\"scenario\"><h2>{}</h2><p>{}</p></section>",
            esc(lang.text(Key::SectionScenario)),
            esc(&description)
        );
    }
    if let Some(run) = &data.run {
        key_figures(&mut out, run, lang);
        response_figures(&mut out, run, lang);
    }
    if let Some(p) = &data.pilot {
        pilot_table(&mut out, p, lang);
    }
    if let Some(s) = &data.staff {
        staff_table(&mut out, s, data.meta.as_ref(), lang);
    }
    if let Some(v) = &data.validation {
        validation_table(&mut out, v, lang);
    }
    if !svgs.is_empty() {
        let _ = writeln!(
            out,
            "<section class=\"charts\"><h2>{}</h2>",
            esc(lang.text(Key::SectionCharts))
        );
        for (kind, svg) in svgs {
            let _ = writeln!(
                out,
                "<figure class=\"chart\" id=\"{}\">\n{}\n</figure>",
                kind.file_stem(),
                inline_svg(svg, chart_title(*kind, lang))
            );
        }
        out.push_str("</section>\n");
    }
    if let Some(rows) = &data.comparison {
        comparison_table(&mut out, rows, data, lang);
    }
    repro(&mut out, data, lang);
    out.push_str("</body>\n</html>\n");
    out
}

/// The report's key-figures table (a `<section>`), for a page that shows it live.
pub fn key_figures_section(run: &RunData, lang: Lang) -> String {
    let mut out = String::new();
    key_figures(&mut out, run, lang);
    out
}

/// A wait in minutes with its 95% CI half-width (`12.3 ± 0.4`), as the report prints it.
pub fn minutes_with_ci(e: Option<Est>, lang: Lang) -> String {
    min_ci(e, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn escapes() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
