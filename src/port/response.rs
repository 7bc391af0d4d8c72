//! Travellers who react to the posted wait: the posted wait of each lane, the join / shift /
//! forgo decision of each latent trip, and the tallies of trips forgone and shifted.
//!
//! The event loop (`model.rs`) talks to this module at five points and nowhere else:
//! - a latent trip (an arrival of the demand process, with its class drawn) asks
//!   [`Response::decide_latent`] whether it joins a queue, comes back later or is forgone;
//! - a trip that comes back asks [`Response::decide_retry`];
//! - every vehicle that reaches a booth reports its wait ([`Response::service_started`]);
//! - every `posted_update` the loop hands the state of each lane to [`Response::refresh`],
//!   and `posted_lag` later (or at once) the new values become what travellers see
//!   ([`Response::publish_next`]);
//! - at the horizon [`Response::fill`] writes the metrics.
//!
//! Streams: `tolerance` (one draw per latent trip, from its class's tolerance) and `shift` (one
//! draw per traveller who finds the posted wait above its tolerance: shift or forgo).

use super::ratio;
use std::collections::VecDeque;

use super::calendar::DayType;
use super::config::PortConfig;
use super::metrics::{GroupRef, GroupResult, HourlyMetric, Metric};
use super::service::{ServiceDist, ServiceSampler};
use crate::engine::{RngStream, SimTime, StreamId};

const HOUR_NS: u64 = SimTime::HOUR.as_nanos();

/// How travellers react to the posted wait (the `[response]` table).
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseConfig {
    /// The posted wait of each lane is refreshed this often (> 0).
    pub posted_update: SimTime,
    /// A refreshed value reaches travellers this much later.
    pub posted_lag: SimTime,
    /// Tolerance of the posted wait of classes that do not give their own.
    pub tolerance: Option<ServiceDist>,
    /// Of travellers who find the wait above their tolerance, the share who retry later (the
    /// others forgo the trip).
    pub shift: f64,
    /// How much later they retry (> 0).
    pub shift_delay: SimTime,
    /// After this many retries a traveller forgoes.
    pub max_shifts: u32,
}

impl ResponseConfig {
    /// What a region without `[response]` runs: waits posted every hour without a lag (the
    /// defaults of `[response]`), so that travellers can choose a port, and every trip
    /// travelling (no tolerance).
    pub fn posting_only() -> Self {
        ResponseConfig {
            posted_update: SimTime::HOUR,
            posted_lag: SimTime::ZERO,
            tolerance: None,
            shift: 0.0,
            shift_delay: SimTime::HOUR,
            max_shifts: 1,
        }
    }
}

/// What the event loop tells the response about one lane when the posted wait is refreshed.
#[derive(Clone, Copy, Debug)]
pub(super) struct LaneView {
    /// Whether the lane's schedule has at least one booth open now.
    pub open: bool,
    /// Arrival instant of the vehicle at the head of its queue, if any.
    pub head_arrival_ns: Option<u64>,
}

/// What a latent traveller does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Decision {
    /// Joins a queue now.
    Join,
    /// Comes back at this instant (the loop schedules a retry event).
    Shift(u64),
    /// Does not travel.
    Forgo,
}

/// A trip that will look again.
#[derive(Clone, Copy, Debug)]
struct Retry {
    class: u16,
    /// Where the trip starts (in a region; 0 otherwise).
    origin: u16,
    tolerance_s: f64,
    shifts: u32,
}

/// Counts by hour of day (of the decision) and the time-weighted posted wait.
#[derive(Clone, Debug)]
struct Tally {
    latent: [u64; 24],
    forgone: [u64; 24],
    shifted: [u64; 24],
    /// Posted value x seconds, over the time it was finite (the lane open), by hour of day.
    posted_area: [f64; 24],
    /// Seconds with a finite posted value, by hour of day.
    posted_time: [f64; 24],
}

