//! Scenario variants for pilot interventions: edits applied with [`crate::scenario::edit`] and
//! re-validated, with messages that name the pilot file, intervention and site.

use toml::Table;

use super::AnalysisError;
use crate::scenario::edit::{Change, apply};
use crate::scenario::{Scenario, ScenarioError, parse_str};

/// Applies `changes` to scenario text and validates the result with the scenario parser;
/// `label` names the edited document in messages.
pub fn edited_scenario(
    text: &str,
    label: &str,
    changes: &[Change],
) -> Result<Scenario, AnalysisError> {
    let mut doc: Table = text
        .parse()
        .map_err(|e: toml::de::Error| AnalysisError::Input(format!("{label}: {e}")))?;
    for c in changes {
        apply(&mut doc, c).map_err(|e| AnalysisError::Input(format!("{label}: {e}")))?;
    }
    let edited = toml::to_string(&doc).map_err(|e| {
        AnalysisError::Input(format!("{label}: cannot write the edited scenario: {e}"))
    })?;
    // Lines and columns would point into the edited text, which nobody sees: report the key.
    parse_str(&edited, label).map_err(|e| match e {
        ScenarioError::Invalid(diags) => AnalysisError::Input(
            diags
                .iter()
                .map(|d| format!("{label}: {}: {}", d.key, d.message))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        other => AnalysisError::Scenario(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::edit::{EditOp, parse_hours};
    use toml::Value;
    const TEXT: &str = crate::scenario::edit::TEST_SCENARIO;

    fn change(key: &str, op: EditOp, hours: Option<&str>) -> Change {
        Change {
            key: key.to_string(),
            op,
            hours: hours.and_then(parse_hours),
        }
    }

    #[test]
    fn edits_by_id_and_hours() {
        let s = edited_scenario(
            TEXT,
            "t.toml",
            &[
                change("lanes.general.booths", EditOp::Add(-2.0), None),
                change("lanes.ready.booths", EditOp::Add(2.0), Some("06-10")),
                change("lanes.ready.service.mean", EditOp::Set("30s".into()), None),
                change("demand.scale", EditOp::Set(Value::Float(1.2)), None),
            ],
        )
        .expect("valid edits");
        let c = &s.config;
        assert_eq!(c.lanes[0].booths, [2; 24]);
        assert_eq!(c.lanes[1].booths[5], 1);
        assert_eq!(c.lanes[1].booths[6], 3);
        assert_eq!(c.lanes[1].booths[9], 3);
        assert_eq!(c.lanes[1].booths[10], 1);
        assert_eq!(c.lanes[1].service.mean_s(), 30.0);
        assert_eq!(c.demand.scale, 1.2);
    }

    #[test]
    fn bad_edits_are_clear() {
        let e = edited_scenario(
            TEXT,
            "t.toml",
            &[change("lanes.sentri.booths", EditOp::Add(1.0), None)],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("lanes: no entry with id \"sentri\" (ids are: general, ready)"),
            "{e}"
        );
        let e = edited_scenario(
            TEXT,
            "t.toml",
            &[change(
                "lanes.ready.boths",
                EditOp::Set(Value::Integer(2)),
                None,
            )],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("lanes[1].boths: unknown key"), "{e}");
        assert!(e.contains("did you mean `booths`?"), "{e}");
        let e = edited_scenario(
            TEXT,
            "t.toml",
            &[change("lanes.general.booths", EditOp::Add(-5.0), None)],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("lanes.general.booths: the change makes 4 negative"),
            "{e}"
        );
        let e = edited_scenario(
            TEXT,
            "t.toml",
            &[change("lanes.ready.booths", EditOp::Add(4.0), None)],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("max_booths: must be at least the most booths ever open (5)"),
            "{e}"
        );
    }
}
