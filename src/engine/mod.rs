//! The domain-free discrete-event core: simulated time, the event calendar and random streams.
//!
//! Invariant: nothing in this module knows about lanes, booths or vehicles, does I/O or prints.

mod calendar;
mod rng;
mod time;
mod timers;
mod variates;

pub use calendar::{Calendar, Scheduled};
pub use rng::{RngStream, StreamId, derive_seed};
pub use time::SimTime;
pub(crate) use time::f64_to_u64;
pub use timers::{TimerKey, Timers, key_time_ns, timer_key};
