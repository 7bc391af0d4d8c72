//! `[response]`, `demand.day_sd` and `classes[*].tolerance`: travellers who react to the posted
//! wait, and day-to-day swings of demand.

use toml::de::{DeTable, DeValue};

use super::{Ctx, Val, key_path};
use crate::engine::SimTime;
use crate::port::{ClassConfig, ResponseConfig};

/// Largest `day_sd`: a log-sd of 2 already spreads a day's demand over a factor of 50.
const MAX_DAY_SD: f64 = 2.0;
/// Largest `max_shifts`.
const MAX_SHIFTS: i64 = 100;

impl Ctx<'_> {
    /// `demand.day_sd`: the log-sd of each day's demand factor, 0 to 2.
    pub(super) fn day_sd(&mut self, v: &Val<'_>) -> Option<f64> {
        let x = self.float(v, "demand.day_sd")?;
        if (0.0..=MAX_DAY_SD).contains(&x) {
            Some(x)
        } else {
            self.err(
                v.span(),
                "demand.day_sd",
                format!("out of range (got {x}, expected 0 to {MAX_DAY_SD}: the standard deviation of the log of a day's demand factor)"),
            );
            None
        }
    }

    /// The `[response]` table, if any, checked against the classes' own tolerances: a class
    /// tolerance needs a `[response]`, and a `[response]` without a tolerance needs one in every
    /// class. `None` when something is wrong (reported).
    pub(super) fn response_and_tolerances(
        &mut self,
        root: &DeTable<'_>,
        classes: Option<&[ClassConfig]>,
    ) -> Option<Option<ResponseConfig>> {
        let table = Self::get(root, "response");
        let response = match table {
            Some(v) => match self.table(v, "response") {
                Some(t) => Some(self.response(t)),
                None => Some(None),
            },
            None => None,
        };
        let mut ok = true;
        // Spans of the classes' tolerance keys, by class index.
        let mut with_own = Vec::new();
        if let Some(v) = Self::get(root, "classes")
            && let DeValue::Array(items) = v.get_ref()
        {
            for (i, item) in items.iter().enumerate() {
                if let DeValue::Table(t) = item.get_ref()
                    && let Some((k, _)) = t.iter().find(|(k, _)| {
                        let s: &str = k.get_ref();
                        s == "tolerance"
                    })
                {
                    with_own.push((i, k.span()));
                }
            }
        }
        match (&response, table) {
            (None, _) => {
                for (i, span) in &with_own {
                    self.err(
                        span.clone(),
                        &format!("classes[{i}].tolerance"),
                        "only used with a [response] table (got a tolerance, expected a [response] table too, or no tolerance)".to_string(),
                    );
                    ok = false;
                }
            }
            (Some(Some(rc)), Some(v)) if rc.tolerance.is_none() => {
                if let Some(cs) = classes {
                    let missing: Vec<&str> = cs
                        .iter()
                        .filter(|c| c.tolerance.is_none())
                        .map(|c| c.id.as_str())
                        .collect();
                    if !missing.is_empty() {
                        self.err(
                            v.span(),
                            "response.tolerance",
                            format!(
                                "missing required key (classes without their own tolerance: {}; expected a distribution such as {{ dist = \"lognormal\", mean = \"75m\", sd = \"40m\" }})",
                                missing.join(", ")
                            ),
                        );
                        ok = false;
                    }
                }
            }
            _ => {}
        }
        match response {
            None => ok.then_some(None),
            Some(Some(rc)) => ok.then_some(Some(rc)),
            Some(None) => None,
        }
    }

    fn response(&mut self, t: &DeTable<'_>) -> Option<ResponseConfig> {
        self.check_keys(
            t,
            "response",
            &[
                "posted_update",
                "posted_lag",
                "tolerance",
                "shift",
                "shift_delay",
                "max_shifts",
            ],
        );
        let posted_update = self.positive_duration(t, "posted_update", 3600.0);
        let posted_lag = match Self::get(t, "posted_lag") {
            Some(x) => self.duration(x, "response.posted_lag"),
            None => Some(0.0),
        };
        let shift_delay = self.positive_duration(t, "shift_delay", 3600.0);
        let tolerance = match Self::get(t, "tolerance") {
            Some(x) => self
                .table(x, "response.tolerance")
                .and_then(|tt| self.service(tt, x, "response.tolerance"))
                .map(Some),
            None => Some(None),
        };
        let shift = match Self::get(t, "shift") {
            Some(x) => self.float(x, "response.shift").and_then(|s| {
                if (0.0..=1.0).contains(&s) {
                    Some(s)
                } else {
                    self.err(
                        x.span(),
                        "response.shift",
                        format!("out of range (got {s}, expected a share from 0 to 1)"),
                    );
                    None
                }
            }),
            None => Some(0.0),
        };
        let max_shifts = match Self::get(t, "max_shifts") {
            Some(x) => self.integer(x, "response.max_shifts").and_then(|n| {
                if (0..=MAX_SHIFTS).contains(&n) {
                    Some(n as u32)
                } else {
                    self.err(
                        x.span(),
                        "response.max_shifts",
                        format!("out of range (got {n}, expected 0 to {MAX_SHIFTS})"),
                    );
                    None
                }
            }),
            None => Some(1),
        };
        Some(ResponseConfig {
            posted_update: SimTime::from_secs_f64(posted_update?),
            posted_lag: SimTime::from_secs_f64(posted_lag?),
            tolerance: tolerance?,
            shift: shift?,
            shift_delay: SimTime::from_secs_f64(shift_delay?),
            max_shifts: max_shifts?,
        })
    }

    /// A duration key of `[response]` that must be positive (at least a second), with a default.
    fn positive_duration(&mut self, t: &DeTable<'_>, key: &str, default_s: f64) -> Option<f64> {
        let Some(v) = Self::get(t, key) else {
            return Some(default_s);
        };
        let path = key_path("response", key);
        let d = self.duration(v, &path)?;
        if d < 1.0 {
            self.err(
                v.span(),
                &path,
                format!("too short (got {d} s, expected at least 1 s)"),
            );
            return None;
        }
        Some(d)
    }
}
