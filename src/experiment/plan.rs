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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanVariant {
    /// How messages name the variant (file name, or the values it sets).
    pub label: String,
    /// For sweeps, the values of the plan's columns (as text).
    pub values: Vec<String>,
    /// The scenario source as named on the command line.
    pub source_name: String,
    /// SHA-256 of the scenario text.
    pub source_hash: String,
    /// The scenario text (empty in a sweep's plan: rebuilt from the plan's base text and
    /// `sets`, so that the manifest holds the base once rather than once per variant).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// For sweeps, the `(key, value)` edits that make this variant's text from the base text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<(String, toml::Value)>,
    /// The scenario's name (given when the text has none: files may be named after it).
    pub name: String,
    /// The seed used (it may override the text's).
    pub seed: u64,
    /// Names this variant's job records: a hash of garita's build identity (version and model
    /// source hash), the text and the seed.
    pub job_key: String,
}

/// A batch experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// For sweeps, the base scenario's text that each variant's `sets` edit.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub base_text: String,
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

/// The text a job key hashes: the scenario's, and the booths of any series it replays (a
/// series file can change while the scenario text does not).
pub fn keyed_text(text: &str, config: &PortConfig) -> String {
    let series: Vec<_> = config
        .lanes
        .iter()
        .filter_map(|l| l.booths_by_date.as_ref().map(|s| (&l.id, s)))
        .collect();
    if series.is_empty() {
        text.to_string()
    } else {
        format!("{text}\n# booth series {series:?}")
    }
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
            job_key: job_key(build, &keyed_text(&text, &config), seed),
            name: config.name.clone(),
            text,
            sets: Vec::new(),
            seed,
        };
        let mut config = config;
        config.seed = seed;
        Ok((v, config))
    }

    /// Validates `text` (this variant's) again and applies the plan's seed and replications.
    fn config(&self, text: &str, replications: u32) -> Result<PortConfig, ScenarioError> {
        let mut c = parse_named(text, &self.source_name, &self.name)?;
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

    /// Makes the manifest compact: each variant keeps only its edits of `base_text` (the
    /// variants' texts must be those the edits give: `sweep::apply`).
    pub fn compact(&mut self, base_text: &str, sets: Vec<Vec<(String, toml::Value)>>) {
        self.base_text = base_text.to_string();
        for (v, s) in self.variants.iter_mut().zip(sets) {
            v.text.clear();
            v.sets = s;
        }
    }

    /// Variant `i`'s scenario text: its own, or the base text with its edits.
    pub fn text(&self, i: usize) -> Result<String, ScenarioError> {
        let v = &self.variants[i];
        if !v.text.is_empty() || self.base_text.is_empty() {
            return Ok(v.text.clone());
        }
        let invalid = |key: &str, message: String| {
            ScenarioError::Invalid(vec![scenario::Diagnostic {
                file: v.source_name.clone(),
                line: 0,
                column: 0,
                key: key.to_string(),
                message,
            }])
        };
        let doc: toml::Table = self
            .base_text
            .parse()
            .map_err(|e| invalid("", format!("invalid base text in the manifest: {e}")))?;
        let spec = super::sweep::VariantSpec {
            sets: v
                .sets
                .iter()
                .map(|(k, value)| {
                    (
                        k.clone(),
                        super::sweep::SetValue {
                            text: String::new(),
                            value: value.clone(),
                        },
                    )
                })
                .collect(),
        };
        super::sweep::apply(&doc, &spec).map_err(|e| invalid("", e.to_string()))
    }

    /// Every variant's configuration, with the plan's replications.
    pub fn configs(&self) -> Result<Vec<PortConfig>, ScenarioError> {
        (0..self.variants.len())
            .map(|i| self.variants[i].config(&self.text(i)?, self.replications))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::sweep;

    /// A compact sweep plan (base text once, each variant's edits) gives back every variant's
    /// exact text and configuration after a JSON round trip, share rebalancing included.
    #[test]
    fn compact_plans_rebuild_every_variant_text() {
        let base = "name = \"b\"\nhorizon = \"1d\"\n[demand]\nrate = 60\n[[classes]]\nid = \"g\"\nshare = 0.5\nlanes = [\"m\"]\n[[classes]]\nid = \"r\"\nshare = 0.5\nlanes = [\"m\"]\n[[lanes]]\nid = \"m\"\nbooths = 2\nservice = { dist = \"exponential\", mean = \"50s\" }\n";
        let doc: toml::Table = base.parse().expect("toml");
        let axes = vec![
            sweep::parse_vary("lanes.m.booths=2..3").expect("vary"),
            sweep::parse_vary("classes.r.share=0.25,0.8").expect("vary"),
            sweep::parse_vary("demand.scale=0.9..1.1:0.1").expect("vary"),
        ];
        let specs = sweep::grid(&axes).expect("grid");
        let mut variants = Vec::new();
        let mut texts = Vec::new();
        for spec in &specs {
            let text = sweep::apply(&doc, spec).expect("applies");
            let (v, _) = PlanVariant::new(
                "build",
                spec.label(),
                Vec::new(),
                "b.toml".into(),
                text.clone(),
                "b",
                None,
            )
            .expect("valid");
            variants.push(v);
            texts.push(text);
        }
        let mut plan = Plan {
            garita_version: "0".into(),
            kind: PlanKind::Sweep,
            replications: 2,
            columns: Vec::new(),
            rebalanced_shares: true,
            variants,
            base_text: String::new(),
        };
        let full = plan.to_json().len();
        let configs = plan.configs().expect("configs");
        let sets = specs
            .iter()
            .map(|s| {
                s.sets
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect()
            })
            .collect();
        plan.compact(base, sets);
        let back = Plan::from_json(&plan.to_json()).expect("json");
        assert!(
            plan.to_json().len() < full,
            "compact: {} vs {full}",
            plan.to_json().len()
        );
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(&back.text(i).expect("text"), t, "variant {i}");
        }
        assert_eq!(back.configs().expect("configs"), configs);
    }
}
