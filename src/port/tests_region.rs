//! Checks of regions of ports with a port choice (`port/choice.rs`): symmetric ports split
//! evenly, at negligible load the shares are the logit formula of the travel times, and a port
//! that closes sends its traffic to the others in those hours while the region conserves trips.
//!
//! Statistical checks compare the mean over replications of a per-replication share with its
//! exact value, with the Student-t tolerance of a family of k checks at the family-wise level
//! `FAMILY_ALPHA` (1%): each check at 1 - 0.01 / (2k), two-sided.

use super::choice::logit_shares;
use super::tests::{family_tol, test_seed};
use super::*;
use crate::engine::SimTime;
use crate::stats::mean_ci;

/// A region of ports, each one general lane of `booths` booths with exponential service of
/// mean `mean_s`, serving one class; one origin with `travel_min` minutes to each port; logit
/// scale `scale_min` minutes; `per_hour` latent trips every hour; no `[response]`.
fn region(
    ports: &[(&str, u32, f64)],
    travel_min: &[f64],
    scale_min: f64,
    per_hour: f64,
) -> PortConfig {
    let lanes: Vec<LaneConfig> = ports
        .iter()
        .map(|(id, booths, mean_s)| test_support::lane(&format!("{id}/general"), *booths, *mean_s))
        .collect();
    let n = ports.len();
    PortConfig {
        name: "region".into(),
        seed: test_seed(20_261_202),
        horizon: SimTime::from_hours(24 * 8),
        warmup: SimTime::DAY,
        replications: 10,
        region: Some(RegionConfig {
            ports: ports
                .iter()
                .enumerate()
                .map(|(i, (id, _, _))| RegionPort {
                    id: (*id).into(),
                    display: DisplayName::default(),
                    lanes: i..i + 1,
                })
                .collect(),
            origins: vec![OriginConfig {
                id: "all".into(),
                share: 1.0,
                travel_s: travel_min.iter().map(|m| m * 60.0).collect(),
            }],
            scale_s: scale_min * 60.0,
            toll_s: vec![0.0; n],
            class_lanes: vec![(0..n).map(|i| vec![i]).collect()],
        }),
        ..test_support::config(
            [per_hour; 24],
            vec![test_support::class("car", 1.0, (0..n).collect())],
            lanes,
        )
    }
}

fn run_all(cfg: &PortConfig) -> Vec<ReplicationResult> {
    (0..cfg.replications)
        .map(|r| simulate(cfg, r, None))
        .collect()
}

/// Trips per hour to `port` (one origin, one class) in the hours `hours`, summed.
fn trips(r: &ReplicationResult, port: usize, hours: &[usize]) -> f64 {
    hours.iter().map(|&h| r.flows[port * 24 + h]).sum()
}

fn all_hours() -> Vec<usize> {
    (0..24).collect()
}

/// Per replication, the share of trips to each port over `hours`.
fn shares(reps: &[ReplicationResult], n: usize, hours: &[usize]) -> Vec<crate::stats::MeanCi> {
    (0..n)
        .map(|p| {
            let xs: Vec<f64> = reps
                .iter()
                .map(|r| {
                    let total: f64 = (0..n).map(|q| trips(r, q, hours)).sum();
                    trips(r, p, hours) / total
                })
                .collect();
            mean_ci(&xs)
        })
        .collect()
}

fn check(what: &str, m: &crate::stats::MeanCi, exact: f64, k: usize) {
    let tol = family_tol(m, k);
    eprintln!(
        "{what}: simulated {} ± {} (tolerance {tol}), exact {exact}",
        m.mean, m.ci95
    );
    assert!(
        (m.mean - exact).abs() <= tol,
        "{what}: simulated {} ± {}, exact {exact} (tolerance {tol})",
        m.mean,
        m.ci95
    );
}

/// Two identical ports at the same travel time, loaded (utilisation 0.75 if split evenly, so
/// waits and their posting matter): each takes half of the trips.
#[test]
fn two_identical_ports_split_evenly() {
    let cfg = region(
        &[("a", 2, 60.0), ("b", 2, 60.0)],
        &[10.0, 10.0],
        10.0,
        180.0,
    );
    let reps = run_all(&cfg);
    let s = shares(&reps, 2, &all_hours());
    check("share to a", &s[0], 0.5, 1);
    // Informative: the interval is narrow next to the value.
    assert!(s[0].ci95 < 0.02, "{:?}", s[0]);
}

