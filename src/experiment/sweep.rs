//! Sweeps: variants of one scenario made by setting keys of its TOML document.
//!
//! A key is a dotted path into the scenario (`demand.scale`, `lanes.ready.booths`,
//! `classes.ready.share`, `lanes.general.service.mean`, `seed`, `horizon`); entries of the
//! `lanes` and `classes` arrays are addressed by their `id`. Every variant is written back to TOML
//! text and validated by the scenario parser like any file, so a bad value is reported with the
//! variant and the key.
//!
//! Class shares must sum to 1: when some shares are set, the classes whose share is not set are
//! rescaled proportionally to fill the rest; what cannot be rebalanced is rejected.

use serde::Deserialize;
use toml::{Table, Value};

use crate::scenario::edit;

/// Most variants one sweep may have.
pub const MAX_VARIANTS: usize = 1_000_000;

/// A bad sweep definition.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SweepError(pub String);

fn err<T>(msg: String) -> Result<T, SweepError> {
    Err(SweepError(msg))
}

/// One value to set: its text (as shown in `sweep.csv`) and its TOML value.
#[derive(Clone, Debug, PartialEq)]
pub struct SetValue {
    /// The value as written in output (`5`, `0.9`, `45s`).
    pub text: String,
    /// The TOML value written into the scenario.
    pub value: Value,
}

/// One axis of a grid: a key and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Dotted key path.
    pub key: String,
    /// Values, in order.
    pub values: Vec<SetValue>,
}

/// One variant: the keys it sets, in column order.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantSpec {
    /// `(key, value)` pairs.
    pub sets: Vec<(String, SetValue)>,
}