impl Tally {
    fn new() -> Self {
        Tally {
            latent: [0; 24],
            forgone: [0; 24],
            shifted: [0; 24],
            posted_area: [0.0; 24],
            posted_time: [0.0; 24],
        }
    }

    /// Adds a posted `value` held over [from_ns, to_ns), split by hour of day.
    fn hold(&mut self, from_ns: u64, to_ns: u64, value: f64) {
        if !value.is_finite() {
            return;
        }
        for p in crate::stats::hour_pieces(from_ns, to_ns) {
            let (h, dt) = (p.hour_of_day(), p.secs());
            self.posted_area[h] += value * dt;
            self.posted_time[h] += dt;
        }
    }
}

/// The response layer of one replication.
pub(super) struct Response {
    cfg: ResponseConfig,
    /// Tolerance of each class (None: the class tolerates any wait, drawing nothing; only in a
    /// region without `[response]`).
    samplers: Vec<Option<ServiceSampler>>,
    /// Each class's eligible lanes, in preference order.
    class_lanes: Vec<Vec<usize>>,
    tolerance_rng: RngStream,
    shift_rng: RngStream,
    /// The posted wait (s) travellers see now, by lane; infinite when closed.
    visible: Vec<f64>,
    /// Waits (s) of vehicles that reached a booth since the last refresh, by lane.
    interval_wait_s: Vec<f64>,
    interval_n: Vec<u64>,
    /// Refreshed values not yet published (FIFO: the lag is constant).
    pending: VecDeque<Vec<f64>>,
    /// Trips that will look again (FIFO: the delay is constant).
    retries: VecDeque<Retry>,
    lanes: Vec<Tally>,
    classes: Vec<Tally>,
    last_publish_ns: u64,
    warmup_ns: u64,
    /// Only the feed: travellers do not react (no `[response]`; the posted wait is kept for
    /// validation). Never draws from `tolerance` or `shift`.
    feed_only: bool,
    /// When kept, the posted wait of each lane by simulated day and hour of day:
    /// `log[lane][day][hour]` = (value x seconds, seconds) while the lane was open.
    log: Option<Vec<DayLog>>,
}

/// One lane's posted wait by day and hour of day: (value x seconds, seconds) while open.
type DayLog = Vec<[(f64, f64); 24]>;

/// The posted wait of each lane by simulated day and hour of day (seconds, time-weighted over
/// the part of the hour the lane was open; None when it was closed all hour):
/// `values[lane][day][hour]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PostedSeries {
    /// Per lane (the scenario's order), per simulated day, per hour of day.
    pub values: Vec<Vec<[Option<f64>; 24]>>,
}

impl Response {
    /// The response layer of replication `replication` of `cfg`; None without `[response]`
    /// (a region without one posts waits for its port choice: [`ResponseConfig::posting_only`]).
    pub(super) fn new(cfg: &PortConfig, replication: u32) -> Option<Self> {
        let posting;
        let rc = match (&cfg.response, &cfg.region) {
            (Some(rc), _) => rc,
            (None, Some(_)) => {
                posting = ResponseConfig::posting_only();
                &posting
            }
            (None, None) => return None,
        };
        let rep = u64::from(replication);
        // Day 0's booth schedule: its day type, or the one a special date gives it.
        let day0 = cfg.calendar.special_days(1).map_or_else(
            || DayType::of_weekday(cfg.calendar.first_weekday()),
            |days| days[0].1,
        );
        let samplers = cfg
            .classes
            .iter()
            .map(|c| {
                c.tolerance.as_ref().or(rc.tolerance.as_ref()).map(|d| {
                    d.sampler()
                        .expect("validation gives every class a valid tolerance under [response]")
                })
            })
            .collect();
        Some(Response {
            cfg: rc.clone(),
            samplers,
            class_lanes: cfg.classes.iter().map(|c| c.lanes.clone()).collect(),
            tolerance_rng: RngStream::new(cfg.seed, rep, StreamId::named("tolerance")),
            shift_rng: RngStream::new(cfg.seed, rep, StreamId::named("shift")),
            // Before the first refresh: empty queues, closed lanes closed.
            visible: cfg
                .lanes
                .iter()
                .map(|l| {
                    if l.booths_of_day(0, day0)[0] > 0 {
                        0.0
                    } else {
                        f64::INFINITY
                    }
                })
                .collect(),
            interval_wait_s: vec![0.0; cfg.lanes.len()],
            interval_n: vec![0; cfg.lanes.len()],
            pending: VecDeque::new(),
            retries: VecDeque::new(),
            lanes: cfg.lanes.iter().map(|_| Tally::new()).collect(),
            classes: cfg.classes.iter().map(|_| Tally::new()).collect(),
            last_publish_ns: 0,
            warmup_ns: cfg.warmup.min(cfg.horizon).as_nanos(),
            feed_only: false,
            log: None,
        })
    }

