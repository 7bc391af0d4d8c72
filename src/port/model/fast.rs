//! The fast path: the replication of a plain port with booths assigned at arrival.
//!
//! A plain port is lanes, classes and booth schedules only (no response, region, approach,
//! lane storage, secondary inspection, flex or stacked booths, officer speeds, trace). Each lane
//! is then first-come first-served and nothing a vehicle meets after it arrives depends on later
//! arrivals, so its booth and start time can be settled the moment it arrives, as a bare
//! Kiefer-Wolfowitz loop does: each booth keeps when it is next free, and a vehicle takes the
//! earliest moment a booth is free and open. There are no inspection-end events, and the queue
//! of a lane is the list of start times still ahead, popped as time passes.
//!
//! The results are those of the event loop to the bit, because every quantity is the same
//! number computed in the same way:
//! - a lane's n-th start draws the n-th value of its `service:<lane>` stream in both (the queue
//!   is first in, first out, so the n-th start is the lane's n-th vehicle); a vehicle that never
//!   reaches a booth draws nothing in either;
//! - the lane choice sees the same queue length, busy booths and open booths at the arrival,
//!   through the same formula ([`super::expected_wait_s`], [`super::pick_lane`]), except that
//!   an always-open lane with an idle booth gives its busy booths as one fewer than its booths,
//!   which makes the same expected wait, zero, as the exact count (see [`view`]);
//! - a booth that closes on the hour finishes its vehicle and takes no other; a closed booth
//!   that frees while closed takes the next vehicle when it opens again; booths that open on
//!   the hour take waiting vehicles lowest booth first (`fill_idle_booths`); a newcomer to an
//!   empty queue takes the lowest idle booth; inspections that end at the same nanosecond in a
//!   lane hand out the next vehicles in the order they started, which is the order of their
//!   sequence numbers in the calendar;
//! - waits, inspections and arrivals go to the same statistics objects; a queued vehicle's wait
//!   is known when it joins, so it is added to the queue areas then as a span, as busy and
//!   staffed booths are ([`HourlyLevel::add_span`]): integer areas, equal to the event loop's
//!   whatever the order of the pieces; queue peaks are taken at joins (a departure only lowers
//!   a level), and where the event loop keeps a level's value at an instant (the start of the
//!   measured period, the growth reference) departures are taken in time order across lanes,
//!   so the peaks and the level at the growth reference are the same (`step`);
//! - in a lane whose booths never open or close, which booth takes a vehicle changes nothing
//!   that is measured (a booth free before the arrival is as good as another), so the lane
//!   keeps only its booths' free times, in a min-heap.
//!
//! Where the event loop's order among events at one nanosecond decides something (an arrival at
//! the instant an inspection ends or a booth opens, an inspection ending on an hour when the
//! booths change), the fast path does not guess: it gives up and the replication runs on the
//! event loop. With continuous inspection times these ties are rare (arrival times are
//! random nanoseconds); the `fast_path_equals_the_event_loop` test compares both paths on many
//! random plain ports, constant inspection times included.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{HOUR_NS, Model, Served, Vehicle, expected_wait_s, pick_lane};
use crate::engine::SimTime;
use crate::port::config::PortConfig;
use crate::port::metrics::ReplicationResult;
use crate::port::service::ServiceDist;
use crate::stats::{HourlyLevel, hour_pieces};

/// Whether `cfg` is a plain port that the fast path can run: none of the mechanisms that need
/// the event loop.
pub(in crate::port) fn accepts(cfg: &PortConfig) -> bool {
    cfg.response.is_none()
        && cfg.region.is_none()
        && !cfg.has_approach()
        && cfg.secondary.is_none()
        && cfg.flex.is_empty()
        && cfg
            .lanes
            .iter()
            .all(|l| l.stacked == 1 && l.officer_sd.is_none())
}

/// Whether `simulate` should try the fast path first: a plain port with no lane of constant
/// inspection time (constant times put inspection ends on the hour, where the fast path gives
/// up, often enough to waste the attempt).
pub(super) fn preferred(cfg: &PortConfig) -> bool {
    accepts(cfg)
        && !cfg
            .lanes
            .iter()
            .any(|l| matches!(l.service, ServiceDist::Constant { .. }))
}

