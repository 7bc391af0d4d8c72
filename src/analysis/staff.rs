//! The staffing search: the fewest open booths, lane by lane and hour by hour, that meet a
//! service target in every hour.
//!
//! 1. Start: for each lane and hour, the smallest number of booths with which a stationary
//!    M/M/c queue (exact Erlang C) meets the target, given the lane's arrivals in that hour as
//!    simulated under the current schedule; never above the lane's physical booths.
//! 2. Add: simulate (the scenario's seed, so every candidate schedule sees the same arrivals and
//!    service times); while some hours miss the target (judged on the conservative end of the
//!    95% interval over replications), add one booth for each of them: in that hour, or, when the
//!    queue was carried over from earlier, in the nearest earlier hour with a spare booth,
//!    whichever single addition most reduces the total violation (both are simulated). An hour
//!    with every physical booth open and no earlier hour to help is not reachable.
//! 3. Remove: try every single-booth removal (skipping those that would leave an hour so far
//!    over capacity that its backlog alone breaks the target); keep those after which every reachable hour still
//!    meets the target, together when they pass together (else the least harmful half, and so
//!    on down to one), and repeat; a removal that failed is not tried again.
//! 4. The schedule returned is the one whose own run produced the reported statuses.
//! 5. Verify: the schedule returned is simulated again on a fresh seed (drawn from the stream
//!    `"staff-verify"` of the scenario's seed), which the search never saw; statuses and bounds
//!    of both runs are reported, since a schedule tuned on one set of random numbers may pass
//!    there by luck. Both runs also report vehicles left queued at the horizon (see
//!    [`Overload`]).

use crate::engine::{RngStream, StreamId};
use crate::experiment::{Overload, aggregate, run_replications};
use crate::port::{GroupRef, HourlyMetric, PortConfig};
use crate::stats::Mmc;

use super::AnalysisError;
use super::target::{HourCheck, Target};

/// Options of the staffing search.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffConfig {
    /// The service target, checked in every hour of every selected lane.
    pub target: Target,
    /// Indices of the lanes to staff (the others keep their schedule).
    pub lanes: Vec<usize>,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Most add rounds and most removal rounds (a safety bound).
    pub max_rounds: usize,
}

/// How one lane-hour ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HourStatus {
    /// The target is met with confidence (conservative end of the 95% interval).
    Met,
    /// No vehicle arrived in this hour: nothing to meet.
    NoDemand,
    /// Missed even with every physical booth open in this hour and the hours feeding it.
    Unreachable,
    /// Still missed when the search stopped at its round limit.
    NotMet,
}

impl HourStatus {
    /// The name used in output files.
    pub fn as_str(self) -> &'static str {
        match self {
            HourStatus::Met => "met",
            HourStatus::NoDemand => "no_demand",
            HourStatus::Unreachable => "unreachable",
            HourStatus::NotMet => "not_met",
        }
    }
}

/// One lane and hour of the result.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneHour {
    /// Lane index.
    pub lane: usize,
    /// Hour of day.
    pub hour: usize,
    /// Booths open in the scenario now.
    pub current: u32,
    /// Booths in the schedule found.
    pub booths: u32,
    /// The Erlang C starting estimate.
    pub erlang_start: u32,
    /// The target's measure in the run of the schedule found (conservative bound).
    pub bound: f64,
    /// The outcome.
    pub status: HourStatus,
    /// The target's measure when the schedule found is run on the fresh seed.
    pub fresh_bound: f64,
    /// The outcome on the fresh seed.
    pub fresh_status: HourStatus,
}

/// What the search found.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffResult {
    /// The target searched for.
    pub target: Target,
    /// Booths by hour for every lane of the scenario (unselected lanes unchanged).
    pub booths: Vec<[u32; 24]>,
    /// Selected lanes x 24 hours, lane by lane.
    pub hours: Vec<LaneHour>,
    /// Schedules simulated (each for every replication; the fresh-seed run not included).
    pub schedules_simulated: usize,
    /// The seed of the fresh verification run.
    pub fresh_seed: u64,
    /// Vehicles left queued at the horizon by the schedule found, per selected lane (in the
    /// order of `hours`): on the search's seed, then on the fresh seed.
    pub overload: Vec<(usize, Overload, Overload)>,
}

