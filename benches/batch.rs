//! Batches and sweeps: how a batch of replications scales with threads, and how many short
//! sweep variants (1 day, 1 replication) go through the whole pipeline per second on one core.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use garita::experiment::sweep::{apply, grid, parse_vary};
use garita::experiment::{
    BatchOptions, NoProgress, NoStore, PlanVariant, Shard, aggregate, run_batch,
};
use garita::report::{sweep_csv, sweep_rows};

const SCENARIO: &str = include_str!("../scenarios/mmc-example.toml");

fn short(text: &str, horizon: &str, replications: u32) -> String {
    text.replace("horizon = \"30d\"", &format!("horizon = \"{horizon}\""))
        .replace("warmup = \"1d\"", "warmup = \"2h\"")
        .replace(
            "replications = 8",
            &format!("replications = {replications}"),
        )
}

fn batch_threads(c: &mut Criterion) {
    let text = short(SCENARIO, "7d", 40);
    let cfg = garita::scenario::parse_str(&text, "bench.toml")
        .expect("valid scenario")
        .config;
    let configs = vec![cfg];
    let mut g = c.benchmark_group("batch_40_replications");
    g.sample_size(10);
    g.throughput(Throughput::Elements(40));
    for threads in [1, 2] {
        g.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| {
                let reduce = |_: usize, reps: Vec<garita::port::ReplicationResult>| {
                    aggregate(&reps).replications
                };
                let opts = BatchOptions {
                    threads,
                    shard: Shard::WHOLE,
                };
                run_batch(&configs, opts, &NoStore, &NoProgress, &reduce).expect("runs")
            })
        });
    }
    g.finish();
}

fn sweep_variants(c: &mut Criterion) {
    let base: toml::Table = short(SCENARIO, "1d", 1).parse().expect("valid TOML");
    let axes = [
        parse_vary("lanes.main.booths=6..15").expect("valid"),
        parse_vary("demand.scale=0.5..1.4:0.1").expect("valid"),
    ];
    let specs = grid(&axes).expect("grid");
    let columns: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    let mut g = c.benchmark_group("sweep_short_variants");
    g.sample_size(10);
    g.throughput(Throughput::Elements(specs.len() as u64));
    g.bench_function("1_thread", |b| {
        b.iter(|| {
            // Everything `garita sweep` does per variant except writing job records: edit the
            // TOML, validate it, simulate, aggregate, and format sweep.csv.
            let mut configs = Vec::with_capacity(specs.len());
            let mut values = Vec::with_capacity(specs.len());
            for s in &specs {
                let text = apply(&base, s).expect("applies");
                let (_, cfg) =
                    PlanVariant::new("bench", s.label(), vec![], "v".into(), text, "", None)
                        .expect("valid variant");
                configs.push(cfg);
                values.push(
                    s.sets
                        .iter()
                        .map(|(_, v)| v.text.clone())
                        .collect::<Vec<_>>(),
                );
            }
            let reduce = |v: usize, reps: Vec<garita::port::ReplicationResult>| {
                sweep_rows(&configs[v], &aggregate(&reps))
            };
            let opts = BatchOptions {
                threads: 1,
                shard: Shard::WHOLE,
            };
            let out = run_batch(&configs, opts, &NoStore, &NoProgress, &reduce).expect("runs");
            let points: Vec<_> = values
                .into_iter()
                .zip(out.variants.into_iter().flatten())
                .collect();
            sweep_csv(&columns, &points).len()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // Text reports only: the chart backend would need a system font.
    config = Criterion::default().without_plots();
    targets = batch_threads, sweep_variants
}
criterion_main!(benches);