/// A queued vehicle that reaches a booth before the horizon.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    start_ns: u64,
    end_ns: u64,
    booth: u32,
    class: u16,
}

/// One lane's booths as the fast path keeps them.
struct Lane {
    /// When each booth is free of the last vehicle assigned to it (0: never used).
    avail: Vec<u64>,
    /// The lane's number of that vehicle (ends at one nanosecond hand out in this order).
    avail_seq: Vec<u64>,
    /// When the vehicle in service at the lane's clock ends (<= the clock: none).
    cur_end: Vec<u64>,
    /// Vehicles waiting that reach a booth before the horizon, in order.
    waiting: Fifo,
    /// Vehicles assigned so far.
    assigned: u64,
    /// Vehicles in the model's queue of the lane: those that reach no booth before the horizon
    /// (they only join it, behind every vehicle that does).
    never: usize,
    /// Open booths in each simulated hour (empty when `constant`).
    targets: Vec<u32>,
    /// Open booths when they never change.
    constant: Option<u32>,
    /// No booth at or above this index ever opens.
    max_open: u32,
    /// When `constant`: when each booth is free, as a min-heap. Which booth takes a vehicle
    /// changes no result when the booths never open or close (every booth free before a
    /// vehicle arrives is as good as another, and nothing is kept by booth), so the lane needs
    /// only these times, as the bare Kiefer-Wolfowitz loop keeps them; `avail`, `avail_seq`
    /// and `cur_end` are then empty.
    free: BinaryHeap<Reverse<u64>>,
}

impl Lane {
    #[inline]
    fn target(&self, hour: u64) -> u32 {
        match self.constant {
            Some(c) => c,
            None => self.targets.get(hour as usize).copied().unwrap_or(0),
        }
    }

    /// The first instant at or after `t` (not on an hour boundary where booths change) when
    /// `booth` is open, before `horizon_ns`; `u64::MAX` when none.
    #[inline]
    fn open_from(&self, booth: u32, t: u64, horizon_ns: u64) -> u64 {
        let mut h = t / HOUR_NS;
        if booth < self.target(h) {
            return t;
        }
        loop {
            h += 1;
            let at = h * HOUR_NS;
            if at >= horizon_ns {
                return u64::MAX;
            }
            if booth < self.target(h) {
                return at;
            }
        }
    }
}

/// A lane's waiting vehicles, first in first out: a vector read from `head`, emptied when the
/// queue empties and compacted when the part already read is at least half of it and 4,096
/// vehicles, so that it holds at most twice the vehicles waiting, or 4,096 more.
#[derive(Default)]
struct Fifo {
    items: Vec<Waiting>,
    head: usize,
}

impl Fifo {
    #[inline]
    fn front(&self) -> Option<&Waiting> {
        self.items.get(self.head)
    }

    #[inline]
    fn pop_front(&mut self) {
        self.pop_front_n(1);
    }

    /// Drops the first `n` vehicles (at most as many as wait).
    #[inline]
    fn pop_front_n(&mut self, n: usize) {
        self.head += n;
        if self.head == self.items.len() {
            self.items.clear();
            self.head = 0;
        } else if self.head >= 4096 && self.head * 2 >= self.items.len() {
            self.items.drain(..self.head);
            self.head = 0;
        }
    }

    /// The vehicles waiting, first to last.
    #[inline]
    fn as_slice(&self) -> &[Waiting] {
        &self.items[self.head..]
    }

    #[inline]
    fn push_back(&mut self, w: Waiting) {
        self.items.push(w);
    }

    #[inline]
    fn len(&self) -> usize {
        self.items.len() - self.head
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.items.len() == self.head
    }
}

/// The clock hour of the arrival being handled: [start, end), its index since the start of the
/// run and its hour of day.
#[derive(Clone, Copy)]
struct Hour {
    start: u64,
    end: u64,
    index: u64,
    of_day: usize,
}

impl Hour {
    #[inline]
    fn of(now: u64) -> Hour {
        let index = now / HOUR_NS;
        Hour {
            start: index * HOUR_NS,
            end: (index + 1) * HOUR_NS,
            index,
            of_day: (index % 24) as usize,
        }
    }
}

