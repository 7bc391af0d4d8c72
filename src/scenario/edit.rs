//! Edits to a scenario's TOML document by key path: the one mechanism behind sweeps
//! (`--vary`) and pilot interventions. The edited document is then written back to text and
//! validated by [`parse_str`](super::parse_str) like any scenario file, so an edit can change
//! anything a scenario file can say and an unknown key is reported the same way.
//!
//! A key path is dotted; in an array of tables (`lanes`, `classes`, `flex`) the next part is an
//! entry's `id` (or its 0-based index): `lanes.general.booths`, `classes.ready.share`,
//! `lanes.ready.service.mean`, `demand.scale`. Setting a whole entry to a table adds it (or
//! replaces the entry with that id), creating the array when the scenario has none:
//! `flex.gate = { booths = 1, lanes = ["general", "ready"], rule = { ... } }`.
//! `add` and `scale` on a day-type table (`booths = { weekday = [...], saturday = [...] }`)
//! change every day type it gives, so an edit never turns such a table into one array.

use toml::{Table, Value};

/// What a change does to the value at its key.
#[derive(Clone, Debug, PartialEq)]
pub enum EditOp {
    /// Replace the value (or add the key).
    Set(Value),
    /// Add to a number, or to every element (or the selected hours) of an array of numbers.
    Add(f64),
    /// Multiply a number, or every element (or the selected hours) of an array of numbers.
    Scale(f64),
}

/// One change to a scenario document.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Dotted key path.
    pub key: String,
    /// The operation.
    pub op: EditOp,
    /// Clock hours `[from, to)` (wrapping past midnight) for `add`/`scale` on hourly values; a
    /// single number becomes 24 values first.
    pub hours: Option<(usize, usize)>,
}

/// Parses an hour range such as `"06-10"` (06:00 to 10:00: hours 6, 7, 8 and 9) or `"22-02"`.
pub fn parse_hours(s: &str) -> Option<(usize, usize)> {
    let (a, b) = s.trim().split_once('-')?;
    let a: usize = a.trim().parse().ok()?;
    let b: usize = b.trim().parse().ok()?;
    (a < 24 && b <= 24 && a != b % 24).then_some((a, b % 24))
}

