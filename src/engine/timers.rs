//! A fixed set of timer slots, each holding at most one pending time, with the earliest at hand.
//!
//! Made for many short-lived events of one kind that each belong to a slot (a server that is
//! busy until some time): they stay out of the [`Calendar`](super::Calendar)'s heap, and setting
//! or clearing a slot costs a few stores instead of heap sifts. Each pending time carries a
//! sequence number taken from the calendar ([`Calendar::take_seq`](super::Calendar::take_seq)),
//! so `(time, seq)` orders timers and calendar events together exactly as one calendar would:
//! equal times first in, first out.
//!
//! The slots form a small binary heap; clearing the earliest slot and setting it again, the
//! common case, costs one sift.

/// The key of a pending time: time in the high 64 bits, sequence number in the low 64 bits, so
/// one integer comparison orders by (time, seq). `u128::MAX` means "none".
pub type TimerKey = u128;

/// Makes the key of a time in nanoseconds and a sequence number.
#[inline]
pub const fn timer_key(time_ns: u64, seq: u64) -> TimerKey {
    ((time_ns as u128) << 64) | seq as u128
}

/// The time in nanoseconds of a key.
#[inline]
pub const fn key_time_ns(key: TimerKey) -> u64 {
    (key >> 64) as u64
}

const NONE: TimerKey = TimerKey::MAX;

/// Slots `0..n`, each with at most one pending `(time, seq)`: a binary min-heap of (key, slot).
///
/// [`Timers::pop`] leaves the popped entry in place as a hole, because the slot that just came
/// due is often set again at once (a server takes the next customer): [`Timers::set`] then
/// fills the hole with one sift down, instead of a removal and an insertion.
#[derive(Clone, Debug)]
pub struct Timers {
    heap: Vec<(TimerKey, u32)>,
    /// Whether `heap[0]` was popped and is still physically there.
    hole: bool,
}

impl Timers {
    /// `n` slots, none pending.
    pub fn new(n: u32) -> Self {
        Timers {
            heap: Vec::with_capacity(n as usize),
            hole: false,
        }
    }

    /// Sets slot `slot` (which must not be pending) to `(time_ns, seq)`.
    #[inline]
    pub fn set(&mut self, slot: u32, time_ns: u64, seq: u64) {
        let entry = (timer_key(time_ns, seq), slot);
        debug_assert!(
            self.heap
                .iter()
                .skip(usize::from(self.hole))
                .all(|&(_, s)| s != slot),
            "slot {slot} already pending"
        );
        if self.hole {
            self.hole = false;
            self.heap[0] = entry;
            self.sift_down(0);
        } else {
            self.heap.push(entry);
            self.sift_up(self.heap.len() - 1);
        }
    }

    /// The earliest pending key, `u128::MAX` when nothing is pending.
    #[inline]
    pub fn earliest_key(&mut self) -> TimerKey {
        self.settle();
        self.heap.first().map_or(NONE, |e| e.0)
    }

    /// The earliest pending key and its slot (`None` when nothing is pending).
    #[inline]
    pub fn earliest(&mut self) -> Option<(TimerKey, u32)> {
        self.settle();
        self.heap.first().copied()
    }

    /// Clears the earliest pending slot and returns its key and slot.
    #[inline]
    pub fn pop(&mut self) -> Option<(TimerKey, u32)> {
        let got = self.earliest()?;
        self.hole = true;
        Some(got)
    }

    /// Number of pending slots.
    pub fn pending(&self) -> usize {
        self.heap.len() - usize::from(self.hole)
    }

    /// Removes a hole left by `pop`.
    #[inline]
    fn settle(&mut self) {
        if self.hole {
            self.hole = false;
            let last = self.heap.pop().expect("a hole is an entry");
            if !self.heap.is_empty() {
                self.heap[0] = last;
                self.sift_down(0);
            }
        }
    }

    #[inline]
    fn sift_up(&mut self, mut i: usize) {
        let e = self.heap[i];
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.heap[parent].0 <= e.0 {
                break;
            }
            self.heap[i] = self.heap[parent];
            i = parent;
        }
        self.heap[i] = e;
    }

    #[inline]
    fn sift_down(&mut self, mut i: usize) {
        let n = self.heap.len();
        let e = self.heap[i];
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && self.heap[r].0 < self.heap[l].0 {
                r
            } else {
                l
            };
            if e.0 <= self.heap[c].0 {
                break;
            }
            self.heap[i] = self.heap[c];
            i = c;
        }
        self.heap[i] = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Calendar, RngStream, SimTime, StreamId};
    use rand::RngExt;

    /// Seeded model-based test: timers and a calendar popped together agree with one calendar
    /// holding every event, order and ties included.
    #[test]
    fn timers_and_a_calendar_order_like_one_calendar() {
        let mut rng = RngStream::new(5, 0, StreamId::named("timers-test"));
        let n = 7u32;
        let mut timers = Timers::new(n);
        let mut cal: Calendar<u32> = Calendar::new();
        // The reference: every event in one calendar; slot events carry their slot + 1000.
        let mut one: Calendar<u32> = Calendar::new();
        let mut now = 0u64;
        for step in 0..50_000u32 {
            let free: Vec<u32> = (0..n)
                .filter(|&s| {
                    timers
                        .heap
                        .iter()
                        .skip(usize::from(timers.hole))
                        .all(|&(_, p)| p != s)
                })
                .collect();
            let r = rng.random_range(0..10u32);
            if r < 3 && !free.is_empty() {
                // Few distinct times, so ties are frequent.
                let slot = free[rng.random_range(0..free.len())];
                let t = now + rng.random_range(0..4u64);
                let seq = cal.take_seq();
                timers.set(slot, t, seq);
                assert_eq!(one.schedule(SimTime::from_nanos(t), slot + 1000), seq);
            } else if r < 5 {
                let t = now + rng.random_range(0..4u64);
                let seq = cal.schedule(SimTime::from_nanos(t), step);
                assert_eq!(one.schedule(SimTime::from_nanos(t), step), seq);
            } else {
                let tk = timers.earliest_key();
                let ck = cal
                    .peek_key()
                    .map_or(NONE, |(t, s)| timer_key(t.as_nanos(), s));
                let want = one.pop();
                if tk == NONE && ck == NONE {
                    assert!(want.is_none());
                    continue;
                }
                let want = want.expect("the reference holds every pending event");
                let (k, ev) = if tk < ck {
                    let (k, slot) = timers.pop().expect("a pending timer");
                    (k, slot + 1000)
                } else {
                    let e = cal.pop().expect("a pending event");
                    (timer_key(e.time.as_nanos(), e.seq), e.event)
                };
                assert_eq!(k, timer_key(want.time.as_nanos(), want.seq), "step {step}");
                assert_eq!(ev, want.event, "step {step}");
                now = key_time_ns(k);
            }
            assert_eq!(timers.pending() + cal.len(), one.len());
        }
    }

    #[test]
    fn earliest_follows_sets_and_pops() {
        let mut t = Timers::new(3);
        assert_eq!(t.earliest(), None);
        t.set(2, 50, 1);
        t.set(0, 50, 0);
        t.set(1, 10, 2);
        assert_eq!(t.pop(), Some((timer_key(10, 2), 1)));
        assert_eq!(t.pop(), Some((timer_key(50, 0), 0)));
        assert_eq!(t.earliest(), Some((timer_key(50, 1), 2)));
        assert_eq!(t.pop().map(|(_, s)| s), Some(2));
        assert_eq!(t.pop(), None);
    }
}