    /// The response layer that also keeps the posted wait by day and hour: `cfg`'s own when it
    /// has a `[response]`; otherwise only the feed, refreshed every `update` with no lag, which
    /// changes nothing the run does (no draws; its events only read the lanes).
    pub(super) fn with_log(cfg: &PortConfig, replication: u32, update: SimTime) -> Self {
        let mut r = match cfg.response {
            Some(_) => Response::new(cfg, replication).expect("a [response] gives a response"),
            None => {
                let mut feed_cfg = cfg.clone();
                feed_cfg.response = Some(ResponseConfig {
                    posted_update: update,
                    posted_lag: SimTime::ZERO,
                    tolerance: Some(ServiceDist::Constant { mean_s: 1.0 }),
                    shift: 0.0,
                    shift_delay: SimTime::from_secs_f64(1.0),
                    max_shifts: 0,
                });
                let mut r = Response::new(&feed_cfg, replication).expect("feed config");
                r.feed_only = true;
                r
            }
        };
        let days = cfg.horizon.as_nanos().div_ceil(SimTime::DAY.as_nanos()) as usize;
        r.log = Some(vec![vec![[(0.0, 0.0); 24]; days]; cfg.lanes.len()]);
        r
    }

    /// Whether only the feed is kept (travellers do not react).
    pub(super) fn feed_only(&self) -> bool {
        self.feed_only
    }

    /// The posted wait by lane, day and hour, integrated up to `end_ns` (None when not kept).
    pub(super) fn posted_series(&mut self, end_ns: u64) -> Option<PostedSeries> {
        self.hold_until(end_ns);
        let log = self.log.as_ref()?;
        Some(PostedSeries {
            values: log
                .iter()
                .map(|days| {
                    days.iter()
                        .map(|d| d.map(|(a, t)| (t > 0.0).then(|| a / t)))
                        .collect()
                })
                .collect(),
        })
    }

    /// The posted wait (s) of every lane that travellers see now (infinite: closed).
    pub(super) fn visible(&self) -> &[f64] {
        &self.visible
    }

    /// Interval between refreshes of the posted wait (ns).
    pub(super) fn update_interval_ns(&self) -> u64 {
        self.cfg.posted_update.as_nanos().max(1)
    }

    /// A vehicle reached a booth of `lane` after waiting `wait_ns`.
    #[inline]
    pub(super) fn service_started(&mut self, lane: usize, wait_ns: u64) {
        self.interval_wait_s[lane] += wait_ns as f64 * 1e-9;
        self.interval_n[lane] += 1;
    }

