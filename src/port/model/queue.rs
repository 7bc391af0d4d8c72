//! A lane's first-in first-out queue of waiting vehicles, stored compactly.
//!
//! A queued vehicle needs only its arrival time and class (and whether it is counted); its
//! arrival number is kept only when a trace asks for it, and its delay before the lane split only
//! when the port has a shared approach. Records live in fixed-size chunks of parallel arrays
//! (10 bytes and a bit per vehicle; 8 more with arrival numbers, 4 more with split delays), so a queue of
//! millions never doubles a buffer: memory grows one chunk at a time and one emptied chunk is
//! kept for reuse, so a queue that hovers around a chunk boundary does not allocate.

use std::collections::VecDeque;

use super::Vehicle;

/// Vehicles per chunk.
const CHUNK: usize = 1024;
const WORDS: usize = CHUNK / 64;

struct Chunk {
    arrival_ns: [u64; CHUNK],
    class: [u16; CHUNK],
    counted: [u64; WORDS],
    /// Arrival numbers (empty unless the queue keeps them).
    id: Vec<u64>,
    /// Delays before the lane split, ms (empty unless the port has a shared approach).
    split_delay_ms: Vec<u32>,
}

impl Chunk {
    fn new(keep: Keep) -> Box<Chunk> {
        Box::new(Chunk {
            arrival_ns: [0; CHUNK],
            class: [0; CHUNK],
            counted: [0; WORDS],
            id: if keep.ids { vec![0; CHUNK] } else { Vec::new() },
            split_delay_ms: if keep.split_delays {
                vec![0; CHUNK]
            } else {
                Vec::new()
            },
        })
    }

