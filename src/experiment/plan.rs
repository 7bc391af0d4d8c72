//! The plan of a batch experiment: every variant's scenario text and replications, in job order.
//!
//! The plan is written as `manifest.json` next to the results. It holds everything needed to
//! finish the experiment elsewhere (`garita merge` rebuilds the results from the plan and the
//! job records alone), and each variant's job key names its records, so that a changed scenario
//! never reuses stale results.

use serde::{Deserialize, Serialize};

use crate::port::PortConfig;
use crate::scenario::{self, ScenarioError};

/// What kind of experiment a plan describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanKind {
    /// A baseline (variant 0) against alternatives, with common random numbers.
    Compare,
    /// Variants of one scenario.
    Sweep,
}

/// One variant of a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVariant {
    /// How messages name the variant (file name, or the values it sets).
    pub label: String,
    /// For sweeps, the values of the plan's columns (as text).
    pub values: Vec<String>,
    /// The scenario source as named on the command line.
    pub source_name: String,
    /// SHA-256 of the scenario text.
    pub source_hash: String,
    /// The scenario text.
    pub text: String,
    /// The seed used (it may override the text's).
    pub seed: u64,
    /// Names this variant's job records: a hash of garita's version, the text and the seed.
    pub job_key: String,
}

/// A batch experiment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// garita's version.
    pub garita_version: String,
    /// Compare or sweep.
    pub kind: PlanKind,
    /// Replications of every variant.
    pub replications: u32,
    /// For sweeps, the varied keys.
    pub columns: Vec<String>,
    /// For sweeps that set class shares: other shares are rebalanced proportionally.
    pub rebalanced_shares: bool,
    /// The variants, in job order.
    pub variants: Vec<PlanVariant>,
}

/// The key naming a variant's job records.
pub fn job_key(version: &str, text: &str, seed: u64) -> String {
    use sha2::{Digest, Sha256};
    let material = format!("garita {version}\nseed {seed}\n{text}");
    Sha256::digest(material.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl PlanVariant {
    /// A variant of `text`, validated (the seed overrides the text's when given).
    pub fn new(
        version: &str,
        label: String,
        values: Vec<String>,
        source_name: String,
        text: String,
        seed: Option<u64>,
    ) -> Result<(PlanVariant, PortConfig), ScenarioError> {
        let sc = scenario::parse_str(&text, &source_name)?;
        let seed = seed.unwrap_or(sc.config.seed);
        let v = PlanVariant {
            label,
            values,
            source_name,
            source_hash: sc.source_hash.clone(),
            job_key: job_key(version, &text, seed),
            text,
            seed,
        };
        let mut config = sc.config;
        config.seed = seed;
        Ok((v, config))
    }

    /// Validates the variant's text again and applies the plan's seed and replications.
    pub fn config(&self, replications: u32) -> Result<PortConfig, ScenarioError> {
        let mut c = scenario::parse_str(&self.text, &self.source_name)?.config;
        c.seed = self.seed;
        c.replications = replications;
        Ok(c)
    }
}

impl Plan {
    /// `manifest.json` bytes.
    pub fn to_json(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).expect("a plan always serializes");
        s.push('\n');
        s.into_bytes()
    }

    /// Reads `manifest.json` bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Plan, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }

    /// Every variant's configuration, with the plan's replications.
    pub fn configs(&self) -> Result<Vec<PortConfig>, ScenarioError> {
        self.variants
            .iter()
            .map(|v| v.config(self.replications))
            .collect()
    }
}