    /// Computes each lane's posted wait at `now_ns` from the last interval: the mean wait of the
    /// vehicles that reached a booth in it; if none did, the wait so far of the vehicle at the
    /// head of the queue (0 if empty); infinite for a lane with no booth open. Publishes at
    /// once without a lag; otherwise returns when the loop must call [`Self::publish_next`].
    pub(super) fn refresh(&mut self, now_ns: u64, lanes: &[LaneView]) -> Option<u64> {
        let values: Vec<f64> = lanes
            .iter()
            .enumerate()
            .map(|(l, v)| {
                if !v.open {
                    f64::INFINITY
                } else if self.interval_n[l] > 0 {
                    self.interval_wait_s[l] / self.interval_n[l] as f64
                } else {
                    v.head_arrival_ns
                        .map_or(0.0, |a| now_ns.saturating_sub(a) as f64 * 1e-9)
                }
            })
            .collect();
        self.interval_wait_s.fill(0.0);
        self.interval_n.fill(0);
        let lag = self.cfg.posted_lag.as_nanos();
        if lag == 0 {
            self.publish(now_ns, values);
            None
        } else {
            self.pending.push_back(values);
            Some(now_ns.saturating_add(lag))
        }
    }

    /// Publishes the oldest refreshed values (their lag has run out).
    pub(super) fn publish_next(&mut self, now_ns: u64) {
        if let Some(values) = self.pending.pop_front() {
            self.publish(now_ns, values);
        }
    }

    fn publish(&mut self, now_ns: u64, values: Vec<f64>) {
        self.hold_until(now_ns);
        self.visible = values;
    }

    /// Integrates the visible values from the last publication to `now_ns` (after the warm-up).
    fn hold_until(&mut self, now_ns: u64) {
        if let Some(log) = self.log.as_mut()
            && now_ns > self.last_publish_ns
        {
            for (days, &v) in log.iter_mut().zip(&self.visible) {
                hold_by_day(days, self.last_publish_ns, now_ns, v);
            }
        }
        let from = self.last_publish_ns.max(self.warmup_ns);
        if now_ns > from {
            for (t, &v) in self.lanes.iter_mut().zip(&self.visible) {
                t.hold(from, now_ns, v);
            }
            for (c, t) in self.classes.iter_mut().enumerate() {
                let v = self.class_lanes[c]
                    .iter()
                    .map(|&l| self.visible[l])
                    .fold(f64::INFINITY, f64::min);
                t.hold(from, now_ns, v);
            }
        }
        self.last_publish_ns = self.last_publish_ns.max(now_ns);
    }

    /// The eligible lane a traveller of `class` looks at (smallest posted wait, ties to the
    /// first listed) and its posted wait.
    fn looked_at(&self, class: usize) -> (usize, f64) {
        super::cheapest_lane(&self.class_lanes[class], &self.visible)
            .expect("validation gives every class at least one lane")
    }

    /// A new latent trip of `class` at `now_ns`: draws its tolerance and decides.
    pub(super) fn decide_latent(&mut self, now_ns: u64, class: usize) -> Decision {
        let look = self.looked_at(class);
        self.decide_latent_at(now_ns, class, 0, look)
    }

    /// A new latent trip of `class` from `origin` at `now_ns` that looks at `lane` and sees
    /// the cost `look.1` (s) there (in a region: the generalised cost of the chosen port):
    /// draws its tolerance and decides.
    pub(super) fn decide_latent_at(
        &mut self,
        now_ns: u64,
        class: usize,
        origin: usize,
        look: (usize, f64),
    ) -> Decision {
        let tolerance_s = match self.samplers[class].as_mut() {
            Some(s) => s.sample(&mut self.tolerance_rng),
            None => f64::INFINITY,
        };
        let counted = now_ns >= self.warmup_ns;
        let lane = look.0;
        if counted {
            let h = ((now_ns / HOUR_NS) % 24) as usize;
            self.classes[class].latent[h] += 1;
            self.lanes[lane].latent[h] += 1;
        }
        self.decide(
            now_ns,
            Retry {
                class: class as u16,
                origin: origin as u16,
                tolerance_s,
                shifts: 0,
            },
            look,
        )
    }