/// The seed of the fresh verification run of a search on `seed`.
pub fn fresh_seed(seed: u64) -> u64 {
    RngStream::new(seed, 0, StreamId::named("staff-verify")).next_bits()
}

impl StaffResult {
    /// Open booth-hours per day of `lane` in the schedule found and in the current one.
    pub fn booth_hours(&self, lane: usize) -> (u32, u32) {
        self.hours
            .iter()
            .filter(|h| h.lane == lane)
            .fold((0, 0), |(n, c), h| (n + h.booths, c + h.current))
    }

    /// The scenario with the schedule found.
    pub fn apply(&self, cfg: &PortConfig) -> PortConfig {
        with_booths(cfg, &self.booths)
    }
}

/// `cfg` with each lane's weekday `booths` replaced. A demand that follows the staffing
/// (`staffing_elasticity`) keeps following `cfg`'s booths: a schedule changes capacity, not the
/// latent demand.
fn with_booths(cfg: &PortConfig, booths: &[[u32; 24]]) -> PortConfig {
    let mut c = cfg.clone();
    if let Some(s) = c.demand.staffing.as_mut() {
        s.basis.get_or_insert_with(|| cfg.lanes.clone());
    }
    for (l, b) in c.lanes.iter_mut().zip(booths) {
        l.booths = *b;
    }
    c
}

/// One simulated schedule, reduced to what the search needs.
struct Eval {
    /// `checks[i][h]` for selected lane `i`.
    checks: Vec<[HourCheck; 24]>,
    /// Lane arrivals per hour, by selected lane.
    arrivals: Vec<[f64; 24]>,
    /// Time-average vehicles waiting by hour, by selected lane.
    queue: Vec<[f64; 24]>,
    /// Vehicles left queued at the horizon, by selected lane.
    overload: Vec<Overload>,
}

struct Searcher<'a> {
    cfg: &'a PortConfig,
    sc: &'a StaffConfig,
    simulated: usize,
}

impl Searcher<'_> {
    fn evaluate(&mut self, schedules: &[Vec<[u32; 24]>]) -> Result<Vec<Eval>, AnalysisError> {
        self.simulated += schedules.len();
        self.evaluate_with_seed(schedules, self.cfg.seed)
    }

    fn evaluate_with_seed(
        &self,
        schedules: &[Vec<[u32; 24]>],
        seed: u64,
    ) -> Result<Vec<Eval>, AnalysisError> {
        let configs: Vec<PortConfig> = schedules
            .iter()
            .map(|b| {
                let mut c = with_booths(self.cfg, b);
                c.seed = seed;
                c
            })
            .collect();
        let runs = run_replications(&configs, self.sc.threads, None)?;
        let metric = self.sc.target.metric();
        Ok(runs
            .iter()
            .map(|reps| {
                let agg = aggregate(reps);
                let mut e = Eval {
                    checks: Vec::new(),
                    arrivals: Vec::new(),
                    queue: Vec::new(),
                    overload: Vec::new(),
                };
                for &l in &self.sc.lanes {
                    let g = agg
                        .group(GroupRef::Lane(l))
                        .expect("every lane has a result group");
                    let arrivals: [f64; 24] = std::array::from_fn(|h| {
                        let m = g.hourly(h, HourlyMetric::Arrivals).mean;
                        if m.is_finite() { m } else { 0.0 }
                    });
                    e.checks.push(std::array::from_fn(|h| {
                        let c = self.sc.target.check(g.hourly(h, metric));
                        if c.bound.is_nan() && arrivals[h] > 0.0 {
                            // Arrivals but nobody served before the horizon: as bad as it gets.
                            HourCheck {
                                bound: f64::INFINITY,
                                met: false,
                                violation: f64::MAX,
                            }
                        } else {
                            c
                        }
                    }));
                    e.arrivals.push(arrivals);
                    e.overload.push(Overload::from_lanes([(
                        l,
                        crate::experiment::LineQueue::of(g),
                    )]));
                    e.queue.push(std::array::from_fn(|h| {
                        let m = g.hourly(h, HourlyMetric::QueueMean).mean;
                        if m.is_finite() { m } else { 0.0 }
                    }));
                }
                e
            })
            .collect())
    }

    /// Whether `e` keeps every reachable hour met and no unreachable hour worse than `base`.
    fn acceptable(&self, e: &Eval, base: &Eval, unreachable: &[[bool; 24]]) -> bool {
        e.checks.iter().enumerate().all(|(i, row)| {
            row.iter().enumerate().all(|(h, c)| {
                if unreachable[i][h] {
                    c.violation <= base.checks[i][h].violation + 1e-12
                } else {
                    c.met
                }
            })
        })
    }
}

