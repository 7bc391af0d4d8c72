//! Exporters for the staffing search and the pilot ranking. Every function returns the file's
//! bytes.

use std::fmt::Write as _;

use super::fmt_num;
use crate::analysis::StaffResult;
use crate::analysis::pilot::{CRITERIA, Candidate, Pilot, PilotResult};
use crate::experiment::Overload;
use crate::port::PortConfig;
use crate::stats::MeanCi;

fn booths_array(b: &[u32; 24]) -> String {
    let items: Vec<String> = b.iter().map(u32::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// `staff.csv`: `lane,hour,booths`, one row per staffed lane and hour of day.
pub fn staff_csv(cfg: &PortConfig, res: &StaffResult) -> Vec<u8> {
    let mut out = String::from("lane,hour,booths\n");
    for h in &res.hours {
        let _ = writeln!(out, "{},{},{}", cfg.lanes[h.lane].id, h.hour, h.booths);
    }
    out.into_bytes()
}

/// `staff_hours.csv`: the detail behind each row of `staff.csv`: the bound and status on the
/// search's seed, then on the fresh seed of the verification run.
pub fn staff_hours_csv(cfg: &PortConfig, res: &StaffResult) -> Vec<u8> {
    let mut out = String::from(
        "lane,hour,booths,current_booths,erlang_c_start,target,measure,bound,status,fresh_bound,fresh_status\n",
    );
    let measure = res.target.metric().name();
    for h in &res.hours {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            cfg.lanes[h.lane].id,
            h.hour,
            h.booths,
            h.current,
            h.erlang_start,
            res.target,
            measure,
            fmt_num(h.bound),
            h.status.as_str(),
            fmt_num(h.fresh_bound),
            h.fresh_status.as_str()
        );
    }
    out.into_bytes()
}

/// `staff_summary.csv`: open booth-hours per day, schedule found versus current, by lane and in
/// total, with the count of hours by status (on the search's seed, then `fresh_` on the fresh
/// seed), and the growth of the lane's queue over the last week measured as a share of its
/// daily arrivals with the overload flag (see [`crate::experiment::Overload`]) on each seed; the `all` row
/// gives the worst lane.
pub fn staff_summary_csv(cfg: &PortConfig, res: &StaffResult) -> Vec<u8> {
    let mut out = String::from(
        "lane,booth_hours_per_day,current_booth_hours_per_day,change,hours_met,hours_no_demand,hours_unreachable,hours_not_met,fresh_hours_met,fresh_hours_no_demand,fresh_hours_unreachable,fresh_hours_not_met,queue_growth_share,overloaded,fresh_queue_growth_share,fresh_overloaded\n",
    );
    let over = |pick: &dyn Fn(&(usize, Overload, Overload)) -> Overload, lane: Option<usize>| {
        let o = res
            .overload
            .iter()
            .filter(|x| lane.is_none_or(|l| l == x.0))
            .map(pick)
            .fold(Overload::NONE, |w, o| {
                if (o.flagged(), o.share) > (w.flagged(), w.share) {
                    o
                } else {
                    w
                }
            });
        format!("{},{}", fmt_num(o.share), o.flagged())
    };
    let overload_cols =
        |lane: Option<usize>| format!("{},{}", over(&|x| x.1, lane), over(&|x| x.2, lane));
    let mut lanes: Vec<usize> = res.hours.iter().map(|h| h.lane).collect();
    lanes.dedup();
    let (mut tn, mut tc) = (0, 0);
    let mut tcount = [0usize; 8];
    let counts = |l: Option<usize>| {
        let (a, b) = (status_counts(res, l, false), status_counts(res, l, true));
        [a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]
    };
    let join = |c: &[usize; 8]| c.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    for &l in &lanes {
        let (n, c) = res.booth_hours(l);
        tn += n;
        tc += c;
        let count = counts(Some(l));
        for k in 0..8 {
            tcount[k] += count[k];
        }
        let _ = writeln!(
            out,
            "{},{n},{c},{},{},{}",
            cfg.lanes[l].id,
            i64::from(n) - i64::from(c),
            join(&count),
            overload_cols(Some(l))
        );
    }
    let _ = writeln!(
        out,
        "all,{tn},{tc},{},{},{}",
        i64::from(tn) - i64::from(tc),
        join(&tcount),
        overload_cols(None)
    );
    out.into_bytes()
}

/// Hours by status (met, no demand, unreachable, not met), on the fresh seed when `fresh`.
fn status_counts(res: &StaffResult, lane: Option<usize>, fresh: bool) -> [usize; 4] {
    use crate::analysis::HourStatus::*;
    let mut c = [0; 4];
    for h in res
        .hours
        .iter()
        .filter(|h| lane.is_none_or(|l| l == h.lane))
    {
        let k = match if fresh { h.fresh_status } else { h.status } {
            Met => 0,
            NoDemand => 1,
            Unreachable => 2,
            NotMet => 3,
        };
        c[k] += 1;
    }
    c
}

/// The `booths` value of a lane whose weekday schedule becomes `weekday`: an array, or, when
/// the lane has Saturday or Sunday tables, the day-type table with those kept as they are (the
/// staffing search changes the weekday table only, and simulated them as they are).
fn staffed_booths_value(lane: &crate::port::LaneConfig, weekday: &[u32; 24]) -> String {
    if lane.booths_saturday.is_none() && lane.booths_sunday.is_none() {
        return booths_array(weekday);
    }
    let mut parts = vec![format!("weekday = {}", booths_array(weekday))];
    if let Some(b) = &lane.booths_saturday {
        parts.push(format!("saturday = {}", booths_array(b)));
    }
    if let Some(b) = &lane.booths_sunday {
        parts.push(format!("sunday = {}", booths_array(b)));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// `staff.toml`: the schedule as lines ready to paste into the scenario's `[[lanes]]` tables
/// (a lane with Saturday or Sunday tables keeps them: `booths = { weekday = [...], ... }`).
/// For a region, each line is the region's edit key of one port's lane,
/// `ports.<port>.lanes.<lane>.booths = [...]` (`...booths.weekday` when the lane has day-type
/// tables), the key shape `garita sweep --vary` takes, in port order.
pub fn staff_toml(cfg: &PortConfig, res: &StaffResult, replications: u32) -> Vec<u8> {
    let how = if cfg.region.is_some() {
        "# A region: each line sets one port's lane by its region key (`ports.<port>.lanes.<lane>...`,\n# as in `garita sweep --vary`); its value goes into that port scenario's [[lanes]] table.\n"
    } else {
        "# Paste each `booths` line into the [[lanes]] table with that id.\n"
    };
    let mut out = format!(
        "# garita staff: target {} in every hour (95% interval over {replications} replications, seed {})\n{how}",
        res.target, cfg.seed
    );
    let mut lanes: Vec<usize> = res.hours.iter().map(|h| h.lane).collect();
    lanes.dedup();
    for l in lanes {
        let (n, c) = res.booth_hours(l);
        let lane = &cfg.lanes[l];
        let port = cfg
            .region
            .as_ref()
            .and_then(|r| r.ports.iter().find(|p| p.lanes.contains(&l)));
        let (what, key, value) = match port {
            Some(p) => {
                let id = lane
                    .id
                    .strip_prefix(&format!("{}/", p.id))
                    .unwrap_or(&lane.id);
                // The search changes the weekday table only: an edit key sets that table.
                let key = if lane.booths_saturday.is_none() && lane.booths_sunday.is_none() {
                    format!("ports.{}.lanes.{id}.booths", p.id)
                } else {
                    format!("ports.{}.lanes.{id}.booths.weekday", p.id)
                };
                (
                    format!("port {:?}, lane {id:?}", p.id),
                    key,
                    booths_array(&res.booths[l]),
                )
            }
            None => (
                format!("lane {:?}", lane.id),
                "booths".to_string(),
                staffed_booths_value(lane, &res.booths[l]),
            ),
        };
        let _ = write!(
            out,
            "\n# {what}: {n} booth-hours per day (now {c}); max_booths = {}\n{key} = {value}\n",
            lane.max_booths,
        );
    }
    out.into_bytes()
}

/// The console summary of a staffing search.
pub fn staff_table(cfg: &PortConfig, res: &StaffResult) -> String {
    let mut out = format!("target {} in every hour\n", res.target);
    let mut lanes: Vec<usize> = res.hours.iter().map(|h| h.lane).collect();
    lanes.dedup();
    for l in lanes {
        let _ = writeln!(out, "\nlane {}", cfg.lanes[l].id);
        let _ = writeln!(
            out,
            "{:>4} {:>7} {:>6} {:>8} {:>12}  {:<11}  {:>12}  fresh status",
            "hour",
            "current",
            "booths",
            "erlang_c",
            res.target.metric().name(),
            "status",
            "fresh"
        );
        for h in res.hours.iter().filter(|h| h.lane == l) {
            let _ = writeln!(
                out,
                "{:>4} {:>7} {:>6} {:>8} {:>12}  {:<11}  {:>12}  {}",
                h.hour,
                h.current,
                h.booths,
                h.erlang_start,
                fmt_num((h.bound * 10.0).round() / 10.0),
                h.status.as_str(),
                fmt_num((h.fresh_bound * 10.0).round() / 10.0),
                h.fresh_status.as_str()
            );
        }
        let (n, c) = res.booth_hours(l);
        let _ = writeln!(out, "booth-hours per day: {n} (current schedule {c})");
    }
    let (n, c) = res
        .hours
        .iter()
        .fold((0, 0), |(n, c), h| (n + h.booths, c + h.current));
    let counts = status_counts(res, None, false);
    let _ = writeln!(
        out,
        "\nall staffed lanes: {n} booth-hours per day (current schedule {c}, change {:+}); hours met {}, no demand {}, unreachable {}, not met {}; {} schedules simulated",
        i64::from(n) - i64::from(c),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        res.schedules_simulated
    );
    let fresh = status_counts(res, None, true);
    let _ = writeln!(
        out,
        "verified on a fresh seed ({}) the search never saw: hours met {}, no demand {}, unreachable {}, not met {}",
        res.fresh_seed, fresh[0], fresh[1], fresh[2], fresh[3]
    );
    for &(l, on_seed, on_fresh) in &res.overload {
        for (o, which) in [(on_seed, "search seed"), (on_fresh, "fresh seed")] {
            if o.flagged() {
                let _ = writeln!(
                    out,
                    "{}",
                    o.warning(
                        &format!("schedule found ({which})"),
                        &format!("lane {}", cfg.lanes[l].id)
                    )
                );
            }
        }
    }
    out
}

fn ci_cols(out: &mut String, m: &MeanCi) {
    let _ = write!(out, ",{},{}", fmt_num(m.mean), fmt_num(m.ci95));
}

fn candidate_label(p: &Pilot, c: &Candidate) -> String {
    format!(
        "{}/{}",
        p.sites[c.site].id, p.interventions[c.intervention].id
    )
}

/// `pilot.csv`: one row per candidate (site x intervention) with every criterion (mean and 95%
/// interval half-width), the scores, total, rank, Pareto flag and rank stability, then the
/// largest growth of a lane's queue over the last week measured, as a share of its daily arrivals,
/// and whether the candidate is feasible (not overloaded).
pub fn pilot_csv(p: &Pilot, res: &PilotResult) -> Vec<u8> {
    let scales = p.scales();
    let mut out = String::from("candidate,site,intervention");
    for name in [
        "delay_saved_vh_per_day",
        "added_booth_hours_per_day",
        "delay_saved_per_booth_hour",
        "p95_wait_saved_min",
        "share_le_20m_gain",
        "reach_all",
        "reach_trusted",
        "reach_other",
        "worse_trusted",
        "worse_other",
    ] {
        let _ = write!(out, ",{name},{name}_ci95");
    }
    out.push_str(",equity_flag");
    for name in [
        "co2_kg_saved_per_day",
        "nox_g_saved_per_day",
        "pm25_g_saved_per_day",
        "cost_officer_hours_per_day",
        "trips_enabled_per_day",
    ] {
        let _ = write!(out, ",{name},{name}_ci95");
    }
    for s in &scales {
        let _ = write!(
            out,
            ",delay_saved_at_scale_{0},delay_saved_at_scale_{0}_ci95",
            fmt_num(*s)
        );
    }
    out.push_str(",robustness_min_delay_saved");
    for c in CRITERIA {
        let _ = write!(out, ",score_{c}");
    }
    let _ = writeln!(
        out,
        ",total,rank,pareto,stability_top_{},queue_growth_share,feasible",
        p.top_k
    );
    for c in &res.candidates {
        let k = &c.criteria;
        let _ = write!(
            out,
            "{},{},{}",
            candidate_label(p, c),
            p.sites[c.site].id,
            p.interventions[c.intervention].id
        );
        for m in [
            &k.delay_saved_vh_per_day,
            &k.added_booth_hours_per_day,
            &k.delay_saved_per_booth_hour,
            &k.p95_saved_min,
            &k.share_le_20m_gain,
            &k.reach_all,
            &k.reach_trusted,
            &k.reach_other,
            &k.worse_trusted,
            &k.worse_other,
        ] {
            ci_cols(&mut out, m);
        }
        let _ = write!(out, ",{}", k.equity_flag);
        for m in [
            &k.co2_kg_saved_per_day,
            &k.nox_g_saved_per_day,
            &k.pm25_g_saved_per_day,
            &k.cost_officer_hours_per_day,
            &k.trips_enabled_per_day,
        ] {
            ci_cols(&mut out, m);
        }
        for (_, m) in &k.by_scale {
            ci_cols(&mut out, m);
        }
        let _ = write!(out, ",{}", fmt_num(k.robustness()));
        for s in c.scores {
            let _ = write!(out, ",{}", fmt_num(s));
        }
        let _ = writeln!(
            out,
            ",{},{},{},{},{},{}",
            fmt_num(c.total),
            c.rank,
            c.pareto,
            fmt_num(c.stability),
            fmt_num(c.overload.share),
            c.feasible
        );
    }
    out.into_bytes()
}

fn pm(m: &MeanCi, digits: usize) -> String {
    if !m.mean.is_finite() {
        return "n/a".to_string();
    }
    if m.ci95.is_finite() {
        format!("{:.digits$} ± {:.digits$}", m.mean, m.ci95)
    } else {
        format!("{:.digits$}", m.mean)
    }
}

/// The ranked result table (Markdown), best first; `es` gives Spanish headers.
pub fn pilot_table_md(p: &Pilot, res: &PilotResult, es: bool) -> String {
    let mut idx: Vec<usize> = (0..res.candidates.len()).collect();
    idx.sort_by_key(|&i| res.candidates[i].rank);
    let mut out = if es {
        format!(
            "| Rango | Candidato | Demora ahorrada (veh-h/día) | p95 ahorrado (min) | Cuota <= 20 min (pp) | Alcance | CO2 ahorrado (kg/día) | Robustez (veh-h/día) | Costo (h-caseta/día) | Viajes habilitados (/día) | Total | Pareto | Estabilidad top {} |\n",
            p.top_k
        )
    } else {
        format!(
            "| Rank | Candidate | Delay saved (veh-h/day) | p95 saved (min) | Share <= 20 min (pp) | Reach | CO2 saved (kg/day) | Robustness (veh-h/day) | Cost (booth-h/day) | Trips enabled (/day) | Total | Pareto | Stability top {} |\n",
            p.top_k
        )
    };
    out.push_str("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|\n");
    for i in idx {
        let c = &res.candidates[i];
        let k = &c.criteria;
        let pp = MeanCi {
            mean: k.share_le_20m_gain.mean * 100.0,
            ci95: k.share_le_20m_gain.ci95 * 100.0,
            n: k.share_le_20m_gain.n,
        };
        let flag = match (k.equity_flag, c.feasible, es) {
            (true, true, _) => " ⚑",
            (false, true, _) => "",
            (true, false, false) => " ⚑ (overloaded)",
            (false, false, false) => " (overloaded)",
            (true, false, true) => " ⚑ (sobrecargado)",
            (false, false, true) => " (sobrecargado)",
        };
        let _ = writeln!(
            out,
            "| {} | {}{flag} | {} | {} | {} | {} | {} | {:.1} | {:.1} | {} | {:.3} | {} | {:.2} |",
            c.rank,
            candidate_label(p, c),
            pm(&k.delay_saved_vh_per_day, 1),
            pm(&k.p95_saved_min, 1),
            pm(&pp, 1),
            pm(&k.reach_all, 2),
            pm(&k.co2_kg_saved_per_day, 0),
            k.robustness(),
            k.cost_officer_hours_per_day.mean,
            pm(&k.trips_enabled_per_day, 0),
            c.total,
            if c.pareto { "✓" } else { "" },
            c.stability
        );
    }
    out
}

/// `pilot.json`: the pilot's metadata that charts and reports read back (name, garita version,
/// pilot file, replications or null when each scenario keeps its own, weight-draw seed).
pub fn pilot_json(p: &Pilot) -> Vec<u8> {
    let v = serde_json::json!({
        "garita_version": env!("CARGO_PKG_VERSION"),
        "pilot": p.name,
        "pilot_file": p.file,
        "replications": p.replications,
        "stability_seed": p.stability_seed(),
    });
    let mut s = serde_json::to_string_pretty(&v).expect("a JSON value always serializes");
    s.push('\n');
    s.into_bytes()
}

/// One warning line per overloaded candidate (none when every candidate is feasible).
pub fn pilot_warnings(p: &Pilot, res: &PilotResult) -> String {
    let mut out = String::new();
    for c in res.candidates.iter().filter(|c| !c.feasible) {
        let cfg = &p.sites[c.site].scenario.config;
        let lane = c.overload.lane.map_or(
            "the approach (vehicles before the lane split)".to_string(),
            |l| format!("lane {}", cfg.lanes[l].id),
        );
        let _ = writeln!(
            out,
            "{}; ranked after every feasible candidate",
            c.overload.warning(&candidate_label(p, c), &lane)
        );
    }
    out
}

/// `criteria.md`: the criteria sheet for a review committee, in English and Spanish.
pub fn criteria_md(p: &Pilot, res: &PilotResult) -> Vec<u8> {
    let w = |k: usize| fmt_num(p.weights[k]);
    let reps = p
        .replications
        .map_or("each scenario's".to_string(), |r| r.to_string());
    let scales: Vec<String> = p.scales().iter().map(|s| fmt_num(*s)).collect();
    let scales = scales.join(", ");
    let mut sites = String::new();
    for s in &p.sites {
        let _ = writeln!(
            sites,
            "- `{}`: `{}` (SHA-256 `{}`)",
            s.id,
            s.scenario_ref,
            &s.scenario.source_hash[..16]
        );
    }
    let mut ivs = String::new();
    for iv in &p.interventions {
        let mut what: Vec<String> = iv
            .changes
            .iter()
            .map(|c| {
                let op = match &c.op {
                    crate::scenario::edit::EditOp::Set(v) => format!("= {v}"),
                    crate::scenario::edit::EditOp::Add(a) => format!("+= {}", fmt_num(*a)),
                    crate::scenario::edit::EditOp::Scale(f) => format!("*= {}", fmt_num(*f)),
                };
                let hours = c
                    .hours
                    .map(|(a, b)| format!(" ({a:02}:00-{b:02}:00)"))
                    .unwrap_or_default();
                format!("`{} {op}`{hours}", c.key)
            })
            .collect();
        if let Some((t, lanes)) = &iv.staff {
            let l = if lanes.is_empty() {
                "all lanes / todos los carriles".to_string()
            } else {
                lanes.join(", ")
            };
            what.push(format!(
                "staffing search / búsqueda de personal `{t}` ({l})"
            ));
        }
        let desc = if iv.description.is_empty() {
            String::new()
        } else {
            format!("{}: ", iv.description)
        };
        let only = if iv.sites.is_empty() {
            String::new()
        } else {
            format!(" (sites / sitios: {})", iv.sites.join(", "))
        };
        let _ = writeln!(ivs, "- `{}`{only}: {desc}{}", iv.id, what.join("; "));
    }
    let text = format!(
        r#"# Pilot criteria / Criterios del piloto: {name}

Generated by garita {version} from `{file}`. / Generado por garita {version} a partir de `{file}`.

## Sites and interventions / Sitios e intervenciones

{sites}
{ivs}
Replications / Réplicas: {reps}; demand scales / escalas de demanda: {scales};
top k = {k}; weight draws / sorteos de pesos: {draws} (seed / semilla {wseed}).

## English

Every candidate is one site with one intervention. garita simulates the site's scenario as it is
(the baseline) and with the intervention, with the same random numbers (same arrivals, same
traveller classes, same inspection times per lane), so the difference is due to the
intervention and not to chance. Each value below is the mean over replications of the paired
difference, with a 95% confidence interval (Student t).

| Criterion | Formula | Data source | Weight |
|---|---|---|---:|
| Delay | vehicle-hours of waiting per day, baseline minus intervention: in each run, the sum over every vehicle that came after the warm-up of its wait from arrival to a booth (and, for vehicles still queued at the end, their wait so far), divided by the measured days. With travellers who react (`[response]`) an intervention brings back trips the baseline lost, and their waits count in the intervention's sum: delay saved is the change in the total waiting at the port, not the wait saved by the baseline's travellers (also per added officer booth-hour) | simulated waits of every vehicle | {w0} |
| Reliability | mean of the scores of (a) the reduction of the 95th-percentile wait and (b) the gain in the share of vehicles waiting 20 minutes or less | simulated wait distribution | {w1} |
| Reach | share of travellers who benefit: arrivals in (class, hour) cells whose mean wait falls by at least {bs} s and {br}% ; reported for trusted travellers (SENTRI/FAST classes) and everyone else. ⚑ marks an intervention that benefits at least {fs}% of one group while at least {fs}% of the other waits longer | simulated waits by class and hour | {w2} |
| Emissions | idling CO2 saved per day (kg) = vehicle-hours waiting saved x each class's idle rate (NOx and PM2.5 where the scenario gives rates) | class idle rates (defaults: US DOE/Argonne idle fuel use x EPA CO2 per gallon) | {w3} |
| Robustness | the smallest delay saved at demand scales {scales} | simulations at scaled demand | {w4} |
| Cost | officer booth-hours per day the intervention adds: scheduled officer booth-hours of the intervention minus those of the baseline, or 0 when it adds none (a reallocation, or fewer booths); scheduled booth-hours = open booths summed over the hours of an average week (five weekdays, Saturday, Sunday) / 7, two officers for a stacked booth, 24 per flex booth. Scored so that less is better: every candidate that adds none scores 1 | the scenarios' booth schedules | {w5} |
| Trips enabled | latent trips the baseline lost that the intervention serves: forgone trips per day, baseline minus intervention (negative when the intervention loses trips). 0 without `[response]`, where no trip is forgone | simulated responses to the posted wait | {w6} |

Scores: for each criterion, score = (value - lowest value) / (highest value - lowest value) over
all candidates (1 when all are equal, 0 when undefined). Total = sum of weight x score / sum of
weights. Rank 1 is the highest total. The Pareto set holds the candidates that no other
candidate beats on every criterion at once: it needs no weights. Rank stability is the share of
{draws} weightings drawn uniformly at random over all possible weightings (seeded, reproducible)
under which the candidate ranks in the top {k}: a candidate with high stability wins whoever
chooses the weights.

Overloaded candidates: waits (the 95th percentile, the share waiting 20 minutes or less, reach)
count the vehicles that reached a booth, so an intervention that leaves a lane unable to keep
up would look better than it is: the vehicles still queued at the end, who would wait longest,
are missing from them. The delay criterion counts their waiting so far (vehicle-hours waiting
include the vehicles still queued). A candidate whose alternative lets the queue of some lane
grow (vehicles queued at the end of the simulated period minus those queued one week earlier,
at the same time of day and day of the week, or at the end of the warm-up when less than a week
is measured; mean over replications, demand scale 1) by more than {ov}% of
a day's arrivals (and by at least {ovn} vehicles) is marked infeasible; a long queue that does
not grow (with reacting demand, travellers forgo or shift their trip and the queue settles)
has complete waits and is not overloaded. Column
`feasible` of pilot.csv is `false` and it is labelled "(overloaded)". It takes no part in
setting the lowest and highest values of the scores (its own scores are kept between 0 and 1),
it ranks after every feasible candidate whatever its total, it is never in the Pareto set, and
it counts in the top {k} of rank stability only when fewer than {k} candidates are feasible.

## Español

Cada candidato es un sitio con una intervención. garita simula el escenario del sitio tal como
está (la línea base) y con la intervención, con los mismos números aleatorios (mismas llegadas,
mismas clases de viajeros, mismos tiempos de inspección por carril), de modo que la diferencia
se debe a la intervención y no al azar. Cada valor es la media sobre réplicas de la diferencia
pareada, con un intervalo de confianza del 95% (t de Student).

| Criterio | Fórmula | Fuente de datos | Peso |
|---|---|---|---:|
| Demora | horas-vehículo de espera por día, línea base menos intervención: en cada corrida, la suma sobre cada vehículo que llegó después del calentamiento de su espera desde la llegada hasta una caseta (y, para los que siguen en la fila al final, su espera hasta ese momento), dividida entre los días medidos. Con viajeros que reaccionan (`[response]`) una intervención recupera viajes que la línea base perdía, y sus esperas cuentan en la suma de la intervención: la demora ahorrada es el cambio de la espera total en el puerto, no la espera que ahorran los viajeros de la línea base (también por hora-caseta de oficial añadida) | esperas simuladas de cada vehículo | {w0} |
| Confiabilidad | media de los puntajes de (a) la reducción de la espera del percentil 95 y (b) el aumento de la proporción de vehículos que esperan 20 minutos o menos | distribución simulada de esperas | {w1} |
| Alcance | proporción de viajeros que se benefician: llegadas en celdas (clase, hora) cuya espera media baja al menos {bs} s y {br}%; se informa para viajeros confiables (clases SENTRI/FAST) y para los demás. ⚑ señala una intervención que beneficia al menos al {fs}% de un grupo mientras al menos el {fs}% del otro espera más | esperas simuladas por clase y hora | {w2} |
| Emisiones | CO2 de ralentí evitado por día (kg) = horas-vehículo de espera ahorradas x tasa de ralentí de cada clase (NOx y PM2.5 donde el escenario da tasas) | tasas de ralentí por clase (por omisión: consumo en ralentí del DOE/Argonne de EE. UU. x CO2 por galón de la EPA) | {w3} |
| Robustez | la menor demora ahorrada con escalas de demanda {scales} | simulaciones con demanda escalada | {w4} |
| Costo | horas-caseta de oficial por día que añade la intervención: horas-caseta programadas de la intervención menos las de la línea base, o 0 si no añade ninguna (una reasignación, o menos casetas); horas-caseta programadas = casetas abiertas sumadas sobre las horas de una semana media (cinco días hábiles, sábado, domingo) / 7, dos oficiales por caseta apilada, 24 por caseta flexible. Se puntúa de modo que menos es mejor: todo candidato que no añade ninguna obtiene 1 | horarios de casetas de los escenarios | {w5} |
| Viajes habilitados | viajes latentes que la línea base perdía y que la intervención atiende: viajes desistidos por día, línea base menos intervención (negativo si la intervención pierde viajes). 0 sin `[response]`, donde no se desiste de ningún viaje | respuestas simuladas a la espera publicada | {w6} |

Puntajes: para cada criterio, puntaje = (valor - valor mínimo) / (valor máximo - valor mínimo)
entre todos los candidatos (1 si todos son iguales, 0 si no está definido). Total = suma de peso x
puntaje / suma de pesos. El rango 1 es el total más alto. El conjunto de Pareto reúne los
candidatos que ningún otro supera en todos los criterios a la vez: no necesita pesos. La
estabilidad del rango es la proporción de {draws} ponderaciones sorteadas uniformemente entre
todas las posibles (con semilla, reproducible) en las que el candidato queda entre los {k}
primeros: un candidato con alta estabilidad gana sin importar quién elija los pesos.

Candidatos sobrecargados: las esperas (percentil 95, proporción que espera 20 minutos o menos,
alcance) cuentan los vehículos que llegaron a una caseta, de modo que una intervención que deja
un carril sin poder atender su demanda parecería mejor de lo que es: faltan los vehículos que
siguen en la fila al final, que son los que más esperarían. El criterio de demora cuenta su
espera hasta ese momento (las horas-vehículo de espera incluyen a los que siguen en la fila).
Un candidato cuya alternativa hace crecer la fila de algún carril (vehículos en la fila al
final del periodo simulado menos los que había una semana antes, a la misma hora y el mismo día
de la semana, o al final del calentamiento si se mide menos de una semana; media sobre réplicas,
escala de demanda 1) en más del {ov}% de las llegadas de un
día (y en al menos {ovn} vehículos) se marca como no factible; una fila larga que no crece (con
demanda que reacciona, los viajeros renuncian al viaje o lo aplazan y la fila se estabiliza)
tiene esperas completas y no está sobrecargada. La columna `feasible` de pilot.csv es `false` y lleva
la etiqueta "(sobrecargado)". No interviene en fijar los valores mínimo y máximo de los
puntajes (los suyos se mantienen entre 0 y 1), queda detrás de todo candidato factible sea cual
sea su total, nunca está en el conjunto de Pareto y solo cuenta entre los {k} primeros de la
estabilidad si hay menos de {k} candidatos factibles.

## Results / Resultados

{table_en}
{table_es}"#,
        name = p.name,
        version = crate::VERSION,
        file = p.file,
        k = p.top_k,
        draws = p.stability_draws,
        wseed = p.stability_seed(),
        w0 = w(0),
        w1 = w(1),
        w2 = w(2),
        w3 = w(3),
        w4 = w(4),
        w5 = w(5),
        w6 = w(6),
        bs = fmt_num(crate::analysis::pilot::BENEFIT_MIN_S),
        br = fmt_num(crate::analysis::pilot::BENEFIT_MIN_REL * 100.0),
        fs = fmt_num(crate::analysis::pilot::FLAG_SHARE * 100.0),
        ov = fmt_num(crate::experiment::OVERLOAD_SHARE * 100.0),
        ovn = fmt_num(crate::experiment::OVERLOAD_MIN_VEHICLES),
        table_en = pilot_table_md(p, res, false),
        table_es = pilot_table_md(p, res, true),
    );
    text.into_bytes()
}