fn hour_selected(hours: Option<(usize, usize)>, h: usize) -> bool {
    match hours {
        None => true,
        Some((a, b)) if a < b => (a..b).contains(&h),
        Some((a, b)) => h >= a || h < b,
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Applies `op` to a number, keeping integers integral when the result is whole.
fn apply_number(v: &Value, op: &EditOp, key: &str) -> Result<Value, String> {
    let x = number(v).ok_or_else(|| {
        format!(
            "{key}: cannot add to or scale a {} (expected a number or an array of numbers)",
            v.type_str()
        )
    })?;
    let y = match op {
        EditOp::Add(d) => x + d,
        EditOp::Scale(f) => x * f,
        EditOp::Set(_) => unreachable!("set never reaches apply_number"),
    };
    if y < 0.0 {
        return Err(format!("{key}: the change makes {x} negative ({y})"));
    }
    Ok(match v {
        Value::Integer(_) if y.fract() == 0.0 => Value::Integer(y as i64),
        _ => Value::Float(y),
    })
}

/// Keys of a day-type table (`booths`, `per_hour`).
const DAY_TYPES: [&str; 3] = ["weekday", "saturday", "sunday"];

/// Arrays of tables whose entries have an `id`, which a whole-entry `set` may create.
const ENTRY_LISTS: [&str; 3] = ["lanes", "classes", "flex"];

fn is_day_table(t: &Table) -> bool {
    !t.is_empty() && t.keys().all(|k| DAY_TYPES.contains(&k.as_str()))
}

fn apply_at(
    v: &mut Value,
    op: &EditOp,
    hours: Option<(usize, usize)>,
    key: &str,
) -> Result<(), String> {
    if let (Value::Table(t), EditOp::Add(_) | EditOp::Scale(_)) = (&mut *v, op)
        && is_day_table(t)
    {
        // Every day type changes alike: the table keeps its shape.
        for (day, item) in t.iter_mut() {
            apply_at(item, op, hours, &format!("{key}.{day}"))?;
        }
        return Ok(());
    }
    if let EditOp::Set(new) = op {
        match v {
            Value::Table(_) => return Err(format!("{key}: is a table; name one of its keys")),
            Value::Array(a) if a.iter().any(Value::is_table) => {
                return Err(format!(
                    "{key}: is a list of entries; address one by its id"
                ));
            }
            _ => {}
        }
        *v = new.clone();
        return Ok(());
    }
    if hours.is_some() && number(v).is_some() {
        *v = Value::Array(vec![v.clone(); 24]);
    }
    match v {
        Value::Array(items) => {
            if hours.is_some() && items.len() != 24 {
                return Err(format!(
                    "{key}: `hours` needs 24 hourly values, got an array of {}",
                    items.len()
                ));
            }
            for (h, item) in items.iter_mut().enumerate() {
                if hour_selected(hours, h) {
                    *item = apply_number(item, op, &format!("{key}[{h}]"))?;
                }
            }
            Ok(())
        }
        other => {
            *other = apply_number(other, op, key)?;
            Ok(())
        }
    }
}

/// Applies one change to a parsed scenario document.
pub fn apply(doc: &mut Table, change: &Change) -> Result<(), String> {
    let parts: Vec<&str> = change.key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("invalid key path {:?}", change.key));
    }
    let mut table = doc;
    let mut i = 0;
    loop {
        let part = parts[i];
        let here = parts[..=i].join(".");
        let last = i + 1 == parts.len();
        if last {
            return match table.get_mut(part) {
                Some(v) => apply_at(v, &change.op, change.hours, &here),
                None => match &change.op {
                    EditOp::Set(new) => {
                        table.insert(part.to_string(), new.clone());
                        Ok(())
                    }
                    _ => Err(format!("{here}: no value to change (the key is not set)")),
                },
            };
        }
        let next = parts[i + 1];
        let whole_entry = i + 2 == parts.len()
            && matches!(&change.op, EditOp::Set(Value::Table(_)))
            && ENTRY_LISTS.contains(&part);
        if whole_entry && !table.contains_key(part) {
            table.insert(part.to_string(), Value::Array(Vec::new()));
        }
        if !table.contains_key(part) && matches!(change.op, EditOp::Set(_)) {
            // Setting a key under a missing table: create it; validation judges the key.
            table.insert(part.to_string(), Value::Table(Table::new()));
        }
        match table.get_mut(part) {
            Some(Value::Table(t)) => {
                table = t;
                i += 1;
            }
            Some(Value::Array(items)) if whole_entry => {
                let EditOp::Set(Value::Table(new)) = &change.op else {
                    unreachable!("whole_entry is a set of a table")
                };
                let mut entry = new.clone();
                entry.insert("id".to_string(), Value::String(next.to_string()));
                let pos = items
                    .iter()
                    .position(|it| it.get("id").and_then(Value::as_str) == Some(next));
                match pos {
                    Some(k) => items[k] = Value::Table(entry),
                    None => items.push(Value::Table(entry)),
                }
                return Ok(());
            }
            Some(Value::Array(items)) => {
                let ids: Vec<String> = items
                    .iter()
                    .filter_map(|it| it.get("id").and_then(|v| v.as_str()).map(String::from))
                    .collect();
                let pos = ids
                    .iter()
                    .position(|id| id == next)
                    .or_else(|| next.parse::<usize>().ok().filter(|&k| k < items.len()));
                let Some(k) = pos else {
                    return Err(format!(
                        "{here}: no entry with id {next:?} (ids are: {})",
                        ids.join(", ")
                    ));
                };
                let Some(Value::Table(t)) = items.get_mut(k) else {
                    return Err(format!("{here}.{next}: not a table"));
                };
                if i + 2 == parts.len() {
                    return Err(format!(
                        "{here}.{next}: is a whole entry; name one of its keys, e.g. {here}.{next}.booths, or set it to a table to replace it"
                    ));
                }
                table = t;
                i += 2;
            }
            Some(other) => {
                return Err(format!(
                    "{here}: is {}, cannot look up {next:?} inside it",
                    other.type_str()
                ));
            }
            None => {
                return Err(format!("{here}: no such key in the scenario"));
            }
        }
    }
}

