//! `booths = { series = "file.csv" }`: a lane's open booths replayed day by day from a CSV file
//! (`date,hour,booths`, relative to the scenario file), with gaps filled.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use super::{Ctx, Diagnostic};
use crate::port::{Date, LaneConfig, fill_schedule_gaps, lower_median};

/// A lane whose booths come from a series file, resolved once `start` and `horizon` are known.
pub(super) struct SeriesRequest {
    /// The lane's id.
    pub lane: String,
    /// The key path of the `series` value (`lanes[0].booths.series`).
    pub key: String,
    /// The file as written in the scenario.
    pub file: String,
    /// Where the value is in the scenario.
    pub span: Range<usize>,
    /// Whether the lane sets `max_booths` itself.
    pub max_booths_given: bool,
}

/// Most booths one hour of a series may give (the limit of `booths`).
const MAX_BOOTHS: u32 = 4096;
/// At most this many problems of one series file are listed.
const MAX_PROBLEMS: usize = 20;

/// The rows of a series file: (date, hour) -> (booths, line).
type Rows = BTreeMap<(Date, u8), (u32, usize)>;

/// Parses the text of a series file `name`; problems as (line, column, key, message).
fn parse_rows(text: &str) -> Result<Rows, Vec<(usize, usize, String, String)>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .collect();
    let mut idx = [0usize; 3];
    let mut missing = Vec::new();
    for (k, col) in ["date", "hour", "booths"].iter().enumerate() {
        match header.iter().position(|h| h == col) {
            Some(i) => idx[k] = i,
            None => missing.push(*col),
        }
    }
    if !missing.is_empty() {
        return Err(vec![(
            1,
            1,
            "header".to_string(),
            format!(
                "missing column(s) {} (expected the columns date,hour,booths)",
                missing.join(", ")
            ),
        )]);
    }
    let mut rows = Rows::new();
    let mut problems = Vec::new();
    for (i, raw) in lines.enumerate() {
        let line = i + 2;
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split(',').collect();
        // 1-based column (in characters) of each field.
        let mut cols = Vec::with_capacity(fields.len());
        let mut c = 1;
        for f in &fields {
            cols.push(c);
            c += f.chars().count() + 1;
        }
        let mut bad = |k: usize, key: &str, msg: String| {
            problems.push((
                line,
                cols.get(idx[k]).copied().unwrap_or(1),
                key.to_string(),
                msg,
            ));
        };
        if fields.len() < header.len() {
            bad(
                0,
                "row",
                format!(
                    "has {} fields, the header has {}",
                    fields.len(),
                    header.len()
                ),
            );
            continue;
        }
        let f = |k: usize| fields[idx[k]].trim();
        let date = Date::parse(f(0));
        if date.is_none() {
            bad(
                0,
                "date",
                format!("not a date (got {:?}, expected YYYY-MM-DD)", f(0)),
            );
        }
        let hour = f(1).parse::<u8>().ok().filter(|h| *h < 24);
        if hour.is_none() {
            bad(
                1,
                "hour",
                format!("not an hour (got {:?}, expected 0 to 23)", f(1)),
            );
        }
        // An empty value is a gap, filled like a missing row.
        let booths = if f(2).is_empty() {
            Some(None)
        } else {
            let n = f(2).parse::<u32>().ok().filter(|n| *n <= MAX_BOOTHS);
            if n.is_none() {
                bad(
                    2,
                    "booths",
                    format!(
                        "not a booth count (got {:?}, expected a whole number from 0 to {MAX_BOOTHS}, or empty for no value)",
                        f(2)
                    ),
                );
            }
            n.map(Some)
        };
        if let (Some(d), Some(h), Some(b)) = (date, hour, booths) {
            if let Some((_, first)) = rows.get(&(d, h)) {
                bad(0, "date", format!("{d} hour {h} is also on line {first}"));
                continue;
            }
            if let Some(b) = b {
                rows.insert((d, h), (b, line));
            }
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

impl Ctx<'_> {
    /// Reads every requested series and puts it into its lane: `booths_by_date` (the series,
    /// gaps filled), `booths` (the median of each hour over the run's days, for the capacity
    /// check and the weekday default) and, unless the lane gives it, `max_booths`.
    pub(super) fn load_series(
        &mut self,
        lanes: &mut [(String, LaneConfig)],
        start: Option<Date>,
        horizon_s: Option<f64>,
    ) {
        for req in std::mem::take(&mut self.series) {
            let Some(start) = start else {
                self.err(
                    req.span.clone(),
                    &req.key,
                    "a booth series needs `start` (the date of day 0, e.g. start = \"2025-09-01\")"
                        .to_string(),
                );
                continue;
            };
            let Some(horizon_s) = horizon_s else { continue };
            let days = (horizon_s / 86_400.0).ceil().max(1.0) as usize;
            let base = Path::new(&self.file).parent().unwrap_or(Path::new(""));
            let path = base.join(&req.file);
            let name = path.display().to_string();
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    self.err(
                        req.span.clone(),
                        &req.key,
                        format!("cannot read the booth series {name}: {e}"),
                    );
                    continue;
                }
            };
            let rows = match parse_rows(&text) {
                Ok(r) => r,
                Err(problems) => {
                    let n = problems.len();
                    for (line, column, key, message) in problems.into_iter().take(MAX_PROBLEMS) {
                        self.diags.push((
                            req.span.start,
                            Diagnostic {
                                file: name.clone(),
                                line,
                                column,
                                key,
                                message,
                            },
                        ));
                    }
                    if n > MAX_PROBLEMS {
                        self.err(
                            req.span.clone(),
                            &req.key,
                            format!("{name}: and {} more problems", n - MAX_PROBLEMS),
                        );
                    }
                    continue;
                }
            };
            let last = start.plus_days(days as i64 - 1);
            let first_in = rows.keys().next().map(|k| k.0);
            let last_in = rows.keys().next_back().map(|k| k.0);
            match (first_in, last_in) {
                (Some(a), Some(b)) if a <= start && b >= last => {}
                (Some(a), Some(b)) => {
                    self.err(
                        req.span.clone(),
                        &req.key,
                        format!(
                            "{name} covers {a} to {b}, but the run needs {start} to {last} (start + horizon)"
                        ),
                    );
                    continue;
                }
                _ => {
                    self.err(
                        req.span.clone(),
                        &req.key,
                        format!("{name} has no booth values (expected rows date,hour,booths)"),
                    );
                    continue;
                }
            }
            let mut have = vec![[None; 24]; days];
            let mut by_hour: [Vec<u32>; 24] = Default::default();
            for (&(d, h), &(b, _)) in &rows {
                by_hour[h as usize].push(b);
                let day = d.days_since(start);
                if (0..days as i64).contains(&day) {
                    have[day as usize][h as usize] = Some(b);
                }
            }
            let medians: [Option<u32>; 24] = std::array::from_fn(|h| lower_median(&mut by_hour[h]));
            let (series, filled, from_median) = fill_schedule_gaps(&have, &medians);
            if filled > 0 {
                let (line, column) = self.line_col(req.span.start);
                self.warnings.push(format!(
                    "{}:{line}:{column}: {}: {name}: {filled} of {} hours had no value and were filled ({} from the same hour of the nearest day, {from_median} from the hour's median)",
                    self.file,
                    req.key,
                    days * 24,
                    filled - from_median
                ));
            }
            let most = series.iter().flatten().copied().max().unwrap_or(0);
            let Some((_, lane)) = lanes.iter_mut().find(|(id, _)| *id == req.lane) else {
                continue;
            };
            if most == 0 {
                self.err(
                    req.span.clone(),
                    &req.key,
                    format!("{name}: the lane never has an open booth from {start} to {last}"),
                );
                continue;
            }
            if req.max_booths_given && lane.max_booths < most {
                self.err(
                    req.span.clone(),
                    &req.key,
                    format!(
                        "{name} opens up to {most} booths, more than the lane's max_booths ({})",
                        lane.max_booths
                    ),
                );
                continue;
            }
            if !req.max_booths_given {
                lane.max_booths = most;
            }
            lane.booths = std::array::from_fn(|h| {
                let mut v: Vec<u32> = series.iter().map(|d| d[h]).collect();
                lower_median(&mut v).unwrap_or(0)
            });
            lane.booths_by_date = Some(series);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_by_column_name_and_errors_name_line_and_column() {
        let rows = parse_rows("hour,booths,date\n6,3,2025-09-01\n7,,2025-09-01\n").expect("valid");
        assert_eq!(rows.len(), 1, "an empty value is a gap");
        let d = Date::parse("2025-09-01").expect("valid");
        assert_eq!(rows[&(d, 6)], (3, 2));
        let e = parse_rows("date,hour,booths\n2025-09-01,6,3\n2025-09-01,6,4\n2025-09-31,24,x\n")
            .expect_err("invalid");
        assert_eq!(e[0].0, 3);
        assert!(e[0].3.contains("also on line 2"), "{e:?}");
        let got: Vec<(usize, usize, &str)> =
            e[1..].iter().map(|p| (p.0, p.1, p.2.as_str())).collect();
        assert_eq!(
            got,
            vec![(4, 1, "date"), (4, 12, "hour"), (4, 15, "booths")]
        );
        let e = parse_rows("day,hour\n").expect_err("no columns");
        assert!(e[0].3.contains("missing column(s) date, booths"), "{e:?}");
    }
}
