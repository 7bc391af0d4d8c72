//! Analyses built on experiments: the staffing search (`staff`), scenario edits for
//! interventions, and the neutral pilot-site ranking (`pilot`).
//!
//! Invariant: every simulation goes through `experiment::run_replications` with the scenario's
//! own seed, so a baseline and each candidate share common random numbers; nothing here reads
//! files except the pilot loader, and nothing writes files.

pub mod calibrate;
pub mod edit;
pub mod observed;
pub mod pilot;
pub mod rank;
pub mod staff;
pub mod target;

pub use staff::{HourStatus, LaneHour, StaffConfig, StaffResult, search as staff_search};
pub use target::{HourCheck, Target};

use crate::experiment::ExperimentError;
use crate::scenario::ScenarioError;

/// Why an analysis failed.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// Bad input: an invalid target, pilot file or intervention (exit code 2).
    #[error("{0}")]
    Input(String),
    /// An invalid scenario (exit code 2).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The simulations could not run (exit code 1).
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
}

impl AnalysisError {
    /// 2 for bad input, 1 for runtime failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            AnalysisError::Input(_) | AnalysisError::Scenario(_) => 2,
            AnalysisError::Experiment(_) => 1,
        }
    }
}
