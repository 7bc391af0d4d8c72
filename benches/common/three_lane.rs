//! The three-lane reference model shared by `benches/engine.rs` and
//! `examples/three_lane.rs`: the scenario garita runs and the bare hand-written loop it is
//! compared with.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use garita::engine::{RngStream, SimTime, StreamId};
use garita::port::PortConfig;

/// A three-lane port: general, ready and sentri lanes with M/G/c service.
pub fn three_lane(days: u64) -> PortConfig {
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
pub fn bare_three_lane(vehicles: u64) -> f64 {
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
