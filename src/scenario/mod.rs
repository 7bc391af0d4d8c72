//! The scenario file format (TOML): parse with spans, validate everything, build a
//! [`PortConfig`](crate::port::PortConfig).
//!
//! Every problem is reported, not only the first, each as
//! `FILE:LINE:COL: key: what is wrong (got X, expected Y)`. Unknown keys are errors.

mod duration;
pub mod edit;
mod error;
mod parse;

pub use duration::parse_duration_s;
pub use error::{Diagnostic, ScenarioError};
pub(crate) use parse::hex_sha256;
pub use parse::{Scenario, load_file, parse_str};

#[cfg(test)]
mod calendar_tests;
