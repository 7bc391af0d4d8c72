//! Streaming statistics: quantile histograms, time-weighted levels and confidence intervals,
//! and the text form of numbers (`fmt_num`).
//!
//! Invariant: bounded memory (nothing here grows with the number of observations), no I/O.

mod ci;
mod erlang;
mod histogram;
mod level;
mod text;

pub use ci::{MeanCi, mean_ci, student_t_975, student_t_quantile};
pub use erlang::{Mmc, erlang_c};
pub use histogram::Histogram;
pub use level::{HourPiece, HourlyLevel, hour_pieces};
pub use text::fmt_num;