impl VariantSpec {
    /// `key=value, key=value`.
    pub fn label(&self) -> String {
        self.sets
            .iter()
            .map(|(k, v)| format!("{k}={}", v.text))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn scalar(token: &str, key: &str) -> Result<SetValue, SweepError> {
    let t = token.trim();
    if t.is_empty() {
        return err(format!("--vary {key}: empty value in the list"));
    }
    if let Ok(i) = t.parse::<i64>() {
        return Ok(SetValue {
            text: i.to_string(),
            value: Value::Integer(i),
        });
    }
    if let Ok(f) = t.parse::<f64>() {
        if !f.is_finite() {
            return err(format!("--vary {key}: {t:?} is not a finite number"));
        }
        return Ok(SetValue {
            text: crate::stats::fmt_num(f),
            value: Value::Float(f),
        });
    }
    match t {
        "true" | "false" => Ok(SetValue {
            text: t.to_string(),
            value: Value::Boolean(t == "true"),
        }),
        _ => Ok(SetValue {
            text: t.to_string(),
            value: Value::String(t.to_string()),
        }),
    }
}

fn decimals(lit: &str) -> Option<usize> {
    let lit = lit.trim();
    if lit.contains(['e', 'E']) {
        return None;
    }
    Some(lit.split_once('.').map_or(0, |(_, f)| f.len()))
}

fn range(token: &str, key: &str) -> Result<Vec<SetValue>, SweepError> {
    let (bounds, step) = match token.split_once(':') {
        Some((b, s)) => (b, Some(s.trim())),
        None => (token, None),
    };
    let Some((a, b)) = bounds.split_once("..") else {
        return err(format!("--vary {key}: bad range {token:?}"));
    };
    let (a, b) = (a.trim(), b.trim());
    let ints = (
        a.parse::<i64>(),
        b.parse::<i64>(),
        step.map(str::parse::<i64>),
    );
    if let (Ok(lo), Ok(hi), None | Some(Ok(_))) = ints {
        let st = match step {
            Some(s) => s.parse::<i64>().unwrap_or(1),
            None => 1,
        };
        if st <= 0 {
            return err(format!(
                "--vary {key}: the step of {token:?} must be positive"
            ));
        }
        if hi < lo {
            return err(format!(
                "--vary {key}: range {token:?} is empty (the end is below the start)"
            ));
        }
        let n = ((hi - lo) / st) as usize + 1;
        if n > MAX_VARIANTS {
            return err(format!("--vary {key}: range {token:?} has too many values"));
        }
        return Ok((0..n as i64)
            .map(|i| {
                let v = lo + i * st;
                SetValue {
                    text: v.to_string(),
                    value: Value::Integer(v),
                }
            })
            .collect());
    }
    let num = |s: &str| -> Result<f64, SweepError> {
        match s.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => err(format!(
                "--vary {key}: range {token:?}: {s:?} is not a number (ranges are START..END or START..END:STEP)"
            )),
        }
    };
    let (lo, hi) = (num(a)?, num(b)?);
    let Some(step_text) = step else {
        return err(format!(
            "--vary {key}: the decimal range {token:?} needs a step, e.g. {a}..{b}:0.1"
        ));
    };
    let st = num(step_text)?;
    if st <= 0.0 {
        return err(format!(
            "--vary {key}: the step of {token:?} must be positive"
        ));
    }
    if hi < lo {
        return err(format!(
            "--vary {key}: range {token:?} is empty (the end is below the start)"
        ));
    }
    let count = ((hi - lo) / st + 1e-9).floor() + 1.0;
    if count > MAX_VARIANTS as f64 {
        return err(format!("--vary {key}: range {token:?} has too many values"));
    }
    // Values are start + i * step, rounded to the decimals written in the range, so that
    // 0.8..1.2:0.1 gives 0.8, 0.9, 1, 1.1, 1.2 and not 0.9000000000000001.
    let places = [decimals(a), decimals(b), decimals(step_text)]
        .into_iter()
        .try_fold(0usize, |m, d| d.map(|d| m.max(d)));
    Ok((0..count as usize)
        .map(|i| {
            let raw = lo + i as f64 * st;
            let v = match places {
                Some(p) => format!("{raw:.p$}").parse::<f64>().unwrap_or(raw),
                None => format!("{raw:.12e}").parse::<f64>().unwrap_or(raw),
            };
            SetValue {
                text: crate::stats::fmt_num(v),
                value: Value::Float(v),
            }
        })
        .collect())
}

/// Parses the values of `--vary KEY=VALUES`: a comma-separated list of numbers or words, or
/// ranges `A..B` (integers, step 1), `A..B:STEP` (inclusive end).
pub fn parse_values(key: &str, text: &str) -> Result<Vec<SetValue>, SweepError> {
    let mut out = Vec::new();
    for token in text.split(',') {
        if token.contains("..") {
            out.extend(range(token.trim(), key)?);
        } else {
            out.push(scalar(token, key)?);
        }
    }
    Ok(out)
}

fn check_key(key: &str) -> Result<(), SweepError> {
    let ok = !key.is_empty()
        && key.split('.').all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        err(format!(
            "--vary: bad key {key:?} (expected a dotted path such as demand.scale or lanes.main.booths)"
        ))
    }
}

