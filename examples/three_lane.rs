//! Runs the bench's three-lane model (`benches/common/three_lane.rs`) for profiling and for
//! CPU-time comparisons that a busy machine does not disturb:
//!
//! ```text
//! cargo build --release --example three_lane
//! perf stat -e cycles:u target/release/examples/three_lane garita 10
//! perf stat -e cycles:u target/release/examples/three_lane bare 10
//! perf record target/release/examples/three_lane garita 20
//! target/release/examples/three_lane ratio 20 dedicated
//! ```
//!
//! `garita N` runs N replications with full statistics; `bare N` runs the bare M/G/c loop N
//! times over as many vehicles as one garita replication; `ratio N` alternates the two N times
//! and prints the fastest of each and their ratio. The model is `choice` (the default:
//! 28 days at 1,500 an hour, exponential inspections, Ready travellers choosing between their
//! lane and the general one by expected wait) or `dedicated` (100 days of 14,000 a day by an
//! hourly profile, log-normal inspections, a lane per class).

use std::hint::black_box;
use std::time::Instant;

#[path = "../benches/common/three_lane.rs"]
mod three_lane;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: three_lane garita|bare|ratio N [choice|dedicated]";
    let (Some(which), Some(n)) = (args.get(1), args.get(2)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Ok(n) = n.parse::<u32>() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let model = args.get(3).map_or("choice", String::as_str);
    let (cfg, bare): (_, fn(u64) -> f64) = match model {
        "choice" => (three_lane::three_lane(28), three_lane::bare_three_lane),
        "dedicated" => (three_lane::dedicated(100), three_lane::bare_dedicated),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let vehicles = garita::port::simulate(&cfg, 0, None).vehicles_simulated;
    if which == "ratio" {
        // N rounds of one replication and one bare run, alternated so that a machine whose speed
        // drifts slows both alike; the fastest of each is kept.
        let (mut best_g, mut best_b) = (f64::INFINITY, f64::INFINITY);
        for rep in 0..n {
            let t = Instant::now();
            black_box(garita::port::simulate(&cfg, rep, None));
            best_g = best_g.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            black_box(bare(vehicles));
            best_b = best_b.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{model}: garita {:.1} ms, bare {:.1} ms ({vehicles} vehicles; fastest of {n}): {:.3} of the bare loop's speed",
            best_g * 1e3,
            best_b * 1e3,
            best_b / best_g
        );
        return;
    }
    for rep in 0..n {
        match which.as_str() {
            "garita" => _ = black_box(garita::port::simulate(&cfg, rep, None)),
            "bare" => _ = black_box(bare(vehicles)),
            _ => {
                eprintln!("{usage}");
                std::process::exit(2);
            }
        }
    }
    println!("{which} {model}: {n} x {vehicles} vehicles");
}