/// Level x time by hour of day (ns), as [`HourlyLevel`] keeps it, for spans added as vehicles
/// arrive; added to the model's levels at the end (exact integers: the order of the pieces
/// changes nothing).
#[derive(Clone)]
struct Areas([i128; 24]);

impl Areas {
    /// Adds one (a vehicle) held over [from, to), where `from` is at or after the start of the
    /// arrival's hour `h`: a span within that hour (most) needs no division.
    #[inline]
    fn add_one(&mut self, from: u64, to: u64, h: &Hour) {
        if to <= from {
            return;
        }
        debug_assert!(from >= h.start);
        if to <= h.end {
            self.0[h.of_day] += i128::from(to - from);
        } else {
            for p in hour_pieces(from, to) {
                self.0[p.hour_of_day()] += i128::from(p.to_ns - p.from_ns);
            }
        }
    }

    #[inline]
    fn add(&mut self, o: &Areas) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a += b;
        }
    }
}

/// What a lane looks like to a vehicle arriving at `now`: busy booths and the lowest idle one.
struct View {
    busy: u32,
    idle: Option<u32>,
}

/// Runs replication `replication` of the plain port `cfg` on the fast path; None when an
/// ordering tie makes it give up (then the event loop must run it).
pub(in crate::port) fn simulate(cfg: &PortConfig, replication: u32) -> Option<ReplicationResult> {
    let mut m = Model::new(cfg, replication, None);
    let horizon = m.horizon_ns;
    let hours = horizon.div_ceil(HOUR_NS);
    let mut lanes: Vec<Lane> = cfg
        .lanes
        .iter()
        .map(|l| {
            let targets: Vec<u32> = (0..hours)
                .map(|h| {
                    let now = h * HOUR_NS;
                    l.booths_of_day(now / SimTime::DAY.as_nanos(), m.day_type(now))
                        [(h % 24) as usize]
                })
                .collect();
            let max_open = targets.iter().copied().max().unwrap_or(0);
            let constant = targets.iter().all(|&t| t == max_open).then_some(max_open);
            let n = max_open as usize;
            // An always-open lane keeps only its heap of free times; the booth arrays are for
            // lanes whose booths open and close.
            let booths = if constant.is_some() { 0 } else { n };
            Lane {
                avail: vec![0; booths],
                avail_seq: vec![0; booths],
                cur_end: vec![0; booths],
                waiting: Fifo::default(),
                assigned: 0,
                never: 0,
                targets: if constant.is_some() {
                    Vec::new()
                } else {
                    targets
                },
                free: if constant.is_some() {
                    (0..n).map(|_| Reverse(0)).collect()
                } else {
                    BinaryHeap::new()
                },
                constant,
                max_open,
            }
        })
        .collect();
    let nc = cfg.classes.len();
    let empty = Areas([0; 24]);
    let reference_ns = m.total_queue_max.reference_ns;
    let mut q = Queued {
        lane: vec![0; lanes.len()],
        class: vec![0; nc],
        total: 0,
        start_seen: false,
        reference_seen: false,
        reference_ns,
        special_ns: (m.warmup_ns + 1).min(reference_ns),
        queue_areas: vec![empty.clone(); lanes.len() * nc],
        busy_areas: vec![empty; lanes.len()],
        staffing_changes: m.staffing_change_hours.contains(&true),
    };
    if lanes.iter().all(|l| l.constant.is_some()) {
        arrivals::<true>(&mut m, &mut lanes, &mut q)?;
    } else {
        arrivals::<false>(&mut m, &mut lanes, &mut q)?;
    }
    // The levels held at the horizon (their areas were added as spans), and the areas.
    for (st, &n) in m.lanes.iter_mut().zip(&q.lane) {
        st.stats.queue.set(horizon, n);
    }
    for (cs, &n) in m.classes.iter_mut().zip(&q.class) {
        cs.queue.set(horizon, n);
    }
    for (i, st) in m.lanes.iter_mut().enumerate() {
        let mut lane = Areas([0; 24]);
        for cell in &q.queue_areas[i * nc..(i + 1) * nc] {
            lane.add(cell);
        }
        st.stats.queue.add_areas(&lane.0);
        st.busy_level.add_areas(&q.busy_areas[i].0);
    }
    for (c, cs) in m.classes.iter_mut().enumerate() {
        let mut class = Areas([0; 24]);
        for cell in q.queue_areas[c..].iter().step_by(nc) {
            class.add(cell);
        }
        cs.queue.add_areas(&class.0);
    }
    m.total_queue = q.total;
    // Staffed booths: the open ones, plus those that hold a vehicle while closed (added as
    // each vehicle was assigned).
    let from = m.warmup_ns;
    for (st, l) in m.lanes.iter_mut().zip(&lanes) {
        match l.constant {
            Some(c) => st.staffed_level.add_span(from, horizon, i64::from(c)),
            None => {
                for h in from / HOUR_NS..hours {
                    let a = (h * HOUR_NS).max(from);
                    let b = ((h + 1) * HOUR_NS).min(horizon);
                    st.staffed_level.add_span(a, b, i64::from(l.target(h)));
                }
            }
        }
    }
    Some(m.finish(replication))
}

