//! Runs the bench's three-lane model (`benches/common/three_lane.rs`) for profiling and for
//! CPU-time comparisons that a busy machine does not disturb:
//!
//! ```text
//! cargo build --release --example three_lane
//! perf stat -e cycles:u target/release/examples/three_lane garita 10
//! perf stat -e cycles:u target/release/examples/three_lane bare 10
//! perf record target/release/examples/three_lane garita 20
//! ```
//!
//! `garita N` runs N replications of 28 days with full statistics; `bare N` runs the bare
//! M/G/c loop N times over as many vehicles as one garita replication.

use std::hint::black_box;

#[path = "../benches/common/three_lane.rs"]
mod three_lane;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: three_lane garita|bare N";
    let (Some(which), Some(n)) = (args.get(1), args.get(2)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Ok(n) = n.parse::<u32>() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let cfg = three_lane::three_lane(28);
    let vehicles = garita::port::simulate(&cfg, 0, None).vehicles_simulated;
    for rep in 0..n {
        match which.as_str() {
            "garita" => _ = black_box(garita::port::simulate(&cfg, rep, None)),
            "bare" => _ = black_box(three_lane::bare_three_lane(vehicles)),
            _ => {
                eprintln!("{usage}");
                std::process::exit(2);
            }
        }
    }
    println!("{which}: {n} x {vehicles} vehicles");
}
