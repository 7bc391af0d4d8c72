//! Checks of the port model against queueing theory and against its own invariants.
//!
//! Tolerances come from the replications' confidence intervals. Each test is one family of
//! checks with a stated family-wise false-failure level, [`FAMILY_ALPHA`]: a family of K checks
//! of means over n replications accepts a difference up to the two-sided `1 - FAMILY_ALPHA / K`
//! Student-t quantile with n - 1 degrees of freedom times the standard error (Bonferroni), so
//! when the model is right the whole test fails with probability at most `FAMILY_ALPHA`.
//! `tools/test_calibration.sh` reruns these tests over many seeds (`GARITA_TEST_SEED`, read only
//! by `test_support::test_seed`) and reports how often each fails.

use super::*;
use crate::engine::SimTime;
use crate::stats::{MeanCi, mean_ci, student_t_975, student_t_quantile};

/// Family-wise false-failure level of each statistical test below.
const FAMILY_ALPHA: f64 = 0.01;

pub(super) use super::test_support::test_seed;

/// Standard error of a mean recovered from its 95% half-width.
fn std_err(m: &MeanCi) -> f64 {
    m.ci95 / student_t_975(m.n - 1)
}

/// Tolerance of one check of `m` in a family of `k`: the two-sided `1 - FAMILY_ALPHA / k`
/// Student-t interval with n - 1 degrees of freedom.
pub(super) fn family_tol(m: &MeanCi, k: usize) -> f64 {
    student_t_quantile(1.0 - FAMILY_ALPHA / (2.0 * k as f64), m.n - 1) * std_err(m)
}

fn mmc_config(
    c: u32,
    rho: f64,
    mean_service_s: f64,
    customers_per_rep: f64,
    reps: u32,
) -> PortConfig {
    let lambda_per_h = rho * f64::from(c) / mean_service_s * 3600.0;
    let horizon_h = customers_per_rep / lambda_per_h;
    PortConfig {
        name: format!("mm{c}-{rho}"),
        seed: test_seed(20_261_127 + u64::from(c) * 100 + (rho * 100.0) as u64),
        horizon: SimTime::from_secs_f64(horizon_h * 3600.0),
        warmup: SimTime::from_secs_f64(horizon_h * 3600.0 * 0.05),
        replications: reps,
        ..test_support::config(
            [lambda_per_h; 24],
            vec![test_support::class("all", 1.0, vec![0])],
            vec![test_support::lane("main", c, mean_service_s)],
        )
    }
}

/// Erlang C: probability that an arrival waits, for c servers and offered load a = lambda/mu.
fn erlang_c(c: u32, a: f64) -> f64 {
    // Erlang B by the stable recursion, then C from B.
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho + rho * b)
}

/// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
pub(super) fn norm_inv(p: f64) -> f64 {
    let a = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    let b = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    let c = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    let d = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let q = p.min(1.0 - p);
    let x = if q < 0.024_25 {
        let r = (-2.0 * q.ln()).sqrt();
        (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5])
            / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1.0)
    } else {
        let r = q - 0.5;
        let s = r * r;
        (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r
            / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1.0)
    };
    if p < 0.5 { -x.abs() } else { x.abs() }
}

fn metric_ci(reps: &[ReplicationResult], group: GroupRef, m: Metric) -> MeanCi {
    let xs: Vec<f64> = reps
        .iter()
        .map(|r| r.group(group).expect("group exists").metric(m))
        .collect();
    mean_ci(&xs)
}

fn run_all(cfg: &PortConfig) -> Vec<ReplicationResult> {
    (0..cfg.replications)
        .map(|r| simulate(cfg, r, None))
        .collect()
}

#[test]
fn erlang_c_known_values() {
    assert!((norm_inv(0.975) - 1.959_963_985).abs() < 1e-8);
    assert!((norm_inv(0.5)).abs() < 1e-9);
    assert!((norm_inv(0.001) + 3.090_232_306).abs() < 1e-7);
    assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
    // c = 2, a = 1: C = 1/3.
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
}

