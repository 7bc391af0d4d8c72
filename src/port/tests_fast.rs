//! The fast path (`model/fast.rs`) against the event loop: whole `ReplicationResult`s, bit for
//! bit, on many random plain ports.

use super::model::{simulate_event_loop, simulate_fast};
use super::test_support::{class, config, lane};
use super::*;
use crate::engine::{RngStream, SimTime, StreamId};
use rand::RngExt;

/// Every number of a result as bits (NaN compares equal to itself).
fn bits(r: &ReplicationResult) -> Vec<u64> {
    let mut out = vec![u64::from(r.replication), r.vehicles_simulated];
    for g in &r.groups {
        out.extend(g.metrics.iter().map(|x| x.to_bits()));
        for h in &g.hourly {
            out.extend(h.iter().map(|x| x.to_bits()));
        }
        out.extend(g.wait_cdf.iter().map(|x| x.to_bits()));
    }
    out.extend(r.flows.iter().map(|x| x.to_bits()));
    out
}

/// Asserts that two results are the same to the bit, naming the first number that differs.
fn assert_same(got: &ReplicationResult, want: &ReplicationResult, what: &str) {
    let groups = |r: &ReplicationResult| r.groups.iter().map(|g| g.group).collect::<Vec<_>>();
    assert_eq!(groups(got), groups(want), "{what}: groups");
    let (g, w) = (bits(got), bits(want));
    assert_eq!(g.len(), w.len(), "{what}: lengths");
    if let Some(i) = (0..g.len()).find(|&i| g[i] != w[i]) {
        panic!(
            "{what}: number {i} of {} differs: fast path {} ({:e}), event loop {} ({:e})",
            g.len(),
            g[i],
            f64::from_bits(g[i]),
            w[i],
            f64::from_bits(w[i])
        );
    }
}

/// A random hourly booth table of `max` booths: open all day, or closed at night, or changing
/// every few hours.
fn booth_table(rng: &mut RngStream, max: u32) -> [u32; 24] {
    match rng.random_range(0..3u32) {
        0 => [max; 24],
        1 => {
            let (open, close) = (rng.random_range(4..9usize), rng.random_range(18..24usize));
            let low = rng.random_range(0..=max.min(1));
            std::array::from_fn(|h| if (open..close).contains(&h) { max } else { low })
        }
        _ => std::array::from_fn(|_| rng.random_range(0..=max)),
    }
}

fn service(rng: &mut RngStream, mean_s: f64) -> ServiceDist {
    match rng.random_range(0..6u32) {
        0 => ServiceDist::Exponential { mean_s },
        1 => ServiceDist::LogNormal {
            mean_s,
            sd_s: mean_s * 0.6,
        },
        2 => ServiceDist::Gamma {
            mean_s,
            sd_s: mean_s * 0.4,
        },
        // Booths that open together end together, inspection after inspection: ties at one
        // nanosecond within a lane. Times that divide the hour also end on the hour, where the
        // fast path gives up when the booths change; the others rarely do.
        3 => ServiceDist::Constant {
            mean_s: [37.0, 50.5, 60.0, 90.0][rng.random_range(0..4usize)],
        },
        4 => ServiceDist::Uniform {
            min_s: mean_s * 0.5,
            max_s: mean_s * 1.5,
        },
        _ => ServiceDist::Triangular {
            min_s: mean_s * 0.3,
            mode_s: mean_s * 0.8,
            max_s: mean_s * 1.9,
        },
    }
}

