//! Checks of travellers who react to the posted wait (`[response]`) and of day-to-day demand
//! swings (`demand.day_sd`): the exact fixed point of a saturated lane, reduction to the model
//! without a response, and that each mechanism moves what it should.

use super::tests::{family_tol, norm_inv};
use super::*;
use crate::engine::SimTime;
use crate::stats::{MeanCi, mean_ci};

/// One lane of `c` booths with exponential service of mean `mean_service_s`, one class, a
/// constant latent rate, and a response with the given tolerance.
pub(super) fn one_lane(
    c: u32,
    mean_service_s: f64,
    per_hour: f64,
    tolerance: ServiceDist,
    reps: u32,
    days: u64,
) -> PortConfig {
    PortConfig {
        name: "response".into(),
        seed: super::tests::test_seed(20_261_201),
        horizon: SimTime::from_hours(24 * days),
        warmup: SimTime::from_hours(48),
        replications: reps,
        response: Some(ResponseConfig {
            posted_update: SimTime::from_secs_f64(60.0),
            posted_lag: SimTime::ZERO,
            tolerance: Some(tolerance),
            shift: 0.0,
            shift_delay: SimTime::HOUR,
            max_shifts: 1,
        }),
        ..test_support::config(
            [per_hour; 24],
            vec![test_support::class("all", 1.0, vec![0])],
            vec![test_support::lane("main", c, mean_service_s)],
        )
    }
}

fn run_all(cfg: &PortConfig) -> Vec<ReplicationResult> {
    (0..cfg.replications)
        .map(|r| simulate(cfg, r, None))
        .collect()
}

fn ci(reps: &[ReplicationResult], g: GroupRef, f: impl Fn(&GroupResult) -> f64) -> MeanCi {
    let xs: Vec<f64> = reps.iter().map(|r| f(r.group(g).expect("group"))).collect();
    mean_ci(&xs)
}