struct Check {
    what: String,
    sim: MeanCi,
    exact: f64,
    extra_tol: f64,
}

/// M/M/c against Erlang C: mean wait, P(wait <= t) at two points, p90 and p95, for
/// c = 1, 5, 10 at utilizations from 0.7 to 0.95.
#[test]
fn mmc_matches_erlang_c() {
    let cases = [
        (1u32, 0.7),
        (1, 0.9),
        (5, 0.8),
        (5, 0.95),
        (10, 0.7),
        (10, 0.9),
    ];
    let mean_s = 60.0;
    let mut checks = Vec::new();
    for (c, rho) in cases {
        let customers = if rho >= 0.9 { 600_000.0 } else { 200_000.0 };
        let cfg = mmc_config(c, rho, mean_s, customers, 12);
        let reps = run_all(&cfg);
        let mu = 1.0 / mean_s;
        let lambda = rho * f64::from(c) * mu;
        let pc = erlang_c(c, lambda / mu);
        let decay = f64::from(c) * mu - lambda;
        let g = GroupRef::Lane(0);
        let label = format!("M/M/{c} rho={rho}");
        checks.push(Check {
            what: format!("{label} mean wait"),
            sim: metric_ci(&reps, g, Metric::WaitMean),
            exact: pc / decay,
            extra_tol: 0.0,
        });
        for (p, m) in [(0.90, Metric::WaitP90), (0.95, Metric::WaitP95)] {
            let exact = if 1.0 - p >= pc {
                0.0
            } else {
                (pc / (1.0 - p)).ln() / decay
            };
            checks.push(Check {
                what: format!("{label} {}", m.name()),
                sim: metric_ci(&reps, g, m),
                exact,
                // Histogram resolution: 1 s or 1/256 of the value, whichever is coarser.
                extra_tol: (exact / 256.0).max(1.0),
            });
        }
        for t in [60.0, 300.0] {
            let idx = CDF_POINTS_S
                .iter()
                .position(|&x| x == t)
                .expect("a CDF point");
            let xs: Vec<f64> = reps
                .iter()
                .map(|r| r.group(g).expect("lane").wait_cdf[idx])
                .collect();
            checks.push(Check {
                what: format!("{label} P(W <= {t} s)"),
                sim: mean_ci(&xs),
                exact: 1.0 - pc * (-decay * t).exp(),
                // Linear interpolation within a 1-second bin.
                extra_tol: 2e-4,
            });
        }
        // Utilization is rho.
        checks.push(Check {
            what: format!("{label} utilization"),
            sim: metric_ci(&reps, g, Metric::Utilization),
            exact: rho,
            extra_tol: 0.0,
        });
    }
    let k = checks.len();
    let mut failures = Vec::new();
    for ch in &checks {
        let tol = family_tol(&ch.sim, k) + ch.extra_tol;
        eprintln!(
            "{}: simulated {:.4} ± {:.4}, exact {:.4}",
            ch.what, ch.sim.mean, ch.sim.ci95, ch.exact
        );
        if (ch.sim.mean - ch.exact).abs() > tol {
            failures.push(format!(
                "{}: simulated {:.4} ± {:.4} (tolerance {:.4}), exact {:.4}",
                ch.what, ch.sim.mean, ch.sim.ci95, tol, ch.exact
            ));
        }
        // The interval must be informative: a check with a huge CI proves nothing.
        assert!(
            ch.sim.ci95 <= 0.1 * ch.exact.abs().max(0.05),
            "{}: CI too wide to test ({} vs {})",
            ch.what,
            ch.sim.ci95,
            ch.exact
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Little's law per lane and for the port (queue_mean = arrival rate x mean wait), and
/// conservation (arrivals = served + unserved_at_end) for every group, with a time-varying
/// two-lane, two-class scenario.
#[test]
fn littles_law_and_conservation() {
    let mut cfg = mmc_config(4, 0.85, 45.0, 150_000.0, 10);
    cfg.demand.per_hour = std::array::from_fn(|h| 200.0 + 180.0 * ((h as f64) / 3.8).sin().abs());
    cfg.horizon = SimTime::from_hours(24 * 14);
    cfg.warmup = SimTime::from_hours(24);
    cfg.lanes.push(LaneConfig {
        id: "ready".into(),
        kind: LaneKind::Ready,
        display: DisplayName::default(),
        booths: std::array::from_fn(|h| if h < 6 { 1 } else { 3 }),
        max_booths: 3,
        service: ServiceDist::LogNormal {
            mean_s: 30.0,
            sd_s: 15.0,
        },
        storage: None,
        booths_saturday: None,
        booths_sunday: None,
        officer_sd: None,
        stacked: 1,
        booths_by_date: None,
    });
    cfg.classes[0].share = 0.6;
    cfg.classes.push(ClassConfig {
        id: "ready".into(),
        display: DisplayName::default(),
        share: 0.4,
        share_by_hour: None,
        lanes: vec![1, 0],
        trusted: false,
        mode: TravelMode::Car,
        idle: IdleEmissions::default_for(TravelMode::Car),
        approach: ApproachUse::Shared,
        referral: 0.0,
        tolerance: None,
    });
    let reps = run_all(&cfg);
    let measured_s = cfg.horizon.saturating_sub(cfg.warmup).as_secs_f64();
    let groups = [GroupRef::All, GroupRef::Lane(0), GroupRef::Lane(1)];
    let k = groups.len();
    for g in groups {
        let diffs: Vec<f64> = reps
            .iter()
            .map(|r| {
                let gr = r.group(g).expect("group");
                let lambda = gr.metric(Metric::Arrivals) / measured_s;
                gr.metric(Metric::QueueMean) - lambda * gr.metric(Metric::WaitMean)
            })
            .collect();
        let d = mean_ci(&diffs);
        let q = metric_ci(&reps, g, Metric::QueueMean).mean;
        // Edge effects (vehicles queued across the warm-up and the horizon) are O(1/T).
        assert!(
            d.mean.abs() <= family_tol(&d, k) + 0.002 * q,
            "{g:?}: L - lambda W = {} ± {} (L = {q})",
            d.mean,
            d.ci95
        );
    }
    for r in &reps {
        for g in &r.groups {
            let a = g.metric(Metric::Arrivals);
            let s = g.metric(Metric::Served);
            let u = g.metric(Metric::UnservedAtEnd);
            assert_eq!(a, s + u, "{:?}", g.group);
        }
        let lanes: f64 = [1, 2]
            .iter()
            .map(|&i| r.groups[i].metric(Metric::Arrivals))
            .sum();
        let classes: f64 = [3, 4]
            .iter()
            .map(|&i| r.groups[i].metric(Metric::Arrivals))
            .sum();
        assert_eq!(lanes, r.groups[0].metric(Metric::Arrivals));
        assert_eq!(classes, r.groups[0].metric(Metric::Arrivals));
    }
}

struct Collect(Vec<TraceRecord>);
impl TraceSink for Collect {
    fn record(&mut self, r: &TraceRecord) {
        self.0.push(r.clone());
    }
}

/// A lane whose booths go to zero at night serves nobody then, finishes the vehicles already
/// in service, and catches up after reopening.
#[test]
fn night_closure_serves_nobody_and_catches_up() {
    let mut cfg = mmc_config(3, 0.6, 60.0, 1.0, 1);
    cfg.demand.per_hour = [90.0; 24];
    cfg.lanes[0].booths = std::array::from_fn(|h| if h < 6 { 0 } else { 3 });
    cfg.horizon = SimTime::from_hours(24 * 5);
    cfg.warmup = SimTime::ZERO;
    let mut sink = Collect(Vec::new());
    let res = simulate(&cfg, 0, Some(&mut sink));
    let mut starts_at_night = 0;
    let mut finished_after_midnight = 0;
    for r in &sink.0 {
        if let (Some(s), Some(d)) = (r.service_start, r.departure) {
            if s.hour_of_day() < 6 {
                starts_at_night += 1;
            }
            if s.hour_of_day() == 23 && d.hour_of_day() == 0 {
                finished_after_midnight += 1;
            }
        }
    }
    assert_eq!(starts_at_night, 0);
    assert!(
        finished_after_midnight > 0,
        "closing booths finish their vehicle"
    );
    let lane = res.group(GroupRef::Lane(0)).expect("lane");
    // Closing booths stay staffed only while they finish their last vehicle after midnight.
    let open0 = lane.hourly[0][HourlyMetric::BoothsOpen as usize];
    assert!(open0 > 0.0 && open0 < 0.1, "hour 0: {open0}");
    for h in 1..6 {
        assert_eq!(
            lane.hourly[h][HourlyMetric::BoothsOpen as usize],
            0.0,
            "hour {h}"
        );
    }
    // Six hours of arrivals (540) wait for the morning; the backlog clears by the afternoon.
    let q6 = lane.hourly[6][HourlyMetric::QueueMean as usize];
    let q15 = lane.hourly[15][HourlyMetric::QueueMean as usize];
    assert!(q6 > 300.0, "morning backlog {q6}");
    assert!(q15 < 5.0, "afternoon queue {q15}");
    // Everyone who arrived before the last night was served.
    assert!(lane.metric(Metric::UnservedAtEnd) < 200.0);
    let night_waits = lane.hourly[1][HourlyMetric::WaitMean as usize];
    assert!(
        night_waits > 3.0 * 3600.0,
        "a 01:00 arrival waits past 06:00: {night_waits}"
    );
}

/// Arrivals per hour of day match per_hour x weekday factor x scale, and class shares hold.
#[test]
fn demand_and_class_shares_match_the_scenario() {
    let mut cfg = mmc_config(20, 0.3, 30.0, 1.0, 10);
    cfg.demand.per_hour = std::array::from_fn(|h| 50.0 + 40.0 * h as f64);
    cfg.demand.weekday_factors = [1.0, 0.8, 1.0, 1.2, 1.5, 0.5, 0.7];
    cfg.demand.scale = 1.3;
    cfg.lanes[0].booths = [60; 24];
    cfg.lanes[0].max_booths = 60;
    cfg.horizon = SimTime::from_hours(24 * 28);
    cfg.warmup = SimTime::ZERO;
    cfg.classes[0].share = 0.7;
    cfg.classes.push(ClassConfig {
        id: "b".into(),
        display: DisplayName::default(),
        share: 0.3,
        share_by_hour: None,
        lanes: vec![0],
        trusted: false,
        mode: TravelMode::Car,
        idle: IdleEmissions::default_for(TravelMode::Car),
        approach: ApproachUse::Shared,
        referral: 0.0,
        tolerance: None,
    });
    let reps = run_all(&cfg);
    let wf_mean: f64 = cfg.demand.weekday_factors.iter().sum::<f64>() / 7.0;
    let k = 24 + 2 + 1;
    for h in 0..24 {
        let xs: Vec<f64> = reps
            .iter()
            .map(|r| r.groups[0].hourly[h][HourlyMetric::Arrivals as usize])
            .collect();
        let m = mean_ci(&xs);
        let want = cfg.demand.per_hour[h] * wf_mean * cfg.demand.scale;
        assert!(
            (m.mean - want).abs() <= family_tol(&m, k),
            "hour {h}: {} ± {} vs {want}",
            m.mean,
            m.ci95
        );
    }
    // Weekday factors: arrivals in the whole run.
    let total = metric_ci(&reps, GroupRef::All, Metric::Arrivals);
    let want: f64 = (0..24 * 28).map(|h| cfg.demand.rate_per_hour(h)).sum();
    assert!(
        (total.mean - want).abs() <= family_tol(&total, k),
        "{} vs {want}",
        total.mean
    );
    for (i, share) in [(0usize, 0.7), (1, 0.3)] {
        let xs: Vec<f64> = reps
            .iter()
            .map(|r| {
                r.groups[2 + i].metric(Metric::Arrivals) / r.groups[0].metric(Metric::Arrivals)
            })
            .collect();
        let m = mean_ci(&xs);
        assert!(
            (m.mean - share).abs() <= family_tol(&m, k),
            "class {i}: {} ± {}",
            m.mean,
            m.ci95
        );
    }
}

/// Same seed, same results; another seed, other results; replications differ.
#[test]
fn replications_are_reproducible_and_distinct() {
    // Debug formatting compares NaNs (not-applicable metrics) as equal, bit for bit.
    let run = |cfg: &PortConfig, r: u32| format!("{:?}", simulate(cfg, r, None).groups);
    let cfg = mmc_config(2, 0.8, 40.0, 20_000.0, 2);
    assert!(run(&cfg, 0) == run(&cfg, 0));
    assert!(run(&cfg, 0) != run(&cfg, 1));
    let mut other = cfg.clone();
    other.seed += 1;
    assert!(run(&cfg, 0) != run(&other, 0));
}

/// `queue_max` starts at the warm-up like every other level: a demand peak on day 0 with a
/// two-day warm-up does not reach it, and it matches the largest queue the trace shows after
/// the warm-up (a vehicle queues from its arrival until it reaches a booth, or the horizon).
#[test]
fn queue_max_starts_at_the_warmup() {
    let mut cfg = mmc_config(2, 0.5, 60.0, 1.0, 1);
    // 60/h on two 60 s booths (rho 0.5), tripled on day 0 (180/h against 120/h: the queue grows
    // by about 60 an hour), halved on day 1 (drains the backlog).
    cfg.demand.per_hour = [60.0; 24];
    cfg.demand.weekday_factors = [3.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0];
    cfg.horizon = SimTime::from_hours(24 * 3);
    cfg.warmup = SimTime::from_hours(24 * 2);
    let mut sink = Collect(Vec::new());
    let res = simulate(&cfg, 0, Some(&mut sink));
    let warmup = cfg.warmup.as_nanos();
    let horizon = cfg.horizon.as_nanos();
    // Queue changes from the trace: +1 at arrival, -1 on reaching a booth (when later).
    let mut changes: Vec<(u64, i64)> = Vec::new();
    for r in &sink.0 {
        let a = r.arrival.as_nanos();
        match r.service_start {
            Some(s) if s.as_nanos() > a => {
                changes.push((a, 1));
                changes.push((s.as_nanos(), -1));
            }
            Some(_) => {}
            None => changes.push((a, 1)),
        }
    }
    changes.sort_by_key(|&(t, d)| (t, d));
    let (mut level, mut peak_all, mut peak_after) = (0i64, 0i64, 0i64);
    for &(t, d) in &changes {
        if t > warmup {
            peak_after = peak_after.max(level);
        }
        level += d;
        peak_all = peak_all.max(level);
        if t >= warmup {
            peak_after = peak_after.max(level);
        }
    }
    assert!(horizon > warmup);
    peak_after = peak_after.max(level);
    assert!(peak_all > 500, "day-0 peak {peak_all}");
    assert!(peak_after < 50, "after the warm-up {peak_after}");
    for g in [GroupRef::All, GroupRef::Lane(0), GroupRef::Class(0)] {
        let got = res.group(g).expect("group").metric(Metric::QueueMax);
        assert_eq!(got, peak_after as f64, "{g:?}");
    }
}