/// Sum of conservative bounds relative to their targets: lower is less harmful.
fn load(e: &Eval) -> f64 {
    e.checks
        .iter()
        .flatten()
        .filter(|c| c.bound.is_finite())
        .map(|c| c.violation + c.bound.abs())
        .sum()
}

/// Runs the staffing search on `cfg` (its seed, replications and horizon).
pub fn search(cfg: &PortConfig, sc: &StaffConfig) -> Result<StaffResult, AnalysisError> {
    if sc.lanes.is_empty() {
        return Err(AnalysisError::Input("no lanes to staff".to_string()));
    }
    let mut s = Searcher {
        cfg,
        sc,
        simulated: 0,
    };
    let n = sc.lanes.len();
    let current: Vec<[u32; 24]> = cfg.lanes.iter().map(|l| l.booths).collect();
    let max: Vec<u32> = sc.lanes.iter().map(|&l| cfg.lanes[l].max_booths).collect();

    // 1. Erlang C start from the lanes' arrivals under the current schedule.
    let base = s
        .evaluate(std::slice::from_ref(&current))?
        .pop()
        .expect("one schedule, one evaluation");
    let mut booths = current.clone();
    let mut start = vec![[0u32; 24]; n];
    for (i, &l) in sc.lanes.iter().enumerate() {
        let mean_service_s = cfg.lanes[l].service.mean_s();
        for h in 0..24 {
            let rate = base.arrivals[i][h] / 3600.0;
            let c = if rate <= 0.0 {
                0
            } else {
                (1..=max[i])
                    .find(|&c| {
                        sc.target.met_by(&Mmc {
                            servers: c,
                            arrival_rate_per_s: rate,
                            mean_service_s,
                        })
                    })
                    .unwrap_or(max[i])
            };
            start[i][h] = c;
            booths[l][h] = c;
        }
        if booths[l].iter().all(|&b| b == 0) {
            booths[l] = current[l];
        }
    }

    // 2. Add booths where hours miss the target.
    let mut unreachable = vec![[false; 24]; n];
    let mut eval = s
        .evaluate(std::slice::from_ref(&booths))?
        .pop()
        .expect("one schedule, one evaluation");
    for _ in 0..sc.max_rounds {
        // Per failing hour, where a booth could go: the hour itself (if it has a spare booth)
        // and, when a queue was carried over, the nearest earlier hour with a spare booth.
        let mut options: Vec<Vec<(usize, usize)>> = Vec::new();
        for (i, &l) in sc.lanes.iter().enumerate() {
            for h in 0..24 {
                if eval.checks[i][h].met || unreachable[i][h] {
                    continue;
                }
                let mut opts = Vec::new();
                if booths[l][h] < max[i] {
                    opts.push((i, h));
                }
                for k in 1..24 {
                    let hp = (h + 24 - k) % 24;
                    if eval.queue[i][hp] < 1.0 {
                        break;
                    }
                    if booths[l][hp] < max[i] {
                        opts.push((i, hp));
                        break;
                    }
                }
                if opts.is_empty() {
                    unreachable[i][h] = true;
                } else {
                    options.push(opts);
                }
            }
        }
        if options.is_empty() {
            break;
        }
        // Where there is a choice, simulate each single addition and keep the one that most
        // reduces the total violation.
        let mut singles: Vec<(usize, usize)> = options
            .iter()
            .filter(|o| o.len() > 1)
            .flatten()
            .copied()
            .collect();
        singles.sort_unstable();
        singles.dedup();
        let with_one = |&(i, h): &(usize, usize)| {
            let mut b = booths.clone();
            b[sc.lanes[i]][h] += 1;
            b
        };
        let schedules: Vec<Vec<[u32; 24]>> = singles.iter().map(with_one).collect();
        let single_evals = if schedules.is_empty() {
            Vec::new()
        } else {
            s.evaluate(&schedules)?
        };
        let total_violation = |e: &Eval| -> f64 {
            e.checks
                .iter()
                .flatten()
                .map(|c| c.violation.min(1e6))
                .sum()
        };
        let mut adds: Vec<(usize, usize)> = Vec::new();
        for opts in &options {
            let pick = if opts.len() == 1 {
                opts[0]
            } else {
                *opts
                    .iter()
                    .min_by(|a, b| {
                        let ea = &single_evals[singles.binary_search(a).expect("simulated")];
                        let eb = &single_evals[singles.binary_search(b).expect("simulated")];
                        total_violation(ea).total_cmp(&total_violation(eb))
                    })
                    .expect("options are not empty")
            };
            if !adds.contains(&pick) {
                adds.push(pick);
            }
        }
        for (i, h) in adds {
            booths[sc.lanes[i]][h] += 1;
        }
        eval = s
            .evaluate(std::slice::from_ref(&booths))?
            .pop()
            .expect("one schedule, one evaluation");
    }

    // 3. Remove booths that are not needed. A removal that fails once is not tried again
    //    (fewer booths elsewhere only make it worse); a removal that would leave fewer booths
    //    than the hour's offered load (an unstable hour) is not tried at all.
    let mut blocked = vec![[false; 24]; n];
    for _ in 0..sc.max_rounds {
        let mut cands: Vec<(usize, usize)> = Vec::new();
        for (i, &l) in sc.lanes.iter().enumerate() {
            let total: u32 = booths[l].iter().sum();
            let mean_service_s = cfg.lanes[l].service.mean_s();
            for h in 0..24 {
                let load = eval.arrivals[i][h] / 3600.0 * mean_service_s;
                let fewer = f64::from(booths[l][h].saturating_sub(1));
                // With fewer booths than the load, the backlog grows through the hour; its last
                // arrivals wait about (load - fewer) / fewer hours. Skip removals where that is
                // more than twice the target's wait limit: they cannot pass.
                let hopeless = load > 0.0
                    && (fewer == 0.0
                        || (load - fewer) / fewer * 3600.0 > 2.0 * sc.target.wait_limit_s());
                if booths[l][h] > 0
                    && !unreachable[i][h]
                    && !blocked[i][h]
                    && total > 1
                    && !hopeless
                {
                    cands.push((i, h));
                }
            }
        }
        if cands.is_empty() {
            break;
        }
        let remove = |b: &mut Vec<[u32; 24]>, set: &[(usize, usize)]| {
            for &(i, h) in set {
                b[sc.lanes[i]][h] -= 1;
            }
        };
        let schedules: Vec<Vec<[u32; 24]>> = cands
            .iter()
            .map(|c| {
                let mut b = booths.clone();
                remove(&mut b, std::slice::from_ref(c));
                b
            })
            .collect();
        let evals = s.evaluate(&schedules)?;
        let mut ok: Vec<usize> = Vec::new();
        for (k, &(i, h)) in cands.iter().enumerate() {
            if s.acceptable(&evals[k], &eval, &unreachable) {
                ok.push(k);
            } else {
                blocked[i][h] = true;
            }
        }
        if ok.is_empty() {
            break;
        }
        // Least harmful first; take the largest prefix (halving) that passes together.
        ok.sort_by(|&a, &b| load(&evals[a]).total_cmp(&load(&evals[b])).then(a.cmp(&b)));
        let mut take = ok.len();
        let mut accepted = false;
        while take > 1 {
            let set: Vec<(usize, usize)> = ok[..take].iter().map(|&k| cands[k]).collect();
            let mut b = booths.clone();
            remove(&mut b, &set);
            let e = s
                .evaluate(std::slice::from_ref(&b))?
                .pop()
                .expect("one schedule, one evaluation");
            if s.acceptable(&e, &eval, &unreachable) {
                booths = b;
                eval = e;
                accepted = true;
                break;
            }
            take /= 2;
        }
        if !accepted {
            let best = ok[0];
            booths = schedules[best].clone();
            eval = evals.into_iter().nth(best).expect("best indexes evals");
        }
    }

    // 4. Statuses from the run of the schedule returned; 5. and from its run on a fresh seed.
    let fresh = fresh_seed(cfg.seed);
    let verify = s
        .evaluate_with_seed(std::slice::from_ref(&booths), fresh)?
        .pop()
        .expect("one schedule, one evaluation");
    let status = |c: HourCheck, unreachable: bool| {
        if c.bound.is_nan() {
            HourStatus::NoDemand
        } else if c.met {
            HourStatus::Met
        } else if unreachable {
            HourStatus::Unreachable
        } else {
            HourStatus::NotMet
        }
    };
    let mut hours = Vec::with_capacity(n * 24);
    for (i, &l) in sc.lanes.iter().enumerate() {
        for h in 0..24 {
            let c = eval.checks[i][h];
            let f = verify.checks[i][h];
            hours.push(LaneHour {
                lane: l,
                hour: h,
                current: current[l][h],
                booths: booths[l][h],
                erlang_start: start[i][h],
                bound: c.bound,
                status: status(c, unreachable[i][h]),
                fresh_bound: f.bound,
                fresh_status: status(f, unreachable[i][h]),
            });
        }
    }
    let overload = sc
        .lanes
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, eval.overload[i], verify.overload[i]))
        .collect();
    Ok(StaffResult {
        target: sc.target,
        booths,
        hours,
        schedules_simulated: s.simulated,
        fresh_seed: fresh,
        overload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_str;
    use crate::stats::Mmc;

    fn scenario(per_hour: &str, booths: &str, max: u32, horizon: &str) -> PortConfig {
        let text = format!(
            r#"
name = "mmc"
seed = 11
horizon = "{horizon}"
warmup = "2h"
replications = 4
[demand]
{per_hour}
[[classes]]
id = "all"
share = 1.0
lanes = ["main"]
[[lanes]]
id = "main"
booths = {booths}
max_booths = {max}
service = {{ dist = "exponential", mean = "10s" }}
"#
        );
        parse_str(&text, "test.toml").expect("valid").config
    }

    /// A schedule changes capacity, not the latent demand: with demand that follows the
    /// staffing, the scenario with the schedule's booths draws exactly the arrivals of the
    /// scenario as read; were the factor to follow the schedule (against the file's reference
    /// of 2 booths at night and 4 by day), 6 booths would draw (6/2)^0.5 and (6/4)^0.5 times
    /// as many.
    #[test]
    fn a_schedule_keeps_the_latent_demand_that_follows_the_staffing() {
        let base = scenario(
            "rate = 900\nstaffing_elasticity = 0.5",
            "[2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2]",
            8,
            "3d",
        );
        let more = with_booths(&base, &[[6; 24]]);
        let arrivals = |c: &PortConfig| crate::port::simulate(c, 0, None).vehicles_simulated;
        assert_eq!(arrivals(&more), arrivals(&base));
        // The elasticity is at work: the factor following the schedule's booths draws more.
        let mut induced = more.clone();
        induced.demand.staffing.as_mut().expect("set").basis = None;
        assert!(
            arrivals(&induced) > arrivals(&base) * 11 / 10,
            "{} against {}",
            arrivals(&induced),
            arrivals(&base)
        );
    }

    /// A constant-rate M/M/c lane: the search finds the exact Erlang C minimum in every hour.
    #[test]
    fn reproduces_the_erlang_c_minimum() {
        // 900 arrivals an hour, 10 s inspections: 2.5 erlangs. Erlang C gives a mean wait of
        // about 14 s with 3 booths and 2.2 s with 4, so a 5 s target needs exactly 4.
        let q = |c| Mmc {
            servers: c,
            arrival_rate_per_s: 0.25,
            mean_service_s: 10.0,
        };
        assert!(q(3).mean_wait_s() > 2.0 * 5.0 && q(4).mean_wait_s() < 5.0 / 2.0);
        let cfg = scenario("rate = 900", "6", 8, "3d");
        let res = search(
            &cfg,
            &StaffConfig {
                target: Target::MeanWaitAtMost(5.0),
                lanes: vec![0],
                threads: 0,
                max_rounds: 30,
            },
        )
        .expect("search runs");
        assert_eq!(res.booths[0], [4; 24], "{:?}", res.hours);
        assert!(res.hours.iter().all(|h| h.erlang_start == 4));
        assert!(res.hours.iter().all(|h| h.status == HourStatus::Met));
        assert_eq!(res.booth_hours(0), (96, 144));
    }

    /// A lane with Saturday and Sunday tables keeps them: the search changes the weekday
    /// table, simulates the others as they are, and staff.toml writes the day-type table (which
    /// reads back as the schedule simulated), never one array in its place.
    #[test]
    fn staff_toml_keeps_the_day_type_tables() {
        let sat = "[3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]";
        let cfg = scenario(
            "rate = 900",
            &format!("{{ weekday = 6, saturday = {sat} }}"),
            8,
            "3d",
        );
        let res = search(
            &cfg,
            &StaffConfig {
                target: Target::MeanWaitAtMost(5.0),
                lanes: vec![0],
                threads: 0,
                max_rounds: 30,
            },
        )
        .expect("search runs");
        let applied = res.apply(&cfg);
        assert_eq!(applied.lanes[0].booths_saturday, Some([3; 24]));
        let text = String::from_utf8(crate::report::staff_toml(&cfg, &res, 4)).expect("utf-8");
        let doc: toml::Table = text.parse().expect("staff.toml is TOML");
        let booths = doc["booths"]
            .as_table()
            .expect("a day-type table, not an array");
        assert_eq!(booths["saturday"].as_array().map(Vec::len), Some(24));
        assert!(booths.get("sunday").is_none());
        // Pasted into the scenario, it is the schedule that was simulated.
        let pasted = scenario("rate = 900", &doc["booths"].to_string(), 8, "3d");
        assert_eq!(pasted.lanes[0].booths, applied.lanes[0].booths);
        assert_eq!(
            pasted.lanes[0].booths_saturday,
            applied.lanes[0].booths_saturday
        );
        // Without day-type tables it stays an array.
        let plain = scenario("rate = 900", "6", 8, "3d");
        let text = String::from_utf8(crate::report::staff_toml(&plain, &res, 4)).expect("utf-8");
        let doc: toml::Table = text.parse().expect("staff.toml is TOML");
        assert!(doc["booths"].is_array());
    }

    /// Whatever the search returns, its own verification run agrees hour by hour.
    #[test]
    fn never_returns_a_schedule_its_verification_rejects() {
        // A morning peak above what 3 physical booths can serve, and quiet nights.
        let per_hour = "per_hour = [60, 40, 30, 30, 60, 200, 700, 1300, 1300, 900, 700, 600, 600, 600, 600, 700, 800, 700, 500, 400, 300, 200, 100, 80]";
        for (target, max) in [
            (Target::P95WaitAtMost(120.0), 6),
            (Target::ShareLe20mAtLeast(0.9), 3),
        ] {
            let cfg = scenario(per_hour, "2", max, "3d");
            let res = search(
                &cfg,
                &StaffConfig {
                    target,
                    lanes: vec![0],
                    threads: 0,
                    max_rounds: 30,
                },
            )
            .expect("search runs");
            let alt = res.apply(&cfg);
            assert!(alt.lanes[0].booths.iter().all(|&b| b <= max));
            let reps = run_replications(std::slice::from_ref(&alt), 1, None).expect("runs");
            let agg = aggregate(&reps[0]);
            let g = agg.group(GroupRef::Lane(0)).expect("lane group");
            for h in &res.hours {
                let c = target.check(g.hourly(h.hour, target.metric()));
                assert_eq!(
                    c.met,
                    matches!(h.status, HourStatus::Met | HourStatus::NoDemand),
                    "{target}: hour {} {:?}",
                    h.hour,
                    h
                );
                assert!(c.bound.to_bits() == h.bound.to_bits() || c.bound.is_nan());
            }
            // The fresh-seed statuses are those of an independent run on that seed.
            assert_ne!(res.fresh_seed, cfg.seed);
            let mut fresh = alt.clone();
            fresh.seed = res.fresh_seed;
            let reps = run_replications(std::slice::from_ref(&fresh), 1, None).expect("runs");
            let agg = aggregate(&reps[0]);
            let g = agg.group(GroupRef::Lane(0)).expect("lane group");
            for h in &res.hours {
                let c = target.check(g.hourly(h.hour, target.metric()));
                assert!(c.bound.to_bits() == h.fresh_bound.to_bits() || c.bound.is_nan());
                assert_eq!(
                    c.met,
                    matches!(h.fresh_status, HourStatus::Met | HourStatus::NoDemand),
                    "fresh: {h:?}"
                );
            }
            if max == 3 {
                // 1300 an hour needs more than 3 booths of 10 s: the peak cannot be met.
                assert!(
                    res.hours
                        .iter()
                        .any(|h| h.status == HourStatus::Unreachable)
                );
            } else {
                assert!(res.hours.iter().all(|h| h.status == HourStatus::Met));
            }
        }
    }
}