/// Whether lane `l` is always open: always, when `ALL` (every lane of the port is).
#[inline(always)]
fn always_open<const ALL: bool>(l: &Lane) -> bool {
    ALL || l.constant.is_some()
}

/// Every arrival of the replication, then the departures up to the horizon; None when a tie
/// makes the fast path give up. `ALL`: every lane is always open (the code for booths that open
/// and close is then left out).
fn arrivals<const ALL: bool>(
    m: &mut Model<'_, '_>,
    lanes: &mut [Lane],
    q: &mut Queued,
) -> Option<()> {
    let horizon = m.horizon_ns;
    let mut next_start = u64::MAX;
    let mut prev = 0;
    let mut hour = Hour::of(0);
    let mut next = m.next_arrival(0);
    while let Some(now) = next {
        if now >= horizon {
            break;
        }
        if now >= hour.end {
            hour = Hour::of(now);
        }
        if now == hour.start {
            return None;
        }
        if next_start <= now || now >= q.special_ns {
            step::<ALL>(m, lanes, q, &mut next_start, prev, now, true)?;
        }
        let class = m.draw_class(now);
        if let Some(start) = arrive::<ALL>(m, lanes, q, now, &hour, class)? {
            next_start = next_start.min(start);
        }
        prev = now;
        next = m.next_arrival(now);
    }
    step::<ALL>(m, lanes, q, &mut next_start, prev, horizon, false)
}

/// The queue levels of the lanes, the classes and the port as the fast path keeps them. Their
/// areas (level x time by hour) are added as spans when a vehicle joins, since its wait is known
/// then; the levels themselves serve the peaks and the level at the growth reference.
struct Queued {
    lane: Vec<i64>,
    class: Vec<i64>,
    total: i64,
    /// Whether the levels held at the start of the measured period (the warm-up) are counted in
    /// the peaks.
    start_seen: bool,
    /// Whether every level's value at the growth reference is set.
    reference_seen: bool,
    reference_ns: u64,
    /// The first arrival time at which [`step`] has a level to count even when nothing
    /// leaves: after the start of the measured period, and at the growth reference.
    special_ns: u64,
    /// The queues' areas by (lane, class), index lane x classes + class: each queued vehicle
    /// adds its wait once, and lanes and classes are their sums.
    queue_areas: Vec<Areas>,
    /// The busy booths' areas by lane.
    busy_areas: Vec<Areas>,
    /// Whether booths open or close on some hour (else no inspection can end as they change).
    staffing_changes: bool,
}

