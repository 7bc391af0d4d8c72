//! Speed of the core: the event calendar, one replication of a year-long port scenario, a
//! three-lane scenario against a bare hand-written M/G/c loop, and a 10 x 28-day batch.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use garita::engine::{Calendar, RngStream, SimTime, StreamId};
use garita::experiment::run_replications;
use garita::port::{PortConfig, simulate};

fn load(name: &str) -> PortConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    garita::scenario::load_file(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .config
}

/// A three-lane port: general, ready and sentri lanes with M/G/c service.
fn three_lane(days: u64) -> PortConfig {
    let text = format!(
        r#"
name = "three-lane"
horizon = "{days}d"
[demand]
rate = 1500
[[classes]]
id = "general"
share = 0.5
lanes = ["general"]
[[classes]]
id = "ready"
share = 0.3
lanes = ["ready", "general"]
[[classes]]
id = "sentri"
share = 0.2
lanes = ["sentri"]
[[lanes]]
id = "general"
booths = 10
service = {{ dist = "exponential", mean = "45s" }}
[[lanes]]
id = "ready"
booths = 5
service = {{ dist = "exponential", mean = "30s" }}
[[lanes]]
id = "sentri"
booths = 3
service = {{ dist = "exponential", mean = "25s" }}
"#
    );
    garita::scenario::parse_str(&text, "three-lane.toml")
        .expect("valid bench scenario")
        .config
}

/// The bare minimum M/G/c loop for the same three lanes: Poisson arrivals, a class draw, a
/// FIFO lane per class (Kiefer-Wolfowitz: a heap of booth free times), mean wait only.
fn bare_three_lane(vehicles: u64) -> f64 {
    let mut arr = RngStream::new(1, 0, StreamId::named("arrivals"));
    let mut cls = RngStream::new(1, 0, StreamId::named("class"));
    let mut svc = RngStream::new(1, 0, StreamId::named("service"));
    let booths = [10usize, 5, 3];
    let means = [45.0, 30.0, 25.0];
    let mut free: Vec<BinaryHeap<Reverse<u64>>> = booths
        .iter()
        .map(|&c| (0..c).map(|_| Reverse(0u64)).collect())
        .collect();
    let rate_per_s = 1500.0 / 3600.0;
    let mut t = 0.0f64;
    let mut wait_sum = 0.0;
    for _ in 0..vehicles {
        let e = arr.exp1();
        t += e / rate_per_s;
        let u = cls.uniform();
        let lane = if u < 0.5 {
            0
        } else if u < 0.8 {
            1
        } else {
            2
        };
        let now = SimTime::from_secs_f64(t).as_nanos();
        let Reverse(f) = free[lane].pop().expect("booths");
        let start = f.max(now);
        wait_sum += (start - now) as f64 * 1e-9;
        let s = svc.exp1();
        free[lane].push(Reverse(
            start + SimTime::from_secs_f64(s * means[lane]).as_nanos(),
        ));
    }
    wait_sum / vehicles as f64
}

fn calendar(c: &mut Criterion) {
    let mut g = c.benchmark_group("calendar");
    for pending in [16usize, 1024] {
        g.throughput(Throughput::Elements(100_000));
        g.bench_function(format!("hold_{pending}_pending"), |b| {
            b.iter(|| {
                let mut cal = Calendar::with_capacity(pending);
                let mut rng = RngStream::new(1, 0, StreamId::named("bench"));
                for i in 0..pending {
                    cal.schedule(SimTime::from_nanos(rng.uniform().to_bits() >> 20), i);
                }
                for _ in 0..100_000 {
                    let ev = cal.pop().expect("pending events");
                    let dt = (rng.uniform() * 1e9) as u64;
                    cal.schedule(SimTime::from_nanos(ev.time.as_nanos() + dt), ev.event);
                }
                black_box(cal.len())
            })
        });
    }
    g.finish();
}

fn replication(c: &mut Criterion) {
    let mut g = c.benchmark_group("replication");
    g.sample_size(10);
    let mut bota = load("bota-pov.toml");
    bota.horizon = SimTime::from_hours(24 * 365);
    bota.warmup = SimTime::from_hours(24 * 2);
    let n = simulate(&bota, 0, None).vehicles_simulated;
    g.throughput(Throughput::Elements(n));
    g.bench_function("bota_one_year", |b| {
        b.iter(|| black_box(simulate(&bota, 0, None)))
    });

    let three = three_lane(28);
    let n = simulate(&three, 0, None).vehicles_simulated;
    g.throughput(Throughput::Elements(n));
    g.bench_function("three_lane_28d_full_stats", |b| {
        b.iter(|| black_box(simulate(&three, 0, None)))
    });
    g.bench_function("three_lane_28d_bare_loop", |b| {
        b.iter(|| black_box(bare_three_lane(n)))
    });
    g.finish();
}

fn batch(c: &mut Criterion) {
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    let mut bota = load("bota-pov.toml");
    bota.replications = 10;
    bota.horizon = SimTime::from_hours(24 * 28);
    for threads in [1usize, 2] {
        g.bench_function(format!("bota_10x28d_{threads}_threads"), |b| {
            b.iter(|| black_box(run_replications(std::slice::from_ref(&bota), threads, None)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // Text reports only: the chart backend would need a system font.
    config = Criterion::default().without_plots();
    targets = calendar, replication, batch
}
criterion_main!(benches);