    /// The oldest shifted trip looks again at `now_ns`: its class and what it does.
    pub(super) fn decide_retry(&mut self, now_ns: u64) -> Option<(usize, Decision)> {
        let r = self.retries.pop_front()?;
        let look = self.looked_at(usize::from(r.class));
        Some((usize::from(r.class), self.decide(now_ns, r, look)))
    }

    /// The class and origin of the oldest shifted trip, which looks again next.
    pub(super) fn next_retry(&self) -> Option<(usize, usize)> {
        self.retries
            .front()
            .map(|r| (usize::from(r.class), usize::from(r.origin)))
    }

    /// The oldest shifted trip looks again at `now_ns`, at `lane` with cost `look.1` (s).
    pub(super) fn decide_retry_at(&mut self, now_ns: u64, look: (usize, f64)) -> Option<Decision> {
        let r = self.retries.pop_front()?;
        Some(self.decide(now_ns, r, look))
    }

    fn decide(&mut self, now_ns: u64, trip: Retry, look: (usize, f64)) -> Decision {
        let class = usize::from(trip.class);
        let (lane, posted) = look;
        if posted <= trip.tolerance_s {
            return Decision::Join;
        }
        let u = self.shift_rng.uniform();
        let h = ((now_ns / HOUR_NS) % 24) as usize;
        let counted = now_ns >= self.warmup_ns;
        if trip.shifts < self.cfg.max_shifts && u < self.cfg.shift {
            if counted {
                self.classes[class].shifted[h] += 1;
                self.lanes[lane].shifted[h] += 1;
            }
            self.retries.push_back(Retry {
                shifts: trip.shifts + 1,
                ..trip
            });
            Decision::Shift(now_ns.saturating_add(self.cfg.shift_delay.as_nanos()))
        } else {
            if counted {
                self.classes[class].forgone[h] += 1;
                self.lanes[lane].forgone[h] += 1;
            }
            Decision::Forgo
        }
    }

    /// Writes `latent_trips`, `forgone`, `shifted`, `forgone_share` and `posted_wait_mean_s`
    /// (whole run and by hour) into `groups`, closing the posted-wait integral at `end_ns`.
    /// The whole port sums the classes' counts; its posted wait is not defined.
    pub(super) fn fill(&mut self, end_ns: u64, groups: &mut [GroupResult], hour_s: &[f64; 24]) {
        self.hold_until(end_ns);
        let mut all = Tally::new();
        for c in &self.classes {
            for h in 0..24 {
                all.latent[h] += c.latent[h];
                all.forgone[h] += c.forgone[h];
                all.shifted[h] += c.shifted[h];
            }
        }
        for g in groups.iter_mut() {
            let (t, posted) = match g.group {
                GroupRef::All => (&all, false),
                GroupRef::Lane(i) => (&self.lanes[i], true),
                GroupRef::Class(i) => (&self.classes[i], true),
                GroupRef::FlexBooth { .. } => continue,
            };
            let sum = |a: &[u64; 24]| a.iter().sum::<u64>() as f64;
            let latent = sum(&t.latent);
            let forgone = sum(&t.forgone);
            g.metrics[Metric::LatentTrips as usize] = latent;
            g.metrics[Metric::Forgone as usize] = forgone;
            g.metrics[Metric::Shifted as usize] = sum(&t.shifted);
            g.metrics[Metric::ForgoneShare as usize] = ratio(forgone, latent);
            if posted {
                g.metrics[Metric::PostedWaitMean as usize] = ratio(
                    t.posted_area.iter().sum::<f64>(),
                    t.posted_time.iter().sum::<f64>(),
                );
            }
            for (h, (r, &secs)) in g.hourly.iter_mut().zip(hour_s).enumerate() {
                let per_hour = |n: u64| ratio(n as f64 * 3600.0, secs);
                r[HourlyMetric::LatentTrips as usize] = per_hour(t.latent[h]);
                r[HourlyMetric::Forgone as usize] = per_hour(t.forgone[h]);
                r[HourlyMetric::Shifted as usize] = per_hour(t.shifted[h]);
                if posted {
                    r[HourlyMetric::PostedWaitMean as usize] =
                        ratio(t.posted_area[h], t.posted_time[h]);
                }
            }
        }
    }
}