/// A random plain port: 1-4 lanes, 1-4 classes with one to three lanes each, schedules by hour
/// and day type, booth series, special dates, day-to-day swings, a warm-up, loads from light to
/// overloaded.
fn random_port(rng: &mut RngStream, k: u64) -> PortConfig {
    let n_lanes = rng.random_range(1..=4usize);
    let mut lanes = Vec::new();
    let mut capacity_per_h = 0.0;
    for i in 0..n_lanes {
        let max = rng.random_range(1..=8u32);
        let mean_s = rng.random_range(20.0..90.0);
        let mut l = lane(&format!("l{i}"), max, mean_s);
        l.service = service(rng, mean_s);
        l.booths = booth_table(rng, max);
        if rng.random_range(0..3u32) == 0 {
            l.booths_saturday = Some(booth_table(rng, max));
        }
        if rng.random_range(0..3u32) == 0 {
            l.booths_sunday = Some(booth_table(rng, max));
        }
        if rng.random_range(0..5u32) == 0 {
            l.booths_by_date = Some((0..5).map(|_| booth_table(rng, max)).collect());
        }
        capacity_per_h += f64::from(max) * 3600.0 / l.service.mean_s();
        lanes.push(l);
    }
    let n_classes = rng.random_range(1..=4usize);
    let classes = (0..n_classes)
        .map(|c| {
            let mut ls: Vec<usize> = Vec::new();
            for _ in 0..rng.random_range(1..=3usize) {
                let l = rng.random_range(0..n_lanes);
                if !ls.contains(&l) {
                    ls.push(l);
                }
            }
            class(&format!("c{c}"), 1.0 / n_classes as f64, ls)
        })
        .collect();
    let load = rng.random_range(0.3..1.3);
    let per_hour: [f64; 24] = std::array::from_fn(|h| {
        let shape = if (6..22).contains(&h) { 1.3 } else { 0.4 };
        load * capacity_per_h * shape * rng.random_range(0.7..1.3)
    });
    let mut cfg = config(per_hour, classes, lanes);
    cfg.seed = 1000 + k;
    let days = rng.random_range(1..=9u64);
    cfg.horizon = SimTime::from_secs_f64(days as f64 * 86_400.0 - rng.random_range(0.0..7200.0));
    // On the hour half the time: booths open and queued vehicles start at the warm-up's end.
    cfg.warmup = if rng.random_range(0..2u32) == 0 {
        SimTime::from_hours(rng.random_range(0..36u64))
    } else {
        SimTime::from_secs_f64(rng.random_range(0.0..1.5) * 86_400.0)
    };
    if rng.random_range(0..3u32) == 0 {
        cfg.demand.day_sd = 0.2;
    }
    if rng.random_range(0..3u32) == 0 {
        let start = Date::from_ymd(2025, 12, 20 + rng.random_range(0..6u32)).expect("a date");
        cfg.calendar = CalendarConfig {
            start: Some(start),
            dates: vec![SpecialDate {
                date: Date::from_ymd(2025, 12, 25).expect("a date"),
                demand: 0.6,
                booths: Some(DayType::Sunday),
            }],
        };
    }
    cfg
}

/// On random plain ports, the fast path gives the event loop's `ReplicationResult` to the bit
/// whenever it does not give up; it gives up only on a small share of replications, and
/// `simulate` (which tries it first) always equals the event loop. Both compilations of the
/// fast path are checked: ports with booths that open and close, and ports whose lanes are all
/// always open.
#[test]
fn fast_path_equals_the_event_loop() {
    let mut rng = RngStream::new(7, 0, StreamId::named("fast-path-test"));
    let (mut runs, mut fast, mut constant_runs, mut constant_fast) = (0, 0, 0, 0);
    // Replications of ports whose lanes are all always open (which the fast path compiles
    // apart) that took the fast path.
    let mut all_open_fast = 0;
    for k in 0..190u64 {
        let mut cfg = random_port(&mut rng, k);
        // The last 40 with every lane always open (at its busiest table's booths); a few of the
        // first 150 are too, by chance.
        let all_open = k >= 150;
        if all_open {
            for l in &mut cfg.lanes {
                let max = l.booths.iter().copied().max().unwrap_or(0);
                l.booths = [max; 24];
                (l.booths_saturday, l.booths_sunday, l.booths_by_date) = (None, None, None);
            }
        }
        assert!(model::fast_accepts(&cfg));
        let constant = cfg
            .lanes
            .iter()
            .any(|l| matches!(l.service, ServiceDist::Constant { .. }));
        for rep in 0..2 {
            let want = simulate_event_loop(&cfg, rep, None);
            let got = simulate_fast(&cfg, rep);
            runs += 1;
            constant_runs += usize::from(constant);
            if let Some(got) = got {
                fast += 1;
                constant_fast += usize::from(constant);
                all_open_fast += usize::from(all_open);
                assert_same(&got, &want, &format!("port {k} replication {rep}"));
            }
            assert_same(
                &simulate(&cfg, rep, None),
                &want,
                &format!("simulate, port {k}"),
            );
        }
    }
    eprintln!(
        "fast path: {fast} of {runs} replications ({constant_fast} of {constant_runs} with a \
         constant inspection time; {all_open_fast} of 80 on the ports made always open)"
    );
    assert!(
        all_open_fast >= 60,
        "{all_open_fast} of 80 on the ports made always open"
    );
    // Without constant inspection times the fast path gives up only on rare ties.
    assert!(
        fast - constant_fast >= (runs - constant_runs) * 95 / 100,
        "{fast} of {runs}"
    );
}