/// Parses one `--vary KEY=VALUES`.
pub fn parse_vary(spec: &str) -> Result<Axis, SweepError> {
    let Some((key, values)) = spec.split_once('=') else {
        return err(format!(
            "--vary: expected KEY=VALUES (e.g. lanes.main.booths=5,6,7 or demand.scale=0.8..1.2:0.1), got {spec:?}"
        ));
    };
    let key = key.trim();
    check_key(key)?;
    let values = parse_values(key, values)?;
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

/// The full grid of `axes`: the first axis varies slowest.
pub fn grid(axes: &[Axis]) -> Result<Vec<VariantSpec>, SweepError> {
    for (i, a) in axes.iter().enumerate() {
        if axes[..i].iter().any(|b| b.key == a.key) {
            return err(format!("--vary: key {} is varied twice", a.key));
        }
    }
    let total = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
        .filter(|&n| n <= MAX_VARIANTS);
    let Some(total) = total else {
        return err(format!(
            "the sweep has more than {MAX_VARIANTS} variants; split it"
        ));
    };
    let mut out = Vec::with_capacity(total);
    for mut i in 0..total {
        let mut sets = vec![None; axes.len()];
        for (j, a) in axes.iter().enumerate().rev() {
            let n = a.values.len();
            sets[j] = Some((a.key.clone(), a.values[i % n].clone()));
            i /= n;
        }
        out.push(VariantSpec {
            sets: sets.into_iter().flatten().collect(),
        });
    }
    Ok(out)
}

/// Sets `key` to `value` in the scenario document.
fn set_path(doc: &mut Table, key: &str, value: &Value) -> Result<(), String> {
    edit::apply(
        doc,
        &edit::Change {
            key: key.to_string(),
            op: edit::EditOp::Set(value.clone()),
            hours: None,
        },
    )
}

fn class_share_id(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("classes.")?;
    rest.strip_suffix(".share").filter(|id| !id.contains('.'))
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Rescales the shares of classes not in `fixed` so that all shares sum to 1.
fn rebalance_shares(doc: &mut Table, fixed: &[&str]) -> Result<(), String> {
    let Some(Value::Array(classes)) = doc.get_mut("classes") else {
        return Ok(());
    };
    let mut sum_fixed = 0.0;
    let mut sum_free = 0.0;
    let mut free = Vec::new();
    for c in classes.iter() {
        let id = c.get("id").and_then(Value::as_str).unwrap_or("");
        let share = c.get("share").and_then(as_number);
        let Some(share) = share else {
            return Err(format!("class {id:?} has no numeric share to rebalance"));
        };
        if fixed.contains(&id) {
            sum_fixed += share;
        } else {
            sum_free += share;
            free.push(id.to_string());
        }
    }
    let fixed_list = fixed.join(", ");
    if sum_fixed > 1.0 + 1e-9 {
        return Err(format!(
            "the shares set for {fixed_list} sum to {}, more than 1",
            crate::stats::fmt_num(sum_fixed)
        ));
    }
    let rest = 1.0 - sum_fixed;
    if free.is_empty() {
        if rest.abs() > 1e-9 {
            return Err(format!(
                "the shares set for {fixed_list} sum to {} and no other class is left to take the rest",
                crate::stats::fmt_num(sum_fixed)
            ));
        }
        return Ok(());
    }
    if sum_free <= 0.0 {
        if rest > 1e-9 {
            return Err(format!(
                "cannot rebalance shares: the other classes ({}) all have share 0",
                free.join(", ")
            ));
        }
        return Ok(());
    }
    let factor = rest.max(0.0) / sum_free;
    for c in classes.iter_mut() {
        let id = c
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if !free.contains(&id) {
            continue;
        }
        if let Some(Value::Table(t)) = Some(c) {
            let old = t.get("share").and_then(as_number).unwrap_or(0.0);
            t.insert("share".to_string(), Value::Float(old * factor));
        }
    }
    Ok(())
}

/// Whether a variant sets some class share (and so rebalances the others).
pub fn sets_class_share(spec: &VariantSpec) -> bool {
    spec.sets.iter().any(|(k, _)| class_share_id(k).is_some())
}

/// The scenario text of one variant of `base` (a parsed scenario document); errors name the key.
pub fn apply(base: &Table, spec: &VariantSpec) -> Result<String, SweepError> {
    let mut doc = base.clone();
    for (key, v) in &spec.sets {
        set_path(&mut doc, key, &v.value).map_err(|m| SweepError(format!("{key}: {m}")))?;
    }
    let fixed: Vec<&str> = spec
        .sets
        .iter()
        .filter_map(|(k, _)| class_share_id(k))
        .collect();
    if !fixed.is_empty() {
        rebalance_shares(&mut doc, &fixed).map_err(SweepError)?;
    }
    Ok(doc.to_string())
}

/// A sweep file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    base: String,
    replications: Option<u32>,
    #[serde(default)]
    vary: Vec<RawAxis>,
    #[serde(default)]
    variant: Vec<Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxis {
    key: String,
    values: Value,
}

/// A sweep file: a base scenario and either grid axes or explicit variants.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepFile {
    /// The base scenario file, relative to the sweep file's folder.
    pub base: String,
    /// Replications per variant (overrides the scenario).
    pub replications: Option<u32>,
    /// Grid axes (`[[vary]]`).
    pub axes: Vec<Axis>,
    /// Explicit variants (`[[variant]]`).
    pub variants: Vec<VariantSpec>,
}

fn value_to_set(key: &str, v: &Value) -> Result<Vec<SetValue>, SweepError> {
    match v {
        Value::String(s) => parse_values(key, s),
        Value::Array(items) => items.iter().map(|x| one_value(key, x)).collect(),
        other => Ok(vec![one_value(key, other)?]),
    }
}

fn one_value(key: &str, v: &Value) -> Result<SetValue, SweepError> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => crate::stats::fmt_num(*f),
        Value::Boolean(b) => b.to_string(),
        _ => {
            return err(format!(
                "{key}: values must be numbers, strings or booleans"
            ));
        }
    };
    Ok(SetValue {
        text,
        value: v.clone(),
    })
}

