//! Speed of the core: the event calendar, one replication of a year-long port scenario, two
//! three-lane scenarios against bare hand-written M/G/c loops (`choice`: Ready travellers choose
//! between two lanes, which the bare loop skips; `dedicated`: a lane per class, log-normal
//! inspections, an hourly profile), and a 10 x 28-day batch.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "common/three_lane.rs"]
mod three_lane;
use garita::engine::{Calendar, RngStream, SimTime, StreamId};
use garita::experiment::run_replications;
use garita::port::{PortConfig, simulate};
use three_lane::{bare_dedicated, bare_three_lane, dedicated, three_lane};

fn load(name: &str) -> PortConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    garita::scenario::load_file(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .config
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

    // Each model with garita and with its bare loop.
    let pairs = [
        (
            "three_lane_28d",
            three_lane(28),
            bare_three_lane as fn(u64) -> f64,
        ),
        ("dedicated_100d", dedicated(100), bare_dedicated),
    ];
    for (name, cfg, bare) in &pairs {
        let n = simulate(cfg, 0, None).vehicles_simulated;
        g.throughput(Throughput::Elements(n));
        g.bench_function(format!("{name}_full_stats"), |b| {
            b.iter(|| black_box(simulate(cfg, 0, None)))
        });
        g.bench_function(format!("{name}_bare_loop"), |b| {
            b.iter(|| black_box(bare(n)))
        });
    }
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