/// Every mechanism that needs the event loop keeps the fast path off.
#[test]
fn the_fast_path_takes_only_plain_ports() {
    let plain = config(
        [100.0; 24],
        vec![class("c", 1.0, vec![0])],
        vec![lane("a", 2, 30.0)],
    );
    assert!(model::fast_accepts(&plain));
    let mut c = plain.clone();
    c.lanes[0].storage = Some(5);
    assert!(!model::fast_accepts(&c));
    let mut c = plain.clone();
    c.lanes[0].officer_sd = Some(0.1);
    assert!(!model::fast_accepts(&c));
    let mut c = plain.clone();
    c.lanes[0].stacked = 2;
    assert!(!model::fast_accepts(&c));
    let mut c = plain.clone();
    c.response = Some(ResponseConfig::posting_only());
    assert!(!model::fast_accepts(&c));
}

/// The bench's three lanes (`benches/common/three_lane.rs`: one week here) run on the fast path
/// from start to end, with the event loop's result.
#[test]
fn the_three_lane_bench_port_runs_on_the_fast_path() {
    let mut cfg = config(
        [1500.0; 24],
        vec![
            class("general", 0.5, vec![0]),
            class("ready", 0.3, vec![1, 0]),
            class("sentri", 0.2, vec![2]),
        ],
        vec![
            lane("general", 10, 45.0),
            lane("ready", 5, 30.0),
            lane("sentri", 3, 25.0),
        ],
    );
    cfg.horizon = SimTime::from_hours(24 * 7);
    for rep in 0..3 {
        let fast = simulate_fast(&cfg, rep).expect("no tie in the bench's port");
        assert_same(&fast, &simulate_event_loop(&cfg, rep, None), "three lanes");
    }
}

/// The bench's dedicated lanes (`benches/common/three_lane.rs`: log-normal inspections, an
/// hourly profile; one week here) run on the fast path from start to end, with the event
/// loop's result.
#[test]
fn the_dedicated_bench_port_runs_on_the_fast_path() {
    let per_hour = [
        183.0, 122.0, 92.0, 92.0, 153.0, 366.0, 793.0, 976.0, 915.0, 793.0, 732.0, 732.0, 732.0,
        793.0, 854.0, 915.0, 915.0, 854.0, 793.0, 671.0, 549.0, 427.0, 305.0, 244.0,
    ];
    let lognormal = |id: &str, booths: u32, mean_s: f64, sd_s: f64| {
        let mut l = lane(id, booths, mean_s);
        l.service = ServiceDist::LogNormal { mean_s, sd_s };
        l
    };
    let mut cfg = config(
        per_hour,
        vec![
            class("general", 0.5, vec![0]),
            class("ready", 0.3, vec![1]),
            class("sentri", 0.2, vec![2]),
        ],
        vec![
            lognormal("general", 7, 45.0, 30.0),
            lognormal("ready", 4, 30.0, 20.0),
            lognormal("sentri", 2, 25.0, 15.0),
        ],
    );
    cfg.horizon = SimTime::from_hours(24 * 7);
    for rep in 0..3 {
        let fast = simulate_fast(&cfg, rep).expect("no tie in the bench's port");
        assert_same(
            &fast,
            &simulate_event_loop(&cfg, rep, None),
            "dedicated lanes",
        );
    }
}

/// Booths that open together with a constant inspection time end together all hour: which of
/// them takes the next vehicle (the one that started first, as the calendar orders ends at one
/// nanosecond) decides which is still busy when one closes. The fast path must agree with the
/// event loop on it.
#[test]
fn booths_ending_together_hand_out_in_start_order() {
    let mut l = lane("a", 4, 37.0);
    l.service = ServiceDist::Constant { mean_s: 37.0 };
    // A queue builds while the lane is closed; four booths open together and clear it near
    // the end of the hour, so that some end together with only one or two vehicles left to
    // take just before two of them close.
    l.booths = std::array::from_fn(|h| [0, 4, 2, 0, 4, 1][h % 6]);
    let mut cfg = config(
        std::array::from_fn(|h| [150.0, 240.0, 100.0, 150.0, 240.0, 50.0][h % 6]),
        vec![class("c", 1.0, vec![0])],
        vec![l],
    );
    cfg.horizon = SimTime::from_hours(24 * 7);
    let mut fast = 0;
    for rep in 0..6 {
        if let Some(got) = simulate_fast(&cfg, rep) {
            fast += 1;
            assert_same(
                &got,
                &simulate_event_loop(&cfg, rep, None),
                "booths ending together",
            );
        }
    }
    assert!(fast >= 3, "{fast} of 6 on the fast path");
}