/// Whether a TOML document is a sweep file (it has a top-level `base` key) rather than a
/// scenario.
pub fn is_sweep_file(doc: &Table) -> bool {
    doc.contains_key("base")
}

/// Parses a sweep file; `file` names it in messages.
pub fn parse_sweep_file(text: &str, file: &str) -> Result<SweepFile, SweepError> {
    let raw: RawSweep = toml::from_str(text).map_err(|e| {
        SweepError(format!(
            "{file}: {}",
            e.to_string().trim().trim_end_matches('.')
        ))
    })?;
    if !raw.vary.is_empty() && !raw.variant.is_empty() {
        return err(format!(
            "{file}: give either [[vary]] (a grid) or [[variant]] (a list), not both"
        ));
    }
    let mut axes = Vec::new();
    for a in &raw.vary {
        check_key(&a.key).map_err(|e| SweepError(format!("{file}: {e}")))?;
        let values =
            value_to_set(&a.key, &a.values).map_err(|e| SweepError(format!("{file}: {e}")))?;
        axes.push(Axis {
            key: a.key.clone(),
            values,
        });
    }
    let mut variants = Vec::new();
    let mut keys: Option<Vec<String>> = None;
    for (i, t) in raw.variant.iter().enumerate() {
        let mut sets = Vec::new();
        for (k, v) in t {
            check_key(k).map_err(|e| SweepError(format!("{file}: variant {}: {e}", i + 1)))?;
            sets.push((k.clone(), one_value(k, v)?));
        }
        let these: Vec<String> = sets.iter().map(|(k, _)| k.clone()).collect();
        match &keys {
            None => keys = Some(these),
            Some(first) if *first != these => {
                return err(format!(
                    "{file}: variant {} sets {} but variant 1 sets {}: every [[variant]] must set the same keys",
                    i + 1,
                    these.join(", "),
                    first.join(", ")
                ));
            }
            Some(_) => {}
        }
        variants.push(VariantSpec { sets });
    }
    if axes.is_empty() && variants.is_empty() {
        return err(format!(
            "{file}: no variants (add [[vary]] tables with key and values, or [[variant]] tables)"
        ));
    }
    Ok(SweepFile {
        base: raw.base,
        replications: raw.replications,
        axes,
        variants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[SetValue]) -> Vec<&str> {
        v.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn lists_and_ranges() {
        assert_eq!(texts(&parse_values("k", "2,3,4").unwrap()), ["2", "3", "4"]);
        assert_eq!(
            texts(&parse_values("k", "2..5").unwrap()),
            ["2", "3", "4", "5"]
        );
        assert_eq!(
            texts(&parse_values("k", "2..8:3").unwrap()),
            ["2", "5", "8"]
        );
        let f = parse_values("k", "0.8..1.2:0.1").unwrap();
        assert_eq!(texts(&f), ["0.8", "0.9", "1", "1.1", "1.2"]);
        assert_eq!(f[1].value, Value::Float(0.9));
        assert_eq!(
            texts(&parse_values("k", "45s,1.5m").unwrap()),
            ["45s", "1.5m"]
        );
        assert!(parse_values("k", "0.8..1.2").is_err());
        assert!(parse_values("k", "5..2").is_err());
        assert!(parse_values("k", "1..2:0").is_err());
        assert!(parse_values("k", "1,,2").is_err());
        assert!(parse_vary("lanes.main.booths").is_err());
    }

    #[test]
    fn grid_order_first_axis_slowest() {
        let a = parse_vary("a=1,2").unwrap();
        let b = parse_vary("b=x,y,z").unwrap();
        let g = grid(&[a, b]).unwrap();
        let labels: Vec<String> = g.iter().map(VariantSpec::label).collect();
        assert_eq!(labels[0], "a=1, b=x");
        assert_eq!(labels[1], "a=1, b=y");
        assert_eq!(labels[3], "a=2, b=x");
        assert_eq!(g.len(), 6);
    }

    const DOC: &str = r#"
name = "t"
horizon = "1d"
[demand]
rate = 100
[[classes]]
id = "a"
share = 0.5
lanes = ["main"]
[[classes]]
id = "b"
share = 0.3
lanes = ["main"]
[[classes]]
id = "c"
share = 0.2
lanes = ["main"]
[[lanes]]
id = "main"
booths = 3
service = { dist = "exponential", mean = "45s" }
"#;

    #[test]
    fn edits_and_rebalances() {
        let doc: Table = DOC.parse().unwrap();
        let spec = VariantSpec {
            sets: vec![
                ("lanes.main.booths".into(), scalar("4", "k").unwrap()),
                ("classes.a.share".into(), scalar("0.75", "k").unwrap()),
            ],
        };
        let text = apply(&doc, &spec).unwrap();
        let out: Table = text.parse().unwrap();
        let lanes = out["lanes"].as_array().unwrap();
        assert_eq!(lanes[0]["booths"].as_integer(), Some(4));
        let classes = out["classes"].as_array().unwrap();
        let shares: Vec<f64> = classes
            .iter()
            .map(|c| c["share"].as_float().unwrap())
            .collect();
        assert_eq!(shares[0], 0.75);
        assert!((shares[1] - 0.15).abs() < 1e-12 && (shares[2] - 0.1).abs() < 1e-12);
        let parsed = crate::scenario::parse_str(&text, "v");
        assert!(parsed.is_ok(), "{text}\n{parsed:?}");
    }

    #[test]
    fn clear_errors() {
        let doc: Table = DOC.parse().unwrap();
        let one = |k: &str, v: &str| VariantSpec {
            sets: vec![(k.into(), scalar(v, "k").unwrap())],
        };
        let e = apply(&doc, &one("lanes.ready.booths", "2")).unwrap_err();
        assert!(
            e.0.contains("lanes: no entry with id \"ready\" (ids are: main)"),
            "{e}"
        );
        let e = apply(&doc, &one("lanes.main", "2")).unwrap_err();
        assert!(e.0.contains("whole entry"), "{e}");
        let e = apply(&doc, &one("classes.a.share", "1.2")).unwrap_err();
        assert!(e.0.contains("more than 1"), "{e}");
        let e = apply(&doc, &one("demand.rate.x", "1")).unwrap_err();
        assert!(
            e.0.contains("demand.rate: is integer, cannot look up"),
            "{e}"
        );
    }

    #[test]
    fn sweep_files() {
        let f = parse_sweep_file(
            "base = \"s.toml\"\nreplications = 2\n[[vary]]\nkey = \"demand.scale\"\nvalues = \"0.9..1.1:0.1\"\n[[vary]]\nkey = \"lanes.main.booths\"\nvalues = [3, 4]\n",
            "s.sweep.toml",
        )
        .unwrap();
        assert_eq!(f.axes.len(), 2);
        assert_eq!(grid(&f.axes).unwrap().len(), 6);
        let e = parse_sweep_file("base = \"s.toml\"\n", "f").unwrap_err();
        assert!(e.0.contains("no variants"), "{e}");
        let e = parse_sweep_file(
            "base = \"s\"\n[[variant]]\na = 1\n[[variant]]\nb = 2\n",
            "f",
        )
        .unwrap_err();
        assert!(e.0.contains("same keys"), "{e}");
    }
}