/// Adds a posted `value` held over [from_ns, to_ns) to `days[day][hour]` (value x seconds,
/// seconds); nothing for a closed lane (infinite value) or past the last day.
fn hold_by_day(days: &mut [[(f64, f64); 24]], from_ns: u64, to_ns: u64, value: f64) {
    if !value.is_finite() {
        return;
    }
    for p in crate::stats::hour_pieces(from_ns, to_ns) {
        let dt = p.secs();
        if let Some(d) = days.get_mut((p.hour_index / 24) as usize) {
            d[p.hour_of_day()].0 += value * dt;
            d[p.hour_of_day()].1 += dt;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::tests_response::one_lane;

    const S: u64 = 1_000_000_000;

    fn close(x: f64, want: f64) {
        assert!((x - want).abs() < 1e-9, "{x} vs {want}");
    }

    /// The posted wait follows its definition: the mean wait of the vehicles that reached a
    /// booth in the last interval; else the head of the queue's wait so far; else 0; infinite
    /// when closed; and a lag holds each value back until it is published.
    #[test]
    fn posted_wait_follows_its_definition() {
        let mut cfg = one_lane(
            2,
            60.0,
            100.0,
            ServiceDist::Constant { mean_s: 600.0 },
            1,
            1,
        );
        let mut r = Response::new(&cfg, 0).expect("response");
        let open = |head: Option<u64>| LaneView {
            open: true,
            head_arrival_ns: head,
        };
        close(r.visible[0], 0.0);
        r.service_started(0, 120 * S);
        r.service_started(0, 60 * S);
        assert_eq!(r.refresh(300 * S, &[open(Some(100 * S))]), None);
        close(r.visible[0], 90.0);
        // Nobody served since: the head's wait so far.
        r.refresh(600 * S, &[open(Some(200 * S))]);
        close(r.visible[0], 400.0);
        r.refresh(900 * S, &[open(None)]);
        close(r.visible[0], 0.0);
        r.refresh(
            1200 * S,
            &[LaneView {
                open: false,
                head_arrival_ns: Some(0),
            }],
        );
        assert!(r.visible[0].is_infinite());
        // Travellers decide on what is visible: 0 s posted, every tolerance accepts.
        cfg.response.as_mut().expect("response").posted_lag = SimTime::from_secs_f64(120.0);
        let mut r = Response::new(&cfg, 0).expect("response");
        r.service_started(0, 500 * S);
        assert_eq!(r.refresh(300 * S, &[open(None)]), Some(420 * S));
        close(r.visible[0], 0.0);
        assert_eq!(r.decide_latent(310 * S, 0), Decision::Join);
        r.publish_next(420 * S);
        close(r.visible[0], 500.0);
        // Tolerance 600 s: 500 s posted is accepted, 700 s is not (forgone: shift 0).
        assert_eq!(r.decide_latent(430 * S, 0), Decision::Join);
        r.service_started(0, 700 * S);
        r.refresh(600 * S, &[open(None)]);
        r.publish_next(720 * S);
        assert_eq!(r.decide_latent(730 * S, 0), Decision::Forgo);
    }

    #[test]
    fn hold_splits_by_hour_and_skips_closed() {
        let mut t = Tally::new();
        t.hold(HOUR_NS / 2, 2 * HOUR_NS, 60.0);
        t.hold(2 * HOUR_NS, 3 * HOUR_NS, f64::INFINITY);
        assert_eq!(t.posted_time[0], 1800.0);
        assert_eq!(t.posted_time[1], 3600.0);
        assert_eq!(t.posted_time[2], 0.0);
        assert_eq!(t.posted_area[1], 60.0 * 3600.0);
    }
}
