//! garita: a discrete-event simulator of wait times at land ports of entry.
//!
//! Module map (dependencies point one way: `engine <- port <- scenario`; `stats` is a leaf;
//! `experiment` drives `port`; `report` reads results; the binary's `cli` sits on top):
//! - [`engine`]: simulated time, the event calendar (FIFO among equal times), random streams.
//! - [`stats`]: bounded-memory histograms, time-weighted levels, Student-t intervals.
//! - [`port`]: the port model (classes, lanes, booths, staffing, lane choice) and one replication.
//! - [`scenario`]: the TOML format, validated into a [`port::PortConfig`].
//! - [`experiment`]: replications in parallel and their aggregation.
//! - [`analysis`]: the staffing search and the pilot-site ranking (drives `experiment`).
//! - [`report`]: the only code that writes files (CSV, JSON, trace, charts, the HTML report).
//!
//! Invariants: `engine`, `port` and `stats` do no I/O; randomness enters only through streams
//! derived from (seed, replication, stream name); results do not depend on the thread count.

/// garita's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod analysis;
pub mod app;
pub mod engine;
pub mod experiment;
pub mod port;
pub mod report;
pub mod scenario;
pub mod stats;