/// Moves every vehicle that starts before `now` out of its queue (the previous arrival was at
/// `prev`). With `ties`, gives up when a vehicle starts exactly at `now`, the instant of an
/// arrival. `next_start` is the earliest start still queued in any lane (`u64::MAX`: none).
///
/// Why most steps need no time order across lanes: a peak is reached when a vehicle joins (a
/// departure lowers the level), and every level held after the start of the measured period is
/// a value the event loop's peak counts, so departures change only the levels, and joins, which
/// happen in time order, update the peaks. Departures need the event loop's order only where a
/// level's value at an instant is kept: the start of the measured period (a departure exactly
/// then counts its level after) and the growth reference (the level held then). A step whose
/// departures may reach either runs in time order across lanes, as the event loop's, and then
/// counts the levels held at that instant.
#[inline]
fn step<const ALL: bool>(
    m: &mut Model<'_, '_>,
    lanes: &mut [Lane],
    q: &mut Queued,
    next_start: &mut u64,
    prev: u64,
    now: u64,
    ties: bool,
) -> Option<()> {
    if *next_start > now {
        // Nothing leaves; the levels held now are those held since `prev`.
    } else if ties && *next_start == now {
        return None;
    } else if prev > m.warmup_ns && (now <= q.reference_ns || q.reference_seen) {
        *next_start = drain_by_lane::<ALL>(lanes, q, now, ties)?;
    } else {
        drain_in_order(m, lanes, q, now, ties)?;
        *next_start = first_start(lanes);
    }
    if now >= q.special_ns {
        count_levels(m, q, now);
    }
    Some(())
}

/// [`step`]'s count of the levels held at the start of the measured period and at the growth
/// reference, once `now` has passed them.
#[cold]
fn count_levels(m: &mut Model<'_, '_>, q: &mut Queued, now: u64) {
    if !q.start_seen && now > m.warmup_ns {
        // The levels held at the start of the measured period are held now or were the level
        // before a departure that counted them.
        q.start_seen = true;
        for (st, &n) in m.lanes.iter_mut().zip(&q.lane) {
            st.stats.queue_max.max = st.stats.queue_max.max.max(n);
        }
        for (cs, &n) in m.classes.iter_mut().zip(&q.class) {
            cs.queue_max.max = cs.queue_max.max.max(n);
        }
        m.total_queue_max.max = m.total_queue_max.max.max(q.total);
    }
    if !q.reference_seen && now >= q.reference_ns {
        // A level that did not change from the reference to now held now's value then.
        q.reference_seen = true;
        for (st, &n) in m.lanes.iter_mut().zip(&q.lane) {
            st.stats.queue_max.at_reference.get_or_insert(n);
        }
        for (cs, &n) in m.classes.iter_mut().zip(&q.class) {
            cs.queue_max.at_reference.get_or_insert(n);
        }
        m.total_queue_max.at_reference.get_or_insert(q.total);
    }
    q.special_ns = match (q.start_seen, q.reference_seen) {
        (false, false) => (m.warmup_ns + 1).min(q.reference_ns),
        (false, true) => m.warmup_ns + 1,
        (true, false) => q.reference_ns,
        (true, true) => u64::MAX,
    };
}

/// The earliest start still queued in any lane (`u64::MAX`: none).
#[inline]
fn first_start(lanes: &[Lane]) -> u64 {
    lanes
        .iter()
        .filter_map(|l| l.waiting.front().map(|w| w.start_ns))
        .min()
        .unwrap_or(u64::MAX)
}

/// [`step`]'s departures lane by lane: levels only. Returns the earliest start still queued in
/// any lane, as [`first_start`].
#[inline]
fn drain_by_lane<const ALL: bool>(
    lanes: &mut [Lane],
    q: &mut Queued,
    now: u64,
    ties: bool,
) -> Option<u64> {
    let mut first = u64::MAX;
    for (i, l) in lanes.iter_mut().enumerate() {
        // An always-open lane has no `cur_end`.
        let keep_ends = !always_open::<ALL>(l);
        let mut left = 0;
        for w in l.waiting.as_slice() {
            if w.start_ns >= now {
                if ties && w.start_ns == now {
                    return None;
                }
                first = first.min(w.start_ns);
                break;
            }
            if keep_ends {
                l.cur_end[w.booth as usize] = w.end_ns;
            }
            left += 1;
            q.class[usize::from(w.class)] -= 1;
        }
        if left > 0 {
            l.waiting.pop_front_n(left);
            q.lane[i] -= left as i64;
            q.total -= left as i64;
        }
    }
    Some(first)
}

