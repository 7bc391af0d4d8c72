//! `demand.staffing_elasticity`, `demand.staffing_lanes` and `demand.month_factors`: demand that
//! follows the booths open, and demand that varies by calendar month.

use toml::de::{DeTable, DeValue};

use super::{Ctx, show};
use crate::port::{Date, LaneConfig, StaffingDemand, staffing_reference};

impl Ctx<'_> {
    /// The two keys' values as far as they can be checked without the lanes and the calendar:
    /// the elasticity (0 to 1) and the 12 month factors (each at least 0). Each is `Some(None)`
    /// when absent and None when wrong (reported).
    #[allow(clippy::type_complexity)] // two independent optional results
    pub(super) fn demand_shift(
        &mut self,
        t: &DeTable<'_>,
    ) -> (Option<Option<StaffingDemand>>, Option<Option<[f64; 12]>>) {
        let staffing = match Self::get(t, "staffing_elasticity") {
            Some(v) => self.float(v, "demand.staffing_elasticity").and_then(|e| {
                if (0.0..=1.0).contains(&e) {
                    Some(Some(StaffingDemand {
                        basis: None,
                        elasticity: e,
                        lanes: Vec::new(),
                        reference: [0.0; 24],
                    }))
                } else {
                    self.err(
                        v.span(),
                        "demand.staffing_elasticity",
                        format!(
                            "out of range (got {e}, expected 0 to 1: the exponent of booths open over typical booths open)"
                        ),
                    );
                    None
                }
            }),
            None => {
                if let Some(v) = Self::get(t, "staffing_lanes") {
                    self.err(
                        v.span(),
                        "demand.staffing_lanes",
                        "needs `staffing_elasticity` (the exponent of booths open over typical booths open)"
                            .to_string(),
                    );
                    None
                } else {
                    Some(None)
                }
            }
        };
        let months = match Self::get(t, "month_factors") {
            Some(v) => self
                .numbers::<12>(v, "demand.month_factors", "factors, January first", |x| {
                    (x < 0.0).then(|| format!("must not be negative, got {x}"))
                })
                .map(Some),
            None => Some(None),
        };
        (staffing, months)
    }

    /// Resolves `staffing_lanes` against the lanes (all lanes when absent) and fixes the
    /// reference booths; checks that `month_factors` has a `start`. False when something is
    /// wrong (reported).
    pub(super) fn demand_links(
        &mut self,
        root: &DeTable<'_>,
        demand: &mut crate::port::DemandConfig,
        lanes: &[(String, LaneConfig)],
        start: Option<Date>,
    ) -> bool {
        let Some(table) = Self::get(root, "demand").and_then(|v| match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        }) else {
            return true;
        };
        let mut ok = true;
        if demand.month_factors.is_some()
            && start.is_none()
            && let Some(v) = Self::get(table, "month_factors")
        {
            self.err(
                v.span(),
                "demand.month_factors",
                "month factors need a `start` date for day 0 (e.g. start = \"2025-09-01\")"
                    .to_string(),
            );
            ok = false;
        }
        let Some(s) = demand.staffing.as_mut() else {
            return ok;
        };
        let which: Vec<usize> = match Self::get(table, "staffing_lanes") {
            None => (0..lanes.len()).collect(),
            Some(v) => {
                let DeValue::Array(items) = v.get_ref() else {
                    self.err(
                        v.span(),
                        "demand.staffing_lanes",
                        format!("expected an array of lane ids, got {}", show(v.get_ref())),
                    );
                    return false;
                };
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let path = format!("demand.staffing_lanes[{i}]");
                    let Some(id) = self.string(item, &path) else {
                        ok = false;
                        continue;
                    };
                    match lanes.iter().position(|(l, _)| *l == id) {
                        Some(j) if !out.contains(&j) => out.push(j),
                        Some(_) => {
                            self.err(item.span(), &path, format!("lane {id:?} is listed twice"));
                            ok = false;
                        }
                        None => {
                            let have: Vec<&str> = lanes.iter().map(|(l, _)| l.as_str()).collect();
                            self.err(
                                item.span(),
                                &path,
                                format!("unknown lane {id:?} (lanes: {})", have.join(", ")),
                            );
                            ok = false;
                        }
                    }
                }
                if out.is_empty() && ok {
                    self.err(
                        v.span(),
                        "demand.staffing_lanes",
                        "expected at least one lane id".to_string(),
                    );
                    ok = false;
                }
                out
            }
        };
        let configs: Vec<LaneConfig> = lanes.iter().map(|(_, l)| l.clone()).collect();
        s.reference = staffing_reference(&configs, &which);
        s.lanes = which;
        ok
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{ScenarioError, parse_str};

    const BASE: &str = "name = \"t\"\nhorizon = \"2d\"\n\
        [[classes]]\nid = \"c\"\nshare = 1\nlanes = [\"a\", \"b\"]\n\
        [[lanes]]\nid = \"a\"\nkind = \"general\"\nbooths = 2\nservice = { dist = \"exponential\", mean = \"60s\" }\n\
        [[lanes]]\nid = \"b\"\nkind = \"ready\"\nbooths = [1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 1]\nservice = { dist = \"exponential\", mean = \"60s\" }\n";

    fn problems(head: &str, demand: &str) -> Vec<String> {
        let text = format!("{head}{BASE}[demand]\nrate = 50\n{demand}");
        match parse_str(&text, "t.toml") {
            Ok(_) => Vec::new(),
            Err(ScenarioError::Invalid(d)) => d
                .iter()
                .map(|d| format!("{}:{}: {}: {}", d.line, d.column, d.key, d.message))
                .collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn staffing_and_month_keys_are_checked() {
        let ok = parse_str(
            &format!(
                "start = \"2025-09-01\"\n{BASE}[demand]\nrate = 50\nstaffing_elasticity = 0.5\nstaffing_lanes = [\"b\"]\nmonth_factors = [1, 1, 1, 1, 1, 1, 1, 1, 0.9, 1, 1, 1]\n"
            ),
            "t.toml",
        )
        .expect("valid");
        let s = ok.config.demand.staffing.as_ref().expect("staffing");
        assert_eq!(s.lanes, [1]);
        assert_eq!(s.reference[0], 1.0);
        assert_eq!(s.reference[6], 3.0);
        assert_eq!(ok.config.demand.month_factors.expect("months")[8], 0.9);
        // Default: every lane counts.
        let all = parse_str(
            &format!("{BASE}[demand]\nrate = 50\nstaffing_elasticity = 1\n"),
            "t.toml",
        )
        .expect("valid");
        let s = all.config.demand.staffing.as_ref().expect("staffing");
        assert_eq!((s.lanes.clone(), s.reference[6]), (vec![0, 1], 5.0));

        let p = problems("", "staffing_elasticity = 1.5\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains("demand.staffing_elasticity: out of range (got 1.5, expected 0 to 1"),
            "{p:?}"
        );
        let p = problems("", "staffing_lanes = [\"a\"]\n");
        assert!(
            p[0].contains("demand.staffing_lanes: needs `staffing_elasticity`"),
            "{p:?}"
        );
        let p = problems(
            "",
            "staffing_elasticity = 0.5\nstaffing_lanes = [\"a\", \"x\", \"a\"]\n",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].contains("demand.staffing_lanes[1]: unknown lane \"x\" (lanes: a, b)"),
            "{p:?}"
        );
        assert!(
            p[1].contains("demand.staffing_lanes[2]: lane \"a\" is listed twice"),
            "{p:?}"
        );
        let p = problems("", "month_factors = [1, 1, 1]\n");
        assert!(
            p[0].contains("demand.month_factors: expected 12 values"),
            "{p:?}"
        );
        let p = problems("", "month_factors = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("19:17: demand.month_factors: month factors need a `start` date"),
            "{p:?}"
        );
        let p = problems(
            "start = \"2025-09-01\"\n",
            "month_factors = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, 1]\n",
        );
        assert!(
            p[0].contains("demand.month_factors[10]: must not be negative, got -1"),
            "{p:?}"
        );
    }
}