    #[inline]
    fn set(&mut self, i: usize, v: &Vehicle) {
        self.arrival_ns[i] = v.arrival_ns;
        self.class[i] = v.class;
        let (w, bit) = (i / 64, 1u64 << (i % 64));
        if v.counted {
            self.counted[w] |= bit;
        } else {
            self.counted[w] &= !bit;
        }
        if let Some(slot) = self.id.get_mut(i) {
            *slot = v.id;
        }
        if let Some(slot) = self.split_delay_ms.get_mut(i) {
            *slot = v.split_delay_ms;
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Vehicle {
        Vehicle {
            id: self.id.get(i).copied().unwrap_or(0),
            arrival_ns: self.arrival_ns[i],
            class: self.class[i],
            counted: self.counted[i / 64] >> (i % 64) & 1 == 1,
            split_delay_ms: self.split_delay_ms.get(i).copied().unwrap_or(0),
        }
    }
}

/// What a queue keeps beyond arrival time, class and the counted flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Keep {
    /// Arrival numbers (for traces).
    pub(super) ids: bool,
    /// Delays before the lane split (for ports with a shared approach).
    pub(super) split_delays: bool,
}

/// A FIFO queue of vehicles in chunks. Without arrival numbers, popped vehicles carry id 0.
pub(super) struct VehicleQueue {
    chunks: VecDeque<Box<Chunk>>,
    /// Index of the first vehicle in the front chunk.
    head: usize,
    len: usize,
    spare: Option<Box<Chunk>>,
    keep: Keep,
}

impl VehicleQueue {
    /// An empty queue that keeps what `keep` says.
    pub(super) fn new(keep: Keep) -> Self {
        VehicleQueue {
            chunks: VecDeque::new(),
            head: 0,
            len: 0,
            spare: None,
            keep,
        }
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(super) fn push_back(&mut self, v: Vehicle) {
        let end = self.head + self.len;
        if end == self.chunks.len() * CHUNK {
            let keep = self.keep;
            let chunk = self.spare.take().unwrap_or_else(|| Chunk::new(keep));
            self.chunks.push_back(chunk);
        }
        let chunk = self
            .chunks
            .get_mut(end / CHUNK)
            .expect("a chunk was added for the new tail");
        chunk.set(end % CHUNK, &v);
        self.len += 1;
    }

    pub(super) fn pop_front(&mut self) -> Option<Vehicle> {
        if self.len == 0 {
            return None;
        }
        let v = self
            .chunks
            .front()
            .expect("a non-empty queue has a chunk")
            .get(self.head);
        self.head += 1;
        self.len -= 1;
        if self.head == CHUNK {
            // The front chunk is used up: keep it for reuse.
            let chunk = self.chunks.pop_front();
            if self.spare.is_none() {
                self.spare = chunk;
            }
            self.head = 0;
        } else if self.len == 0 {
            // Empty: the one chunk left is reused from its start.
            self.head = 0;
        }
        Some(v)
    }

    /// The vehicle at the front, if any.
    #[inline]
    pub(super) fn front(&self) -> Option<Vehicle> {
        (self.len > 0).then(|| {
            self.chunks
                .front()
                .expect("a non-empty queue has a chunk")
                .get(self.head)
        })
    }

    /// The waiting vehicles, front first.
    pub(super) fn iter(&self) -> impl Iterator<Item = Vehicle> + '_ {
        (self.head..self.head + self.len).map(|i| self.chunks[i / CHUNK].get(i % CHUNK))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vehicle(i: u64) -> Vehicle {
        Vehicle {
            id: i,
            arrival_ns: i * 1_000 + 7,
            class: (i % 5) as u16,
            counted: !i.is_multiple_of(3),
            split_delay_ms: (i % 7_919) as u32,
        }
    }

    fn same(a: &Vehicle, b: &Vehicle, keep: Keep) -> bool {
        (!keep.ids || a.id == b.id)
            && (!keep.split_delays || a.split_delay_ms == b.split_delay_ms)
            && a.arrival_ns == b.arrival_ns
            && a.class == b.class
            && a.counted == b.counted
    }

    /// Seeded model-based test: random pushes and pops agree with a `VecDeque`, across chunk
    /// boundaries, emptying and refilling.
    #[test]
    fn matches_a_vecdeque() {
        use crate::engine::{RngStream, StreamId};
        for (ids, split_delays) in [(false, false), (true, false), (false, true), (true, true)] {
            let keep = Keep { ids, split_delays };
            let mut rng = RngStream::new(11, 0, StreamId::named("queue-test"));
            let mut q = VehicleQueue::new(keep);
            let mut model: VecDeque<Vehicle> = VecDeque::new();
            let mut next = 0u64;
            for step in 0..200_000 {
                // Phases that grow, shrink and hover, so every boundary case is met.
                let p_push = match (step / 20_000) % 4 {
                    0 => 0.7,
                    1 => 0.3,
                    2 => 0.5,
                    _ => 0.52,
                };
                if rng.uniform() < p_push {
                    let v = vehicle(next);
                    next += 1;
                    q.push_back(v);
                    model.push_back(v);
                } else {
                    assert_eq!(
                        q.front().map(|v| v.arrival_ns),
                        model.front().map(|v| v.arrival_ns)
                    );
                    let a = q.pop_front();
                    let b = model.pop_front();
                    assert_eq!(a.is_some(), b.is_some(), "step {step}");
                    if let (Some(a), Some(b)) = (a, b) {
                        assert!(same(&a, &b, keep), "step {step}: {a:?} vs {b:?}");
                    }
                }
                assert_eq!(q.len(), model.len());
                assert_eq!(q.is_empty(), model.is_empty());
                if step % 9_973 == 0 {
                    assert!(q.iter().zip(&model).all(|(a, b)| same(&a, b, keep)));
                    assert_eq!(q.iter().count(), model.len());
                }
            }
        }
    }

    #[test]
    fn ids_and_split_delays_are_zero_unless_kept() {
        let mut q = VehicleQueue::new(Keep::default());
        q.push_back(vehicle(9));
        assert_eq!(
            q.pop_front().map(|v| (v.id, v.split_delay_ms)),
            Some((0, 0))
        );
        assert!(q.pop_front().is_none());
    }
}
