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

/// Arrivals per hour of day of [`dedicated`]: 14,000 a day with a morning and an afternoon peak.
pub const DEDICATED_PER_HOUR: [f64; 24] = [
    183.0, 122.0, 92.0, 92.0, 153.0, 366.0, 793.0, 976.0, 915.0, 793.0, 732.0, 732.0, 732.0, 793.0,
    854.0, 915.0, 915.0, 854.0, 793.0, 671.0, 549.0, 427.0, 305.0, 244.0,
];

/// Booths, mean and standard deviation of the inspection (s) of [`dedicated`]'s lanes.
const DEDICATED_LANES: [(usize, f64, f64); 3] = [(7, 45.0, 30.0), (4, 30.0, 20.0), (2, 25.0, 15.0)];

/// A port of three dedicated lanes (each class has its own), log-normal inspections and an
/// hourly profile: the model of the bare loop [`bare_dedicated`], as a scenario.
pub fn dedicated(days: u64) -> PortConfig {
    let per_hour: Vec<String> = DEDICATED_PER_HOUR.iter().map(|r| r.to_string()).collect();
    let lane = |id: &str, (booths, mean, sd): (usize, f64, f64)| {
        format!(
            "[[lanes]]\nid = \"{id}\"\nbooths = {booths}\nservice = {{ dist = \"lognormal\", mean = \"{mean}s\", sd = \"{sd}s\" }}\n"
        )
    };
    let text = format!(
        r#"
name = "dedicated"
horizon = "{days}d"
[demand]
per_hour = [{}]
[[classes]]
id = "general"
share = 0.5
lanes = ["general"]
[[classes]]
id = "ready"
share = 0.3
lanes = ["ready"]
[[classes]]
id = "sentri"
share = 0.2
lanes = ["sentri"]
{}{}{}"#,
        per_hour.join(", "),
        lane("general", DEDICATED_LANES[0]),
        lane("ready", DEDICATED_LANES[1]),
        lane("sentri", DEDICATED_LANES[2]),
    );
    garita::scenario::parse_str(&text, "dedicated.toml")
        .expect("valid bench scenario")
        .config
}

/// The bare minimum loop for [`dedicated`]: Poisson arrivals at the hour's rate (a unit
/// exponential spent across hours), a class draw, a FIFO lane per class (a heap of booth free
/// times), log-normal inspections, mean wait only.
pub fn bare_dedicated(vehicles: u64) -> f64 {
    let mut arr = RngStream::new(1, 0, StreamId::named("arrivals"));
    let mut cls = RngStream::new(1, 0, StreamId::named("class"));
    let mut svc = RngStream::new(1, 0, StreamId::named("service"));
    let mut free: Vec<BinaryHeap<Reverse<u64>>> = DEDICATED_LANES
        .iter()
        .map(|&(c, _, _)| (0..c).map(|_| Reverse(0u64)).collect())
        .collect();
    // exp(mu + sigma Z) with the lane's mean and standard deviation.
    let lognormal: Vec<(f64, f64)> = DEDICATED_LANES
        .iter()
        .map(|&(_, m, sd)| {
            let s2 = libm::log(1.0 + (sd / m) * (sd / m));
            (libm::log(m) - 0.5 * s2, s2.sqrt())
        })
        .collect();
    let rate_per_s = DEDICATED_PER_HOUR.map(|r| r / 3600.0);
    let mut t = 0.0f64;
    let mut wait_sum = 0.0;
    for _ in 0..vehicles {
        let mut e = arr.exp1();
        loop {
            let hour = (t / 3600.0) as u64;
            let rate = rate_per_s[(hour % 24) as usize];
            let end = (hour + 1) as f64 * 3600.0;
            let dt = e / rate;
            if t + dt < end {
                t += dt;
                break;
            }
            e -= (end - t) * rate;
            t = end;
        }
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
        let (mu, sigma) = lognormal[lane];
        let s = libm::exp(mu + sigma * svc.normal());
        free[lane].push(Reverse(start + SimTime::from_secs_f64(s).as_nanos()));
    }
    wait_sum / vehicles as f64
}