/// The exact check. One lane, c booths, exponential service of mean m, latent rate lambda
/// above capacity c/m, nobody shifts. The booths never idle, so the lane serves c/m per unit
/// time and the join rate must equal it: lambda (1 - F(W*)) = c/m, F the tolerance CDF. So the
/// forgone share is 1 - c/(m lambda) and the wait settles at W* = F^-1(1 - c/(m lambda)).
///
/// Allowances, derived:
/// - waits: W* is the fixed point of a continuously refreshed feed. With a refresh every U
///   seconds the feed is at most U old, and in that time the wait of a newcomer changes at a
///   rate between -1 (nobody joins: the queue drains at c/m, each departure takes m/c seconds
///   off the wait) and lambda m / c - 1 (everybody joins). The feed therefore differs from a
///   continuous one by at most U max(1, lambda m / c - 1) seconds, and so can the level at
///   which the wait settles.
/// - forgone share: forgone = latent - joined, and joined differs from the c/m x measured time
///   the booths serve only by the vehicles queued or in service at the start and the end of
///   the measurement, at most queue_max + c each side; the allowance is 2 (queue_max + c) /
///   latent.
///
/// Three checks at the family-wise level of `FAMILY_ALPHA` in tests.rs (1%; Student t,
/// Bonferroni).
#[test]
fn a_saturated_lane_settles_where_tolerance_balances_capacity() {
    let (c, m, lambda_h) = (4u32, 60.0, 360.0);
    let (tol_mean, tol_sd) = (1800.0, 900.0);
    let cfg = one_lane(
        c,
        m,
        lambda_h,
        ServiceDist::LogNormal {
            mean_s: tol_mean,
            sd_s: tol_sd,
        },
        20,
        12,
    );
    let reps = run_all(&cfg);
    let lambda = lambda_h / 3600.0;
    let served_share = f64::from(c) / (m * lambda);
    let forgone_exact = 1.0 - served_share;
    // Log-normal tolerance: F(w) = Phi((ln w - mu) / sigma).
    let s2 = (1.0 + (tol_sd / tol_mean).powi(2)).ln();
    let (mu, sigma) = (tol_mean.ln() - 0.5 * s2, s2.sqrt());
    let w_star = (mu + sigma * norm_inv(forgone_exact)).exp();
    let u = cfg
        .response
        .as_ref()
        .expect("response")
        .posted_update
        .as_secs_f64();
    let wait_allowance = u * 1f64.max(lambda * m / f64::from(c) - 1.0);

    let g = GroupRef::Lane(0);
    let util = ci(&reps, g, |r| r.metric(Metric::Utilization));
    assert!(util.mean > 0.999, "booths idle: utilization {}", util.mean);
    let wait = ci(&reps, g, |r| r.metric(Metric::WaitMean));
    let posted = ci(&reps, g, |r| r.metric(Metric::PostedWaitMean));
    let forgone = ci(&reps, GroupRef::All, |r| r.metric(Metric::ForgoneShare));
    let edge = ci(&reps, GroupRef::All, |r| {
        2.0 * (r.metric(Metric::QueueMax) + f64::from(c)) / r.metric(Metric::LatentTrips)
    });
    let checks = [
        ("mean wait (s)", wait, w_star, wait_allowance),
        ("posted wait (s)", posted, w_star, wait_allowance),
        ("forgone share", forgone, forgone_exact, edge.mean),
    ];
    let k = checks.len();
    let mut failures = Vec::new();
    for (what, sim, exact, allowance) in checks {
        // Student t at the family-wise level of tests.rs (FAMILY_ALPHA) over the 3 checks.
        let tol = family_tol(&sim, k) + allowance;
        eprintln!(
            "{what}: simulated {:.4} ± {:.4}, exact {exact:.4}, tolerance {tol:.4}",
            sim.mean, sim.ci95
        );
        if (sim.mean - exact).abs() > tol {
            failures.push(format!(
                "{what}: simulated {:.4} ± {:.4}, exact {exact:.4}, tolerance {tol:.4}",
                sim.mean, sim.ci95
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A response nobody ever refuses (tolerance of a year) leaves every number of today's model
/// unchanged, to the bit: the response draws from its own streams and its events do not
/// reorder the others.
#[test]
fn a_response_nobody_refuses_changes_nothing() {
    let mut cfg = one_lane(
        3,
        60.0,
        150.0,
        ServiceDist::Constant {
            mean_s: 365.0 * 86_400.0,
        },
        2,
        5,
    );
    cfg.lanes[0].booths = std::array::from_fn(|h| if h < 5 { 1 } else { 3 });
    cfg.demand.per_hour = std::array::from_fn(|h| 60.0 + 10.0 * h as f64);
    let mut plain = cfg.clone();
    plain.response = None;
    for r in 0..cfg.replications {
        let a = simulate(&cfg, r, None);
        let b = simulate(&plain, r, None);
        assert_eq!(a.vehicles_simulated, b.vehicles_simulated);
        for (ga, gb) in a.groups.iter().zip(&b.groups) {
            for &m in &Metric::ALL[..=Metric::Pm25GIdling as usize] {
                assert_eq!(
                    ga.metric(m).to_bits(),
                    gb.metric(m).to_bits(),
                    "{:?} {}",
                    ga.group,
                    m.name()
                );
            }
            for h in 0..24 {
                for &m in &HourlyMetric::ALL[..=HourlyMetric::Utilization as usize] {
                    let (x, y) = (ga.hourly[h][m as usize], gb.hourly[h][m as usize]);
                    assert_eq!(x.to_bits(), y.to_bits(), "{:?} {h} {}", ga.group, m.name());
                }
            }
            assert_eq!(format!("{:?}", ga.wait_cdf), format!("{:?}", gb.wait_cdf));
        }
        let all = &a.groups[0];
        assert_eq!(all.metric(Metric::Forgone), 0.0);
        assert_eq!(
            all.metric(Metric::LatentTrips),
            all.metric(Metric::Arrivals)
        );
        // Without a response the new metrics are undefined (no rows in the outputs).
        assert!(b.groups[0].metric(Metric::LatentTrips).is_nan());
    }
}

/// Less tolerant travellers forgo more trips and those who travel wait less; shifted trips come
/// back, and trips are conserved: latent = arrivals + forgone + trips still waiting to come
/// back at the horizon (at most the trips shifted).
#[test]
fn tolerance_and_shift_move_what_they_should() {
    let lognormal = |mean_s: f64| ServiceDist::LogNormal {
        mean_s,
        sd_s: 0.5 * mean_s,
    };
    let mut patient = one_lane(4, 60.0, 330.0, lognormal(3600.0), 10, 8);
    patient.warmup = SimTime::ZERO;
    let mut hurried = patient.clone();
    hurried.response.as_mut().expect("response").tolerance = Some(lognormal(900.0));
    let fs =
        |reps: &[ReplicationResult]| ci(reps, GroupRef::All, |r| r.metric(Metric::ForgoneShare));
    let w = |reps: &[ReplicationResult]| ci(reps, GroupRef::All, |r| r.metric(Metric::WaitMean));
    // Above capacity the booths fix the throughput, so the less tolerant wait less.
    let (p, h) = (run_all(&patient), run_all(&hurried));
    assert!(w(&h).mean + w(&h).ci95 + w(&p).ci95 < w(&p).mean);
    // Below capacity (utilization 0.92 if all came) they also forgo more.
    for c in [&mut patient, &mut hurried] {
        c.demand.per_hour = [220.0; 24];
    }
    let (p, h) = (run_all(&patient), run_all(&hurried));
    assert!(
        fs(&h).mean > fs(&p).mean + fs(&h).ci95 + fs(&p).ci95,
        "{:?} vs {:?}",
        fs(&h),
        fs(&p)
    );

    let mut shifting = hurried.clone();
    shifting.demand.per_hour = [330.0; 24];
    {
        let r = shifting.response.as_mut().expect("response");
        r.shift = 0.6;
        r.max_shifts = 2;
        r.shift_delay = SimTime::from_secs_f64(1800.0);
    }
    // Evening peak, quiet night: shifted trips find room later.
    shifting.demand.per_hour = std::array::from_fn(|h| if h >= 16 { 500.0 } else { 120.0 });
    let s = run_all(&shifting);
    for r in &s {
        let all = &r.groups[0];
        let latent = all.metric(Metric::LatentTrips);
        let arrivals = all.metric(Metric::Arrivals);
        let forgone = all.metric(Metric::Forgone);
        let shifted = all.metric(Metric::Shifted);
        assert!(shifted > 0.0);
        let pending = latent - arrivals - forgone;
        assert!(
            (0.0..=shifted).contains(&pending),
            "latent {latent}, arrivals {arrivals}, forgone {forgone}, shifted {shifted}"
        );
        // Class and port agree.
        assert_eq!(latent, r.groups[2].metric(Metric::LatentTrips));
    }
    // Shifting instead of forgoing: fewer trips lost than with everybody forgoing.
    let mut forgoing = shifting.clone();
    forgoing.response.as_mut().expect("response").shift = 0.0;
    let f = run_all(&forgoing);
    let share =
        |reps: &[ReplicationResult]| ci(reps, GroupRef::All, |r| r.metric(Metric::ForgoneShare));
    assert!(share(&s).mean + share(&s).ci95 + share(&f).ci95 < share(&f).mean);
}

/// A class's own tolerance overrides `[response]`'s: a less tolerant class forgoes more.
#[test]
fn a_class_tolerance_overrides_the_response() {
    let mut cfg = one_lane(
        4,
        60.0,
        330.0,
        ServiceDist::Exponential { mean_s: 3600.0 },
        6,
        6,
    );
    cfg.classes[0].share = 0.5;
    let mut trucks = cfg.classes[0].clone();
    trucks.id = "trucks".into();
    trucks.tolerance = Some(ServiceDist::Exponential { mean_s: 600.0 });
    cfg.classes.push(trucks);
    let reps = run_all(&cfg);
    let share = |i: usize| {
        ci(&reps, GroupRef::Class(i), |r| {
            r.metric(Metric::ForgoneShare)
        })
    };
    let (a, b) = (share(0), share(1));
    assert!(b.mean > a.mean + a.ci95 + b.ci95, "{a:?} vs {b:?}");
}

/// A lane with no booth open posts "closed": nobody joins it, its posted wait is undefined in
/// those hours, and the trips are forgone.
#[test]
fn a_closed_lane_posts_closed_and_nobody_joins() {
    let mut cfg = one_lane(
        3,
        60.0,
        90.0,
        ServiceDist::Exponential { mean_s: 3600.0 },
        2,
        4,
    );
    cfg.lanes[0].booths = std::array::from_fn(|h| if h < 6 { 0 } else { 3 });
    for r in run_all(&cfg) {
        let lane = r.group(GroupRef::Lane(0)).expect("lane");
        for h in 1..6 {
            assert_eq!(lane.hourly[h][HourlyMetric::Arrivals as usize], 0.0, "{h}");
            assert!(lane.hourly[h][HourlyMetric::Forgone as usize] > 50.0, "{h}");
            assert!(lane.hourly[h][HourlyMetric::PostedWaitMean as usize].is_nan());
        }
        let day = lane.hourly[12][HourlyMetric::PostedWaitMean as usize];
        assert!((0.0..600.0).contains(&day), "noon posted {day}");
    }
}

/// The posted wait follows each day's own booth table: a lane open on weekdays and closed all
/// Sunday posts "closed" on Sundays, so nobody joins it then and every Sunday trip is forgone.
/// (Vehicles still queued when Saturday ends do wait through the closed day: the booths close
/// with the queue in place. So the longest wait is no test of who joined on a Sunday; the
/// trips made are.)
///
/// Derived, not hand-set: every traveller tolerates exactly 10 h (a constant tolerance). On
/// weekdays 3 booths of 60 s serve 90 trips an hour at utilisation 0.5, where the posted wait
/// stays minutes, far below 10 h, so no weekday trip is forgone; on Sundays the posted wait is
/// infinite, so every Sunday trip is. Days 2..14 are measured, days 6 and 13 are
/// Sundays: forgone trips per replication are Poisson of mean 2 x 24 x 90 and the trips made
/// Poisson of mean 10 x 24 x 90. Two checks of means over replications at the family-wise level
/// of tests.rs (Student t, Bonferroni).
#[test]
fn a_lane_closed_on_sundays_posts_closed_on_sundays() {
    let mut cfg = one_lane(
        3,
        60.0,
        90.0,
        ServiceDist::Constant { mean_s: 36_000.0 },
        10,
        14,
    );
    cfg.lanes[0].booths_sunday = Some([0; 24]);
    let reps = run_all(&cfg);
    let forgone = ci(&reps, GroupRef::Lane(0), |g| g.metric(Metric::Forgone));
    let made = ci(&reps, GroupRef::Lane(0), |g| g.metric(Metric::Arrivals));
    for (what, m, exact) in [
        ("forgone (the Sundays' trips)", forgone, 2.0 * 24.0 * 90.0),
        ("made (the weekdays' trips)", made, 10.0 * 24.0 * 90.0),
    ] {
        let tol = family_tol(&m, 2);
        assert!(
            (m.mean - exact).abs() <= tol,
            "{what}: {:.1} ± {:.1} against {exact} (tolerance {tol:.1})",
            m.mean,
            m.ci95
        );
    }
}

/// `day_sd` spreads each day's demand by a log-normal factor of mean 1: one-day replications
/// vary far more than Poisson noise, and their mean stays the scenario's.
#[test]
fn day_sd_spreads_days_around_the_same_mean() {
    let mut cfg = one_lane(
        40,
        30.0,
        400.0,
        ServiceDist::Exponential { mean_s: 3600.0 },
        60,
        1,
    );
    cfg.warmup = SimTime::ZERO;
    cfg.response = None;
    let mut swinging = cfg.clone();
    swinging.demand.day_sd = 0.3;
    let arrivals = |c: &PortConfig| -> Vec<f64> {
        run_all(c)
            .iter()
            .map(|r| r.groups[0].metric(Metric::Arrivals))
            .collect()
    };
    let cv = |xs: &[f64]| {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        v.sqrt() / m
    };
    let (a, b) = (arrivals(&cfg), arrivals(&swinging));
    // Poisson: cv = 1/sqrt(9600) = 0.010; with the factor about 0.3.
    assert!(cv(&a) < 0.02, "{}", cv(&a));
    assert!(cv(&b) > 0.2, "{}", cv(&b));
    let m = mean_ci(&b);
    assert!((m.mean - 9600.0).abs() <= family_tol(&m, 1), "{m:?}");
}

/// The posted wait by day and hour changes nothing the run does: without a `[response]` the
/// feed draws nothing and its events only read the lanes, so the statistics are `simulate`'s
/// to the bit; with one, they are the response's own.
#[test]
fn the_posted_series_leaves_the_run_unchanged() {
    let mut cfg = one_lane(
        3,
        60.0,
        150.0,
        ServiceDist::LogNormal {
            mean_s: 1200.0,
            sd_s: 600.0,
        },
        1,
        4,
    );
    let mut booths = [3; 24];
    booths[2] = 0;
    booths[3] = 1;
    cfg.lanes[0].booths = booths;
    for response in [true, false] {
        let mut c = cfg.clone();
        if !response {
            c.response = None;
        }
        for rep in 0..2 {
            let plain = simulate(&c, rep, None);
            let (with, posted) = simulate_posted(&c, rep, SimTime::from_secs_f64(300.0));
            assert_eq!(
                format!("{plain:?}"),
                format!("{with:?}"),
                "response {response}"
            );
            assert_eq!(posted.values.len(), 1);
            assert_eq!(posted.values[0].len(), 4, "one row a day");
            assert!(
                posted.values[0].iter().all(|d| d[2].is_none()),
                "closed at 02h: nothing posted"
            );
            assert!(
                posted.values[0]
                    .iter()
                    .all(|d| (0..24).all(|h| h == 2 || d[h].is_some_and(|v| v >= 0.0)))
            );
        }
    }
}

/// With a `[response]`, the series is the response's own feed: over the measured days (the
/// warm-up is two whole days) its time-weighted mean by hour is the `posted_wait_mean_s` of
/// that hour.
#[test]
fn the_posted_series_is_the_responses_feed() {
    let cfg = one_lane(
        2,
        60.0,
        150.0,
        ServiceDist::LogNormal {
            mean_s: 900.0,
            sd_s: 600.0,
        },
        1,
        5,
    );
    let (res, posted) = simulate_posted(&cfg, 0, SimTime::HOUR);
    let lane = res.group(GroupRef::Lane(0)).expect("lane");
    for h in 0..24 {
        let measured: Vec<f64> = posted.values[0][2..].iter().filter_map(|d| d[h]).collect();
        let mean = measured.iter().sum::<f64>() / measured.len() as f64;
        let want = lane.hourly[h][HourlyMetric::PostedWaitMean as usize];
        assert!(
            (mean - want).abs() <= 1e-9 * want.max(1.0),
            "hour {h}: {mean} vs {want}"
        );
    }
}
