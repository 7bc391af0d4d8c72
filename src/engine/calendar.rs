//! The event calendar: a binary min-heap keyed by `(time, insertion sequence)`.
//!
//! Ordering guarantee: events pop in non-decreasing time; events scheduled for the same time pop
//! in the order they were scheduled (first in, first out). The key is two integers, so the order
//! is total and identical on every machine.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::SimTime;

/// An event taken off the calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduled<E> {
    /// When it happens.
    pub time: SimTime,
    /// Its insertion sequence number (unique within one calendar).
    pub seq: u64,
    /// What happens.
    pub event: E,
}

/// A heap entry: time in the high 64 bits of the key, sequence number in the low 64 bits,
/// so one integer comparison orders by (time, seq).
struct Entry<E> {
    key: u128,
    event: E,
}

#[inline]
fn key(time: SimTime, seq: u64) -> u128 {
    (u128::from(time.as_nanos()) << 64) | u128::from(seq)
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed so that std's max-heap pops the earliest (time, seq) first.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// A future-event list with deterministic first-in first-out tie breaking.
pub struct Calendar<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E> Default for Calendar<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Calendar<E> {
    /// An empty calendar.
    pub fn new() -> Self {
        Calendar {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    /// An empty calendar with room for `n` pending events.
    pub fn with_capacity(n: usize) -> Self {
        Calendar {
            heap: BinaryHeap::with_capacity(n),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`; returns its sequence number.
    #[inline]
    pub fn schedule(&mut self, time: SimTime, event: E) -> u64 {
        let seq = self.take_seq();
        self.heap.push(Entry {
            key: key(time, seq),
            event,
        });
        seq
    }

    /// Takes the next sequence number without scheduling anything: for an event that a model
    /// keeps outside the calendar (such as the next arrival of a single source) but that must
    /// still order first-in first-out against scheduled events. Compare its `(time, seq)` with
    /// [`Calendar::peek_key`].
    #[inline]
    pub fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    #[inline]
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        self.heap.pop().map(|e| Scheduled {
            time: SimTime::from_nanos((e.key >> 64) as u64),
            seq: e.key as u64,
            event: e.event,
        })
    }

    /// The `(time, seq)` of the earliest pending event.
    #[inline]
    pub fn peek_key(&self) -> Option<(SimTime, u64)> {
        self.heap
            .peek()
            .map(|e| (SimTime::from_nanos((e.key >> 64) as u64), e.key as u64))
    }

    /// The time of the earliest pending event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.peek_key().map(|(t, _)| t)
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStream, StreamId};
    use rand::RngExt;
    use std::collections::BTreeMap;

    #[test]
    fn equal_times_pop_first_in_first_out() {
        let mut c = Calendar::new();
        for i in 0..100 {
            c.schedule(SimTime::from_nanos(5), i);
        }
        c.schedule(SimTime::from_nanos(1), 1000);
        assert_eq!(c.pop().map(|s| s.event), Some(1000));
        for i in 0..100 {
            assert_eq!(c.pop().map(|s| s.event), Some(i));
        }
        assert!(c.pop().is_none());
    }

    /// A seeded model-based test against a BTreeMap keyed by (time, seq).
    #[test]
    fn matches_a_sorted_map_model() {
        let mut rng = RngStream::new(42, 0, StreamId::named("calendar-test"));
        let mut cal = Calendar::new();
        let mut model: BTreeMap<(u64, u64), u32> = BTreeMap::new();
        let mut now = 0u64;
        for step in 0..20_000u32 {
            if rng.random_bool(0.55) || model.is_empty() {
                // Few distinct times, so ties are frequent.
                let t = now + rng.random_range(0..8u64);
                let seq = cal.schedule(SimTime::from_nanos(t), step);
                model.insert((t, seq), step);
            } else {
                let got = cal.pop().expect("model is not empty");
                let (&(t, seq), &ev) = model.iter().next().expect("model is not empty");
                model.remove(&(t, seq));
                assert_eq!((got.time.as_nanos(), got.seq, got.event), (t, seq, ev));
                now = t;
            }
            assert_eq!(cal.len(), model.len());
            assert_eq!(
                cal.peek_time().map(|t| t.as_nanos()),
                model.keys().next().map(|k| k.0)
            );
        }
    }
}