/// A small valid scenario for tests of edits.
#[cfg(test)]
pub(crate) const TEST_SCENARIO: &str = r#"
name = "t"
horizon = "2d"
[demand]
rate = 100
[[classes]]
id = "all"
share = 1.0
lanes = ["general", "ready"]
[[lanes]]
id = "general"
booths = 4
max_booths = 6
service = { dist = "exponential", mean = "60s" }
[[lanes]]
id = "ready"
booths = 1
max_booths = 4
service = { dist = "exponential", mean = "40s" }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = TEST_SCENARIO;

    fn change(key: &str, op: EditOp, hours: Option<&str>) -> Change {
        Change {
            key: key.to_string(),
            op,
            hours: hours.and_then(parse_hours),
        }
    }

    #[test]
    fn set_never_replaces_a_table_or_an_entry_list() {
        let mut doc: Table = TEXT.parse().expect("toml");
        let e = apply(
            &mut doc,
            &change("lanes.general.service", EditOp::Set(1.into()), None),
        )
        .unwrap_err();
        assert!(e.contains("is a table; name one of its keys"), "{e}");
        let e = apply(&mut doc, &change("lanes", EditOp::Set(1.into()), None)).unwrap_err();
        assert!(e.contains("address one by its id"), "{e}");
        apply(
            &mut doc,
            &change("lanes.ready.booths", EditOp::Set(3.into()), None),
        )
        .expect("a value");
        assert_eq!(doc["lanes"][1]["booths"].as_integer(), Some(3));
    }

    #[test]
    fn a_whole_entry_is_added_or_replaced_by_id() {
        let mut doc: Table = TEXT.parse().expect("toml");
        let gate: Value = toml::from_str::<Table>("booths = 1\nlanes = [\"general\", \"ready\"]")
            .expect("toml")
            .into();
        apply(
            &mut doc,
            &change("flex.gate", EditOp::Set(gate.clone()), None),
        )
        .expect("a new entry list");
        let flex = doc["flex"].as_array().expect("an array of tables");
        assert_eq!(flex.len(), 1);
        assert_eq!(flex[0]["id"].as_str(), Some("gate"));
        assert_eq!(flex[0]["booths"].as_integer(), Some(1));
        // The same id replaces the entry; another id adds one.
        let two: Value = toml::from_str::<Table>("booths = 2").expect("toml").into();
        apply(&mut doc, &change("flex.gate", EditOp::Set(two), None)).expect("replace");
        apply(&mut doc, &change("flex.other", EditOp::Set(gate), None)).expect("add");
        let flex = doc["flex"].as_array().expect("an array of tables");
        assert_eq!(flex.len(), 2);
        assert_eq!(flex[0]["booths"].as_integer(), Some(2));
        assert!(flex[0].get("lanes").is_none());
        assert_eq!(flex[1]["id"].as_str(), Some("other"));
        // Not a table: still an error naming the entry.
        let e = apply(
            &mut doc,
            &change("lanes.ready", EditOp::Set(3.into()), None),
        )
        .unwrap_err();
        assert!(e.contains("is a whole entry"), "{e}");
    }

    #[test]
    fn add_keeps_a_day_type_table() {
        let text = TEXT.replace(
            "booths = 4\n",
            "booths = { weekday = 4, saturday = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3] }\n",
        );
        let mut doc: Table = text.parse().expect("toml");
        apply(
            &mut doc,
            &change("lanes.general.booths", EditOp::Add(-1.0), Some("06-18")),
        )
        .expect("every day type");
        let b = doc["lanes"][0]["booths"].as_table().expect("still a table");
        let at = |day: &str, h: usize| b[day][h].as_integer();
        assert_eq!((at("weekday", 5), at("weekday", 6)), (Some(4), Some(3)));
        assert_eq!((at("saturday", 17), at("saturday", 18)), (Some(2), Some(3)));
        assert!(b.get("sunday").is_none());
    }

    #[test]
    fn add_and_scale_reach_every_day_type_of_a_table() {
        let text = TEXT.replace(
            "booths = 4\n",
            "booths = { weekday = 4, saturday = [2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2] }\n",
        );
        let mut doc: Table = text.parse().expect("toml");
        apply(
            &mut doc,
            &change("lanes.general.booths", EditOp::Add(-1.0), Some("06-18")),
        )
        .expect("a table by day type");
        let b = &doc["lanes"][0]["booths"];
        let weekday: Vec<i64> = b["weekday"]
            .as_array()
            .expect("hours")
            .iter()
            .map(|v| v.as_integer().expect("integer"))
            .collect();
        assert_eq!(weekday[5..8], [4, 3, 3]);
        assert_eq!(weekday[17..19], [3, 4]);
        assert_eq!(b["saturday"][6].as_integer(), Some(2));
        assert_eq!(b["saturday"][0].as_integer(), Some(2));
        let e = apply(
            &mut doc,
            &change("lanes.general.service", EditOp::Add(1.0), None),
        )
        .unwrap_err();
        assert!(e.contains("cannot add to or scale a table"), "{e}");
    }

    #[test]
    fn hour_ranges() {
        assert_eq!(parse_hours("06-10"), Some((6, 10)));
        assert_eq!(parse_hours("22-02"), Some((22, 2)));
        assert_eq!(parse_hours("0-24"), None);
        assert!(hour_selected(Some((22, 2)), 23) && hour_selected(Some((22, 2)), 1));
        assert!(!hour_selected(Some((22, 2)), 2));
        assert_eq!(parse_hours("6"), None);
    }
}