/// [`step`]'s departures in time order across lanes, each counted by the peaks as the event
/// loop counts it.
fn drain_in_order(
    m: &mut Model<'_, '_>,
    lanes: &mut [Lane],
    q: &mut Queued,
    now: u64,
    ties: bool,
) -> Option<()> {
    loop {
        let mut best: Option<(u64, usize)> = None;
        for (i, l) in lanes.iter().enumerate() {
            if let Some(w) = l.waiting.front() {
                if w.start_ns < now {
                    if best.is_none_or(|(t, _)| w.start_ns < t) {
                        best = Some((w.start_ns, i));
                    }
                } else if ties && w.start_ns == now {
                    return None;
                }
            }
        }
        let Some((t, i)) = best else {
            return Some(());
        };
        let w = *lanes[i]
            .waiting
            .front()
            .expect("best names a waiting vehicle");
        lanes[i].waiting.pop_front();
        if lanes[i].constant.is_none() {
            lanes[i].cur_end[w.booth as usize] = w.end_ns;
        }
        let c = usize::from(w.class);
        q.lane[i] -= 1;
        q.class[c] -= 1;
        q.total -= 1;
        m.lanes[i]
            .stats
            .queue_max
            .change(t, q.lane[i] + 1, q.lane[i]);
        m.classes[c].queue_max.change(t, q.class[c] + 1, q.class[c]);
        m.total_queue_max.change(t, q.total + 1, q.total);
    }
}

/// Busy booths and the lowest idle booth of lane `l` at `now` (`open` booths open); None when an
/// inspection of the lane ends exactly at `now`.
#[inline]
fn view<const ALL: bool>(l: &Lane, now: u64, open: u32) -> Option<View> {
    if always_open::<ALL>(l) {
        // Its booths are told apart by no number (its earliest free one takes the newcomer), so
        // no idle booth is named.
        let busy = if !l.waiting.is_empty() {
            // Vehicles wait, so every booth is busy (none is idle while a vehicle waits), and
            // none ends at `now` (the first waiting vehicle would start then, which `step`
            // rules out).
            l.max_open
        } else {
            // No vehicle waits: each booth's last vehicle is in service or done. The earliest
            // free time tells all the lane choice needs: after `now`, every booth is busy;
            // before it, a booth is idle, so the expected wait is zero whatever the others do,
            // and `busy` is given as `open - 1`, which makes the same zero (an inspection of
            // another booth that ends exactly now then decides nothing: the newcomer takes the
            // idle booth either way).
            match l.free.peek() {
                None => 0,
                Some(&Reverse(a)) if a > now => l.max_open,
                Some(&Reverse(a)) if a < now => l.max_open - 1,
                Some(_) => return None,
            }
        };
        return Some(View { busy, idle: None });
    }
    let mut busy = 0;
    let mut tie = false;
    let mut idle = u32::MAX;
    for b in (0..l.max_open as usize).rev() {
        let (end, avail) = (l.cur_end[b], l.avail[b]);
        tie |= (end == now) | (avail == now);
        busy += u32::from(end > now);
        if (b as u32) < open && avail < now {
            idle = b as u32;
        }
    }
    (!tie).then_some(View {
        busy,
        idle: (idle != u32::MAX).then_some(idle),
    })
}