/// At negligible load (every trip finds an idle booth, so every posted wait is 0) the shares
/// are the logit formula of the travel times: P(port) ∝ exp(-travel / scale).
#[test]
fn negligible_load_shares_follow_the_logit_formula() {
    let travel = [0.0, 5.0, 10.0];
    let cfg = region(
        &[("a", 12, 30.0), ("b", 12, 30.0), ("c", 12, 30.0)],
        &travel,
        10.0,
        60.0,
    );
    let reps = run_all(&cfg);
    // Negligible indeed: nobody waited.
    for r in &reps {
        let all = r.group(GroupRef::All).expect("all");
        assert_eq!(all.metric(Metric::WaitMax), 0.0);
    }
    let exact = logit_shares(&travel.map(|m| m * 60.0), 600.0);
    let s = shares(&reps, 3, &all_hours());
    for (p, (m, e)) in s.iter().zip(&exact).enumerate() {
        check(&format!("share to port {p}"), m, *e, exact.len());
    }
}

/// Port b closes (no booth) from 10:00 to 14:00. In those hours every trip goes to a, and the
/// hours' trips are the same as with b open (common random numbers: the same latent trips,
/// all of which travel without a `[response]`): the traffic moves, it is not lost. Over the
/// region, vehicles are conserved: trips counted by port and hour are the arrivals, and the
/// arrivals are served or still queued at the end. With a `[response]` (nobody shifts), every
/// latent trip either travels or is forgone.
#[test]
fn a_closed_port_sends_its_traffic_to_the_others() {
    let open = region(
        &[("a", 3, 60.0), ("b", 3, 60.0)],
        &[10.0, 10.0],
        10.0,
        150.0,
    );
    let mut closed = open.clone();
    for h in 10..14 {
        closed.lanes[1].booths[h] = 0;
    }
    let closed_hours: Vec<usize> = (10..14).collect();
    let (open_reps, closed_reps) = (run_all(&open), run_all(&closed));
    for (o, c) in open_reps.iter().zip(&closed_reps) {
        assert_eq!(
            trips(c, 1, &closed_hours),
            0.0,
            "b takes nobody while closed"
        );
        let moved = trips(c, 0, &closed_hours);
        let before = trips(o, 0, &closed_hours) + trips(o, 1, &closed_hours);
        assert!(
            (moved - before).abs() < 1e-9 * before,
            "a takes every trip of the closed hours: {moved} vs {before}"
        );
        assert!(before > 0.0);
        conserved(&closed, c);
    }
    // Outside the closure and the hours after it (b's posted wait is then still that of the
    // vehicles it held), the two ports share evenly again.
    let later: Vec<usize> = (0..10).chain(17..24).collect();
    let s = shares(&closed_reps, 2, &later);
    check("share to a outside the closure", &s[0], 0.5, 1);

    // With a [response]: latent trips = arrivals + forgone, exactly (nobody shifts).
    let mut reacting = closed.clone();
    reacting.response = Some(ResponseConfig {
        posted_update: SimTime::from_secs_f64(300.0),
        posted_lag: SimTime::ZERO,
        tolerance: Some(ServiceDist::Exponential { mean_s: 1200.0 }),
        shift: 0.0,
        shift_delay: SimTime::HOUR,
        max_shifts: 1,
    });
    reacting.replications = 3;
    for r in run_all(&reacting) {
        conserved(&reacting, &r);
        let all = r.group(GroupRef::All).expect("all");
        let (latent, arrivals, forgone) = (
            all.metric(Metric::LatentTrips),
            all.metric(Metric::Arrivals),
            all.metric(Metric::Forgone),
        );
        assert!(
            forgone > 0.0,
            "travel of 10 min against a 20 min mean tolerance"
        );
        assert_eq!(latent, arrivals + forgone);
    }
}

/// Trips by port and hour add up to the arrivals; arrivals are served or still queued; the
/// lanes' arrivals add up to the region's.
fn conserved(cfg: &PortConfig, r: &ReplicationResult) {
    let all = r.group(GroupRef::All).expect("all");
    let arrivals = all.metric(Metric::Arrivals);
    let days = cfg.measured_days();
    let by_flows: f64 = r.flows.iter().sum::<f64>() * days;
    assert!(
        (by_flows - arrivals).abs() < 1e-6 * arrivals,
        "flows {by_flows} vs arrivals {arrivals}"
    );
    assert_eq!(
        arrivals,
        all.metric(Metric::Served) + all.metric(Metric::UnservedAtEnd)
    );
    let lanes: f64 = (0..cfg.lanes.len())
        .map(|l| {
            r.group(GroupRef::Lane(l))
                .expect("lane")
                .metric(Metric::Arrivals)
        })
        .sum();
    assert_eq!(lanes, arrivals);
}
