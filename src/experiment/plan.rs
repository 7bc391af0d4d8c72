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
    /// The scenario's name (given when the text has none: files may be named after it).
    pub name: String,
    /// The seed used (it may override the text's).
    pub seed: u64,
    /// Names this variant's job records: a hash of garita's build identity (version and model
    /// source hash), the text and the seed.
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

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The key naming a variant's job records: `build` is garita's build identity.
pub fn job_key(build: &str, text: &str, seed: u64) -> String {
    sha256_hex(format!("garita {build}\nseed {seed}\n{text}").as_bytes())
}

/// Validates `text`, naming the scenario `name` when the text has no `name` of its own.
fn parse_named(text: &str, source_name: &str, name: &str) -> Result<PortConfig, ScenarioError> {
    let unnamed = text
        .parse::<toml::Table>()
        .is_ok_and(|t| !t.contains_key("name"));
    if unnamed && !name.is_empty() {
        let named = format!("name = {}\n{text}", toml::Value::String(name.to_string()));
        Ok(scenario::parse_str(&named, source_name)?.config)
    } else {
        Ok(scenario::parse_str(text, source_name)?.config)
    }
}

impl PlanVariant {
    /// A variant of `text`, validated (the seed overrides the text's when given); `build` keys
    /// its job records (garita's build identity). `name` is the
    /// scenario's name, used when the text has none (a file named after its scenario).
    pub fn new(
        build: &str,
        label: String,
        values: Vec<String>,
        source_name: String,
        text: String,
        name: &str,
        seed: Option<u64>,
    ) -> Result<(PlanVariant, PortConfig), ScenarioError> {
        let config = parse_named(&text, &source_name, name)?;
        let seed = seed.unwrap_or(config.seed);
        let v = PlanVariant {
            label,
            values,
            source_name,
            source_hash: sha256_hex(text.as_bytes()),
            job_key: job_key(build, &text, seed),
            name: config.name.clone(),
            text,
            seed,
        };
        let mut config = config;
        config.seed = seed;
        Ok((v, config))
    }

    /// Validates the variant's text again and applies the plan's seed and replications.
    pub fn config(&self, replications: u32) -> Result<PortConfig, ScenarioError> {
        let mut c = parse_named(&self.text, &self.source_name, &self.name)?;
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