/// A vehicle of `class` arrives at `now`: it picks its lane, and its booth and start are
/// settled at once. Returns its start when it joins the queue and reaches a booth before the
/// horizon; None when a tie makes the fast path give up.
#[inline]
fn arrive<const ALL: bool>(
    m: &mut Model<'_, '_>,
    lanes: &mut [Lane],
    q: &mut Queued,
    now: u64,
    h: &Hour,
    class: usize,
) -> Option<Option<u64>> {
    let hour_index = h.index;
    let hour = h.of_day;
    let counted = now >= m.warmup_ns;
    let id = m.next_id;
    m.next_id += 1;
    if counted {
        m.classes[class].hourly_arrivals[hour] += 1;
    }
    let cfg = m.cfg;
    let options = &cfg.classes[class].lanes;
    let mut tie = false;
    let mut chosen_view = None;
    // A class with one lane needs no look at the others; a lane with a queue needs no look at
    // its booths (the newcomer goes to the back, and an inspection that ends now hands its
    // booth to the head, which `step` has checked).
    let lane = if options.len() == 1 {
        options[0]
    } else {
        pick_lane(options, |i| {
            let l = &lanes[i];
            let open = if ALL {
                l.max_open
            } else {
                l.target(hour_index)
            };
            let queued = l.waiting.len() + l.never;
            match view::<ALL>(l, now, open) {
                Some(v) => {
                    let w = expected_wait_s(open, queued, v.busy, m.lanes[i].mean_service_s);
                    chosen_view = Some((i, v.idle));
                    (w, queued)
                }
                None => {
                    tie = true;
                    (f64::INFINITY, queued)
                }
            }
        })
    };
    if tie {
        return None;
    }
    if counted {
        m.lanes[lane].stats.hourly_arrivals[hour] += 1;
    }
    let l = &mut lanes[lane];
    let horizon = m.horizon_ns;
    let never = l.never > 0;
    // The lowest idle booth, when the queue is empty and the booths open and close.
    let idle = if always_open::<ALL>(l) || !l.waiting.is_empty() || never {
        None
    } else {
        match chosen_view {
            Some((i, idle)) if i == lane => idle,
            _ => view::<ALL>(l, now, l.target(hour_index))?.idle,
        }
    };
    // The booth and start: the lowest idle booth at once, or the earliest hand-out; None when
    // the queue already holds vehicles that never reach a booth.
    let pick = if always_open::<ALL>(l) {
        // Booths always open: the earliest free one, at once if it is free now (an inspection
        // that ends exactly now: the order of the two decides).
        match l.free.peek() {
            _ if never => None,
            None => None,
            Some(&Reverse(a)) if a == now => return None,
            Some(&Reverse(a)) => Some((a.max(now), 0)).filter(|&(t, _)| t < horizon),
        }
    } else if let Some(b) = idle {
        Some((now, b))
    } else if never {
        None
    } else {
        let mut best = (u128::MAX, 0u32);
        for b in 0..l.max_open {
            let a = l.avail[b as usize];
            let key = if a > now {
                let t = l.open_from(b, a, horizon);
                if t == a {
                    // Free at the end of its inspection: in the order the ends pop.
                    (u128::from(a) << 64) | u128::from(l.avail_seq[b as usize])
                } else {
                    // Closed then; free when it opens, lowest booth first.
                    (u128::from(t) << 64) | u128::from(b)
                }
            } else {
                (u128::from(l.open_from(b, now, horizon)) << 64) | u128::from(b)
            };
            if key < best.0 {
                best = (key, b);
            }
        }
        let t = (best.0 >> 64) as u64;
        (t < horizon).then_some((t, best.1))
    };
    let Some((start, booth)) = pick else {
        // Never reaches a booth before the horizon: it waits to the end.
        lanes[lane].never += 1;
        m.lanes[lane].queue.push_back(Vehicle {
            id,
            arrival_ns: now,
            class: class as u16,
            counted,
            split_delay_ms: 0,
        });
        queue_up(m, q, lane, class, now, m.horizon_ns, h);
        return Some(None);
    };
    let st = &mut m.lanes[lane];
    let service_s = st.sampler.sample(&mut st.rng).max(0.0);
    let end = start.saturating_add(SimTime::from_secs_f64(service_s).as_nanos());
    if !ALL && q.staffing_changes && ends_as_booths_change(m, end) {
        // It would end as the booths change: the order of the two decides.
        return None;
    }
    let l = &mut lanes[lane];
    if always_open::<ALL>(l) {
        *l.free.peek_mut().expect("a booth was picked") = Reverse(end);
    } else {
        l.avail[booth as usize] = end;
        l.avail_seq[booth as usize] = l.assigned;
        l.assigned += 1;
        if start == now {
            l.cur_end[booth as usize] = end;
        }
    }
    if start > now {
        l.waiting.push_back(Waiting {
            start_ns: start,
            end_ns: end,
            booth,
            class: class as u16,
        });
    }
    let (from, to) = (m.warmup_ns, m.horizon_ns);
    q.busy_areas[lane].add_one(start.max(from), end.min(to), h);
    if !always_open::<ALL>(l) {
        let st = &mut m.lanes[lane];
        closed_busy(l, &mut st.staffed_level, booth, start, end, from, to);
    }
    if counted {
        let nc = m.classes.len();
        m.cells[lane * nc + class]
            .get_or_insert_with(|| Box::new(Served::new()))
            .record(hour, start - now, end - start);
    }
    if start > now {
        queue_up(m, q, lane, class, now, start, h);
        return Some(Some(start));
    }
    Some(None)
}

/// Whether an inspection ending at `end` ends on an hour when booths open or close. Out of line,
/// so that a port whose booths never change does not compute it.
#[inline(never)]
fn ends_as_booths_change(m: &Model<'_, '_>, end: u64) -> bool {
    end.is_multiple_of(HOUR_NS)
        && end < m.horizon_ns
        && m.staffing_change_hours[((end / HOUR_NS) % 24) as usize]
}

/// A vehicle of `class` joins the queue of `lane` at `now` and leaves it at `until`: its wait
/// is added to the queues' areas at once.
#[inline(always)]
fn queue_up(
    m: &mut Model<'_, '_>,
    q: &mut Queued,
    lane: usize,
    class: usize,
    now: u64,
    until: u64,
    h: &Hour,
) {
    let (a, b) = (now.max(m.warmup_ns), until.min(m.horizon_ns));
    q.lane[lane] += 1;
    q.class[class] += 1;
    q.total += 1;
    q.queue_areas[lane * m.classes.len() + class].add_one(a, b, h);
    if now >= m.warmup_ns {
        // A join raises the level: its level after is a candidate peak. The level before was
        // held since the last change, so it is counted already (`step` counts the levels held
        // at the start of the measured period), and `step` has set the level at the reference
        // before the first join at or after it.
        let st = &mut m.lanes[lane].stats;
        st.queue_max.max = st.queue_max.max.max(q.lane[lane]);
        let cs = &mut m.classes[class];
        cs.queue_max.max = cs.queue_max.max.max(q.class[class]);
        m.total_queue_max.max = m.total_queue_max.max.max(q.total);
    }
}

/// Adds to `staffed` the time within [start, end) ∩ [from, to) that `booth` spends inspecting
/// while its lane has closed it (it counts as staffed until its vehicle is done).
#[inline]
fn closed_busy(
    l: &Lane,
    staffed: &mut HourlyLevel,
    booth: u32,
    start: u64,
    end: u64,
    from: u64,
    to: u64,
) {
    let first_boundary = (start / HOUR_NS + 1) * HOUR_NS;
    if end <= first_boundary {
        // Open at its start, so open throughout.
        return;
    }
    let (a, b) = (first_boundary.max(from), end.min(to));
    for p in crate::stats::hour_pieces(a, b) {
        if booth >= l.target(p.hour_index) {
            staffed.add_span(p.from_ns, p.to_ns, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(i: u64) -> Waiting {
        Waiting {
            start_ns: i,
            end_ns: i + 1,
            booth: 0,
            class: (i % 3) as u16,
        }
    }

    #[test]
    fn the_fifo_keeps_order_and_bounded_memory() {
        let mut f = Fifo::default();
        let (mut pushed, mut popped) = (0u64, 0u64);
        // A queue that never empties: three in, two out (without compaction it would hold
        // every vehicle ever queued), then drained in steps.
        for _ in 0..20_000 {
            for _ in 0..3 {
                f.push_back(w(pushed));
                pushed += 1;
            }
            for _ in 0..2 {
                assert_eq!(f.front().map(|x| x.start_ns), Some(popped));
                f.pop_front();
                popped += 1;
            }
            assert_eq!(f.len() as u64, pushed - popped);
            assert!(
                f.items.len() <= 2 * f.len() + 4096,
                "{} held",
                f.items.len()
            );
        }
        while f.len() > 3 {
            let n = f.len() / 3;
            assert_eq!(f.as_slice()[n].start_ns, popped + n as u64);
            f.pop_front_n(n);
            popped += n as u64;
            assert_eq!(f.front().map(|x| x.start_ns), Some(popped));
            assert!(f.items.len() <= 2 * f.len() + 4096);
        }
        f.pop_front_n(f.len());
        assert!(f.is_empty() && f.items.is_empty() && f.front().is_none());
    }
}
