//! From TOML text to a validated [`PortConfig`]: a walk over the spanned document that checks
//! every key and value and collects every problem.

use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

mod demand;
mod region;
mod response;
mod series;

use super::duration::parse_duration_s;
use super::error::{Diagnostic, ScenarioError};
use crate::engine::SimTime;
use crate::port::{
    ApproachConfig, ApproachUse, CalendarConfig, ClassConfig, Date, DayType, DemandConfig,
    DisplayName, FlexConfig, HourlyShares, IdleEmissions, LaneConfig, LaneKind, PortConfig,
    SecondaryConfig, ServiceDist, SpecialDate, TravelMode,
};

/// A loaded scenario: its validated configuration and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The validated port configuration.
    pub config: PortConfig,
    /// The file as the user named it.
    pub source_name: String,
    /// SHA-256 of the file's bytes, hex.
    pub source_hash: String,
    /// The file's text.
    pub source_text: String,
    /// What validation found worth saying that is not an error (filled gaps of a booth
    /// series), each `FILE:LINE:COL: key: message`.
    pub warnings: Vec<String>,
}

/// Reads and validates a scenario file.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        file: name.clone(),
        source,
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    parse_with(
        &text,
        &name,
        &stem,
        Some(path.parent().unwrap_or(Path::new(""))),
    )
}

/// Validates scenario text; `file` names it in messages. A region given as text must have its
/// ports inline (as the `source_text` of a loaded region has them).
pub fn parse_str(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    parse_with(text, file, "", None)
}

/// Validates a scenario or a region; `dir` is the folder a region's port files are read from
/// (None: text only).
fn parse_with(
    text: &str,
    file: &str,
    default_name: &str,
    dir: Option<&Path>,
) -> Result<Scenario, ScenarioError> {
    let mut cx = Ctx::new(file, text);
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        for e in syntax {
            let span = e.span().unwrap_or(0..0);
            let msg = e.message().trim().trim_end_matches('.').to_lowercase();
            cx.err(span, "", format!("invalid TOML: {msg}"));
        }
        return Err(ScenarioError::Invalid(cx.finish()));
    }
    if region::is_region(root.get_ref()) {
        let compiled = cx.region(root.get_ref(), default_name, dir);
        let warnings = std::mem::take(&mut cx.warnings);
        let diags = cx.finish();
        return match compiled {
            Some((config, texts)) if diags.is_empty() => {
                if texts.iter().all(Option::is_none) {
                    return Ok(Scenario {
                        config,
                        source_name: file.to_string(),
                        source_hash: hex_sha256(text.as_bytes()),
                        source_text: text.to_string(),
                        warnings,
                    });
                }
                // Ports read from files: the region with them inline is the source text, and
                // it must give the same configuration.
                let resolved = region::resolve(text, &texts).map_err(|e| {
                    ScenarioError::Invalid(vec![Diagnostic {
                        file: file.to_string(),
                        line: 1,
                        column: 1,
                        key: String::new(),
                        message: format!("cannot put the ports inline: {e}"),
                    }])
                })?;
                let mut s = parse_with(&resolved, file, default_name, None)?;
                s.config.name.clone_from(&config.name);
                debug_assert_eq!(s.config, config, "an inline region compiles the same");
                Ok(s)
            }
            _ => Err(ScenarioError::Invalid(diags)),
        };
    }
    let config = cx.scenario(root.get_ref(), default_name);
    let warnings = std::mem::take(&mut cx.warnings);
    let diags = cx.finish();
    match config {
        Some(config) if diags.is_empty() => Ok(Scenario {
            config,
            source_name: file.to_string(),
            source_hash: hex_sha256(text.as_bytes()),
            source_text: text.to_string(),
            warnings,
        }),
        _ => Err(ScenarioError::Invalid(diags)),
    }
}

/// SHA-256 of `bytes` as lowercase hex.
pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

type Val<'i> = Spanned<DeValue<'i>>;

/// The keys a scenario and a region share (see [`Ctx::header`]).
struct Header {
    name: Option<String>,
    display: DisplayName,
    description: DisplayName,
    seed: Option<u64>,
    horizon: Option<f64>,
    warmup: Option<f64>,
    replications: Option<u32>,
    demand: Option<DemandConfig>,
}

struct Ctx<'s> {
    file: String,
    src: &'s str,
    diags: Vec<(usize, Diagnostic)>,
    /// Lanes whose booths come from a series file, resolved after `start` and `horizon`.
    series: Vec<series::SeriesRequest>,
    warnings: Vec<String>,
    /// Put before every key in messages (`ports[0].` while a region's inline port is checked).
    prefix: String,
    /// Keys the root table may have besides a scenario's (`id`, `scenario` of an inline port).
    root_extra: &'static [&'static str],
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn show(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("{s:?}"),
        DeValue::Integer(i) => i.to_string(),
        DeValue::Float(f) => f.to_string(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        DeValue::Array(a) => format!("an array of {}", a.len()),
        DeValue::Table(_) => "a table".to_string(),
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn join_allowed(allowed: &[&str]) -> String {
    allowed.join(", ")
}

fn key_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl<'s> Ctx<'s> {
    fn new(file: &str, src: &'s str) -> Self {
        Ctx {
            file: file.to_string(),
            src,
            diags: Vec::new(),
            series: Vec::new(),
            warnings: Vec::new(),
            prefix: String::new(),
            root_extra: &[],
        }
    }

    /// 1-based line and column (in characters) of byte offset `pos`.
    fn line_col(&self, pos: usize) -> (usize, usize) {
        let start = pos.min(self.src.len());
        let before = &self.src[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, self.src[line_start..start].chars().count() + 1)
    }

    fn err(&mut self, span: Range<usize>, key: &str, message: String) {
        let start = span.start.min(self.src.len());
        let (line, column) = self.line_col(start);
        self.diags.push((
            start,
            Diagnostic {
                file: self.file.clone(),
                line,
                column,
                key: if self.prefix.is_empty() || key.is_empty() {
                    key.to_string()
                } else {
                    format!("{}{key}", self.prefix)
                },
                message,
            },
        ));
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        self.diags.sort_by_key(|(pos, _)| *pos);
        self.diags.into_iter().map(|(_, d)| d).collect()
    }

    /// Reports every key of `table` not in `allowed`.
    fn check_keys(&mut self, table: &DeTable<'_>, path: &str, allowed: &[&str]) {
        for (k, _) in table.iter() {
            let name: &str = k.get_ref();
            let extra = path.is_empty() && self.root_extra.contains(&name);
            if !allowed.contains(&name) && !extra {
                let hint = allowed
                    .iter()
                    .filter(|a| edit_distance(a, name) <= 2)
                    .min_by_key(|a| edit_distance(a, name))
                    .map(|a| format!("; did you mean `{a}`?"))
                    .unwrap_or_default();
                self.err(
                    k.span(),
                    &key_path(path, name),
                    format!(
                        "unknown key (expected one of: {}){hint}",
                        join_allowed(allowed)
                    ),
                );
            }
        }
    }

    fn get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Val<'i>> {
        table
            .iter()
            .find(|(k, _)| {
                let s: &str = k.get_ref();
                s == key
            })
            .map(|(_, v)| v)
    }

    fn table<'t, 'i>(&mut self, v: &'t Val<'i>, path: &str) -> Option<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.err(
                    v.span(),
                    path,
                    format!("expected a table, got {}", type_name(other)),
                );
                None
            }
        }
    }

    fn string(&mut self, v: &Val<'_>, path: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.err(
                    v.span(),
                    path,
                    format!(
                        "expected a string, got {} ({})",
                        type_name(other),
                        show(other)
                    ),
                );
                None
            }
        }
    }

    fn float(&mut self, v: &Val<'_>, path: &str) -> Option<f64> {
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .ok()
                .map(|x| x as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            other => {
                self.err(
                    v.span(),
                    path,
                    format!(
                        "expected a number, got {} ({})",
                        type_name(other),
                        show(other)
                    ),
                );
                return None;
            }
        };
        match parsed {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                self.err(
                    v.span(),
                    path,
                    format!("expected a finite number, got {}", show(v.get_ref())),
                );
                None
            }
        }
    }

    fn integer(&mut self, v: &Val<'_>, path: &str) -> Option<i64> {
        match v.get_ref() {
            DeValue::Integer(i) => {
                let x = i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok();
                if x.is_none() {
                    self.err(v.span(), path, format!("integer out of range, got {i}"));
                }
                x
            }
            other => {
                self.err(
                    v.span(),
                    path,
                    format!(
                        "expected an integer, got {} ({})",
                        type_name(other),
                        show(other)
                    ),
                );
                None
            }
        }
    }

    fn boolean(&mut self, v: &Val<'_>, path: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.err(
                    v.span(),
                    path,
                    format!(
                        "expected true or false, got {} ({})",
                        type_name(other),
                        show(other)
                    ),
                );
                None
            }
        }
    }

    /// A duration in seconds (>= 0).
    fn duration(&mut self, v: &Val<'_>, path: &str) -> Option<f64> {
        let s = match v.get_ref() {
            DeValue::String(s) => parse_duration_s(s),
            DeValue::Integer(_) | DeValue::Float(_) => self.float(v, path),
            _ => None,
        };
        match s {
            Some(x) if x >= 0.0 => Some(x),
            Some(x) => {
                self.err(
                    v.span(),
                    path,
                    format!("duration must not be negative, got {x}"),
                );
                None
            }
            None => {
                self.err(
                    v.span(),
                    path,
                    format!(
                        "invalid duration (got {}, expected seconds as a number or a string like \"45s\", \"1.5m\", \"2h\", \"7d\")",
                        show(v.get_ref())
                    ),
                );
                None
            }
        }
    }

    /// A fixed-length array of numbers, each checked by `check`.
    fn numbers<const N: usize>(
        &mut self,
        v: &Val<'_>,
        path: &str,
        what: &str,
        check: impl Fn(f64) -> Option<String>,
    ) -> Option<[f64; N]> {
        let DeValue::Array(a) = v.get_ref() else {
            self.err(
                v.span(),
                path,
                format!("expected an array of {N} {what}, got {}", show(v.get_ref())),
            );
            return None;
        };
        if a.len() != N {
            self.err(
                v.span(),
                path,
                format!("expected {N} values ({what}), got {}", a.len()),
            );
            return None;
        }
        let mut out = [0.0; N];
        let mut ok = true;
        for (i, item) in a.iter().enumerate() {
            let p = format!("{path}[{i}]");
            match self.float(item, &p) {
                Some(x) => {
                    if let Some(msg) = check(x) {
                        self.err(item.span(), &p, msg);
                        ok = false;
                    }
                    out[i] = x;
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn display(&mut self, v: &Val<'_>, path: &str) -> DisplayName {
        let mut d = DisplayName::default();
        match v.get_ref() {
            DeValue::String(s) => {
                d.en = s.to_string();
            }
            DeValue::Table(t) => {
                self.check_keys(t, path, &["en", "es"]);
                if let Some(x) = Self::get(t, "en") {
                    d.en = self.string(x, &key_path(path, "en")).unwrap_or_default();
                }
                if let Some(x) = Self::get(t, "es") {
                    d.es = self.string(x, &key_path(path, "es")).unwrap_or_default();
                }
            }
            other => self.err(
                v.span(),
                path,
                format!(
                    "expected a string or a table {{ en = \"...\", es = \"...\" }}, got {}",
                    type_name(other)
                ),
            ),
        }
        d
    }

    fn scenario(&mut self, root: &DeTable<'_>, default_name: &str) -> Option<PortConfig> {
        self.check_keys(
            root,
            "",
            &[
                "name",
                "description",
                "seed",
                "horizon",
                "warmup",
                "replications",
                "demand",
                "classes",
                "lanes",
                "response",
                "display",
                "approach",
                "start",
                "dates",
                "secondary",
                "flex",
            ],
        );
        let Header {
            name,
            display,
            description,
            seed,
            horizon,
            warmup,
            replications,
            demand,
        } = self.header(root, default_name);
        let lanes = match Self::get(root, "lanes") {
            Some(v) => self.lanes(v),
            None => {
                self.err(
                    0..0,
                    "lanes",
                    "missing required [[lanes]] (at least one lane)".to_string(),
                );
                None
            }
        };
        let classes = match Self::get(root, "classes") {
            Some(v) => self.classes(v, lanes.as_deref()),
            None => {
                self.err(
                    0..0,
                    "classes",
                    "missing required [[classes]] (at least one class)".to_string(),
                );
                None
            }
        };
        let approach = match Self::get(root, "approach") {
            Some(v) => self
                .table(v, "approach")
                .map(|t| self.approach(t, v.span())),
            None => Some(None),
        };
        let calendar = self.calendar(root);
        let flex = match Self::get(root, "flex") {
            Some(v) => self.flex(v, lanes.as_deref()),
            None => Some(Vec::new()),
        };
        let secondary = match Self::get(root, "secondary") {
            Some(v) => self.table(v, "secondary").map(|t| self.secondary(t, v)),
            None => Some(None),
        };
        if Self::get(root, "secondary").is_none()
            && let Some(DeValue::Array(items)) = Self::get(root, "classes").map(|v| v.get_ref())
        {
            for (i, item) in items.iter().enumerate() {
                if let DeValue::Table(t) = item.get_ref()
                    && let Some(r) = Self::get(t, "referral")
                    && matches!(r.get_ref(), DeValue::Float(_) | DeValue::Integer(_))
                    && self.float(r, "referral").is_some_and(|x| x > 0.0)
                {
                    self.err(
                        r.span(),
                        &format!("classes[{i}].referral"),
                        "referrals need a [secondary] table (spaces, officers, service)"
                            .to_string(),
                    );
                }
            }
        }
        let response = self.response_and_tolerances(root, classes.as_deref());
        let mut lanes = lanes;
        if let Some(ls) = lanes.as_mut()
            && !self.series.is_empty()
        {
            let start = calendar.as_ref().and_then(|c| c.start);
            let start_bad = Self::get(root, "start").is_some() && start.is_none();
            if start_bad {
                self.series.clear();
            } else {
                self.load_series(ls, start, horizon);
            }
        }
        let mut demand = demand;
        if let (Some(d), Some(ls)) = (demand.as_mut(), lanes.as_ref()) {
            let start = calendar.as_ref().and_then(|c| c.start);
            if !self.demand_links(root, d, ls, start) {
                demand = None;
            }
        }
        Some(PortConfig {
            name: name?,
            description: description.en,
            description_es: description.es,
            seed: seed?,
            horizon: SimTime::from_secs_f64(horizon?),
            warmup: SimTime::from_secs_f64(warmup?),
            replications: replications?,
            demand: demand?,
            classes: classes?,
            lanes: lanes?.into_iter().map(|(_, l)| l).collect(),
            approach: approach?,
            calendar: calendar?,
            secondary: secondary?,
            flex: flex?,
            response: response?,
            display,
            region: None,
        })
    }

    /// The keys a scenario and a region share: name, display, description, seed, horizon,
    /// warmup, replications and `[demand]`; each None when missing or wrong (reported).
    fn header(&mut self, root: &DeTable<'_>, default_name: &str) -> Header {
        let name = match Self::get(root, "name") {
            Some(v) => self.string(v, "name").and_then(|s| {
                if is_id(&s) {
                    Some(s)
                } else {
                    self.err(
                        v.span(),
                        "name",
                        format!(
                            "invalid name (got {s:?}, expected 1-64 characters of a-z, 0-9, '_' or '-')"
                        ),
                    );
                    None
                }
            }),
            None if is_id(default_name) => Some(default_name.to_string()),
            None => {
                self.err(
                    0..0,
                    "name",
                    "missing required key (a name of a-z, 0-9, '_' or '-')".to_string(),
                );
                None
            }
        };
        let display = match Self::get(root, "display") {
            Some(v) => self.display(v, "display"),
            None => DisplayName::default(),
        };
        // A string, or { en = "...", es = "..." } like display names.
        let description = match Self::get(root, "description") {
            Some(v) => self.display(v, "description"),
            None => DisplayName::default(),
        };
        let seed = match Self::get(root, "seed") {
            Some(v) => self.integer(v, "seed").and_then(|s| {
                if s < 0 {
                    self.err(v.span(), "seed", format!("must not be negative, got {s}"));
                    None
                } else {
                    Some(s as u64)
                }
            }),
            None => Some(1),
        };
        let horizon = match Self::get(root, "horizon") {
            Some(v) => self.duration(v, "horizon").and_then(|h| {
                if h <= 0.0 {
                    self.err(v.span(), "horizon", format!("must be positive, got {h}"));
                    None
                } else if h > 100.0 * 365.0 * 86_400.0 {
                    self.err(v.span(), "horizon", "must be at most 100 years".to_string());
                    None
                } else {
                    Some(h)
                }
            }),
            None => {
                self.err(
                    0..0,
                    "horizon",
                    "missing required key (a duration such as \"28d\")".to_string(),
                );
                None
            }
        };
        let warmup = match Self::get(root, "warmup") {
            Some(v) => self.duration(v, "warmup").and_then(|w| {
                if let Some(h) = horizon
                    && w >= h
                {
                    self.err(
                        v.span(),
                        "warmup",
                        format!("must be shorter than the horizon ({h} s), got {w} s"),
                    );
                    return None;
                }
                Some(w)
            }),
            None => Some(0.0),
        };
        let replications = match Self::get(root, "replications") {
            Some(v) => self.integer(v, "replications").and_then(|r| {
                if (1..=1_000_000).contains(&r) {
                    Some(r as u32)
                } else {
                    self.err(
                        v.span(),
                        "replications",
                        format!("must be between 1 and 1000000, got {r}"),
                    );
                    None
                }
            }),
            None => Some(10),
        };
        let demand = match Self::get(root, "demand") {
            Some(v) => self
                .table(v, "demand")
                .and_then(|t| self.demand(t, v.span()))
                .and_then(|d| {
                    // Refuse what would run for hours rather than fail slowly.
                    let expected = horizon.map_or(0.0, |h| expected_arrivals(&d, h));
                    if expected > MAX_ARRIVALS_PER_REPLICATION {
                        self.err(
                            v.span(),
                            "demand",
                            format!(
                                "about {expected:.3e} arrivals per replication over the horizon (expected at most {MAX_ARRIVALS_PER_REPLICATION:.0e}: lower the rate or the horizon)"
                            ),
                        );
                        return None;
                    }
                    Some(d)
                }),
            None => {
                self.err(
                    0..0,
                    "demand",
                    "missing required table [demand]".to_string(),
                );
                None
            }
        };
        Header {
            name,
            display,
            description,
            seed,
            horizon,
            warmup,
            replications,
            demand,
        }
    }

    /// `[[flex]]`: groups of booths that can serve either of two lanes.
    fn flex(
        &mut self,
        v: &Val<'_>,
        lanes: Option<&[(String, LaneConfig)]>,
    ) -> Option<Vec<FlexConfig>> {
        let items = self.array_of_tables(v, "flex");
        let mut seen = Vec::new();
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item, t) in items {
            let path = format!("flex[{i}]");
            self.check_keys(t, &path, &["id", "booths", "lanes", "rule", "hours"]);
            let id = self.id(t, item, &path, &mut seen);
            let bp = key_path(&path, "booths");
            let booths = match Self::get(t, "booths") {
                Some(x) => self.integer(x, &bp).and_then(|n| {
                    if (1..=4096).contains(&n) {
                        Some(n as u32)
                    } else {
                        self.err(
                            x.span(),
                            &bp,
                            format!("must be between 1 and 4096, got {n}"),
                        );
                        None
                    }
                }),
                None => {
                    self.err(
                        item.span(),
                        &bp,
                        "missing required key (booths that can serve either lane)".to_string(),
                    );
                    None
                }
            };
            let lp = key_path(&path, "lanes");
            let pair = match Self::get(t, "lanes") {
                Some(x) => match x.get_ref() {
                    DeValue::Array(a) if a.len() == 2 => {
                        let mut idx = Vec::new();
                        for (j, lv) in a.iter().enumerate() {
                            let p = format!("{lp}[{j}]");
                            let Some(name) = self.string(lv, &p) else {
                                continue;
                            };
                            let Some(ls) = lanes else {
                                continue;
                            };
                            match ls.iter().position(|(id, _)| *id == name) {
                                Some(k) if ls[k].1.stacked != 1 => self.err(
                                    lv.span(),
                                    &p,
                                    format!("lane {name:?} is stacked (flex booths need single-point booths)"),
                                ),
                                Some(k) => idx.push(k),
                                None => {
                                    let known = ls.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(", ");
                                    self.err(lv.span(), &p, format!("no lane with id {name:?} (lanes are: {known})"));
                                }
                            }
                        }
                        if idx.len() == 2 && idx[0] == idx[1] {
                            self.err(x.span(), &lp, "the two lanes must differ".to_string());
                            None
                        } else if idx.len() == 2 {
                            Some([idx[0], idx[1]])
                        } else {
                            None
                        }
                    }
                    other => {
                        self.err(
                            x.span(),
                            &lp,
                            format!("expected two lane ids (the first is where the booths start), got {}", show(other)),
                        );
                        None
                    }
                },
                None => {
                    self.err(
                        item.span(),
                        &lp,
                        "missing required key (two lane ids)".to_string(),
                    );
                    None
                }
            };
            let rp = key_path(&path, "rule");
            let rule = match Self::get(t, "rule") {
                Some(x) => self.table(x, &rp).and_then(|rt| {
                    self.check_keys(rt, &rp, &["every", "switch_gap", "changeover"]);
                    let get = |cx: &mut Self, key: &str| match Self::get(rt, key) {
                        Some(d) => cx.duration(d, &key_path(&rp, key)).map(|s| (s, d.span())),
                        None => {
                            cx.err(
                                x.span(),
                                &key_path(&rp, key),
                                "missing required key (a duration)".to_string(),
                            );
                            None
                        }
                    };
                    let every = get(self, "every");
                    let gap = get(self, "switch_gap");
                    let change = get(self, "changeover");
                    let (every, gap, change) = (every?, gap?, change?);
                    if every.0 < 1.0 {
                        self.err(
                            every.1,
                            &key_path(&rp, "every"),
                            format!("must be at least 1 s, got {} s", every.0),
                        );
                        return None;
                    }
                    Some((every.0, gap.0, change.0))
                }),
                None => {
                    self.err(
                        item.span(),
                        &rp,
                        "missing required key (e.g. { every = \"15m\", switch_gap = \"10m\", changeover = \"2m\" })".to_string(),
                    );
                    None
                }
            };
            let hp = key_path(&path, "hours");
            let hours = match Self::get(t, "hours") {
                Some(x) => self.string(x, &hp).and_then(|s| {
                    let parsed = s.split_once('-').and_then(|(a, b)| {
                        let a: u32 = a.trim().parse().ok()?;
                        let b: u32 = b.trim().parse().ok()?;
                        (a < b && b <= 24).then_some((a, b))
                    });
                    if parsed.is_none() {
                        self.err(x.span(), &hp, format!("invalid hours (got {s:?}, expected \"HH-HH\" with 0 <= from < to <= 24, e.g. \"06-22\")"));
                    }
                    parsed.map(Some)
                }),
                None => Some(None),
            };
            match (id, booths, pair, rule, hours) {
                (Some(id), Some(booths), Some(lanes), Some((every, gap, change)), Some(hours)) => {
                    out.push(FlexConfig {
                        id,
                        booths,
                        lanes,
                        every: SimTime::from_secs_f64(every),
                        switch_gap_s: gap,
                        changeover: SimTime::from_secs_f64(change),
                        hours,
                    })
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `[secondary]`: spaces, officers (one number or 24 by hour) and the inspection time.
    fn secondary(&mut self, t: &DeTable<'_>, v: &Val<'_>) -> Option<SecondaryConfig> {
        self.check_keys(t, "secondary", &["spaces", "officers", "service"]);
        let spaces = match Self::get(t, "spaces") {
            Some(x) => self.storage(x, "secondary.spaces"),
            None => {
                self.err(
                    v.span(),
                    "secondary.spaces",
                    "missing required key (parking spaces for vehicles waiting for or in secondary)"
                        .to_string(),
                );
                None
            }
        };
        let officer_check = |x: f64| {
            if x < 0.0 || x.fract() != 0.0 || x > 4096.0 {
                Some(format!(
                    "must be a whole number of officers from 0 to 4096, got {x}"
                ))
            } else {
                None
            }
        };
        let op = "secondary.officers";
        let officers = match Self::get(t, "officers") {
            Some(x) => match x.get_ref() {
                DeValue::Array(_) => self
                    .numbers::<24>(
                        x,
                        op,
                        "officers on duty by hour of day, hours 0-23",
                        officer_check,
                    )
                    .map(|a| a.map(|n| n as u32)),
                _ => self.integer(x, op).and_then(|n| {
                    if let Some(msg) = officer_check(n as f64) {
                        self.err(x.span(), op, msg);
                        None
                    } else {
                        Some([n as u32; 24])
                    }
                }),
            },
            None => {
                self.err(
                    v.span(),
                    op,
                    "missing required key (officers on duty: an integer or 24 by hour)".to_string(),
                );
                None
            }
        };
        if let (Some(o), Some(x)) = (officers, Self::get(t, "officers"))
            && o.iter().all(|&n| n == 0)
        {
            self.err(
                x.span(),
                op,
                "no officer is ever on duty (expected at least 1 in some hour)".to_string(),
            );
        }
        let officers = officers.filter(|o| o.iter().any(|&n| n > 0));
        let service = match Self::get(t, "service") {
            Some(x) => self
                .table(x, "secondary.service")
                .and_then(|st| self.service(st, x, "secondary.service")),
            None => {
                self.err(
                    v.span(),
                    "secondary.service",
                    "missing required key (e.g. { dist = \"lognormal\", mean = \"12m\", sd = \"8m\" })"
                        .to_string(),
                );
                None
            }
        };
        Some(SecondaryConfig {
            spaces: spaces?,
            officers: officers?,
            service: service?,
        })
    }

    /// `[approach] storage = N`: vehicles that fit before the lane split.
    fn approach(&mut self, t: &DeTable<'_>, span: Range<usize>) -> Option<ApproachConfig> {
        self.check_keys(t, "approach", &["storage"]);
        match Self::get(t, "storage") {
            Some(v) => self
                .storage(v, "approach.storage")
                .map(|storage| ApproachConfig { storage }),
            None => {
                self.err(
                    span,
                    "approach.storage",
                    "missing required key (vehicles that fit between the port entrance and the lane split)"
                        .to_string(),
                );
                None
            }
        }
    }

    /// A storage in vehicles: a whole number from 1 to 1000000.
    fn storage(&mut self, v: &Val<'_>, path: &str) -> Option<u32> {
        let n = self.integer(v, path)?;
        if (1..=1_000_000).contains(&n) {
            Some(n as u32)
        } else {
            self.err(
                v.span(),
                path,
                format!("must be between 1 and 1000000 vehicles, got {n}"),
            );
            None
        }
    }

    fn demand(&mut self, t: &DeTable<'_>, span: Range<usize>) -> Option<DemandConfig> {
        self.check_keys(
            t,
            "demand",
            &[
                "rate",
                "per_hour",
                "weekday_factors",
                "scale",
                "day_sd",
                "staffing_elasticity",
                "staffing_lanes",
                "month_factors",
            ],
        );
        let non_negative = |x: f64| (x < 0.0).then(|| format!("must not be negative, got {x}"));
        let per_hour = match (Self::get(t, "rate"), Self::get(t, "per_hour")) {
            (Some(_), Some(p)) => {
                self.err(
                    p.span(),
                    "demand.per_hour",
                    "give either `rate` or `per_hour`, not both".to_string(),
                );
                None
            }
            (Some(r), None) => self.float(r, "demand.rate").and_then(|x| {
                if let Some(msg) = non_negative(x) {
                    self.err(r.span(), "demand.rate", msg);
                    None
                } else {
                    Some(([x; 24], None, None))
                }
            }),
            (None, Some(p)) => self.by_day_type(p, "demand.per_hour", |cx, v, path| {
                cx.numbers::<24>(v, path, "arrivals per hour, hours 0-23", non_negative)
            }),
            (None, None) => {
                self.err(
                    span.clone(),
                    "demand",
                    "missing `rate` (arrivals per hour) or `per_hour` (24 values)".to_string(),
                );
                None
            }
        };
        let weekday_factors = match Self::get(t, "weekday_factors") {
            Some(v) => self.numbers::<7>(
                v,
                "demand.weekday_factors",
                "factors, Monday first",
                non_negative,
            ),
            None => Some([1.0; 7]),
        };
        let scale = match Self::get(t, "scale") {
            Some(v) => self.float(v, "demand.scale").and_then(|s| {
                if let Some(msg) = non_negative(s) {
                    self.err(v.span(), "demand.scale", msg);
                    None
                } else {
                    Some(s)
                }
            }),
            None => Some(1.0),
        };
        let (per_hour, per_hour_saturday, per_hour_sunday) = per_hour?;
        let day_sd = match Self::get(t, "day_sd") {
            Some(v) => self.day_sd(v),
            None => Some(0.0),
        };
        let (staffing, month_factors) = self.demand_shift(t);
        let d = DemandConfig {
            per_hour,
            weekday_factors: weekday_factors?,
            scale: scale?,
            per_hour_saturday,
            per_hour_sunday,
            day_sd: day_sd?,
            staffing: staffing?,
            month_factors: month_factors?,
        };
        if (0..168).all(|h| d.rate_per_hour(h) == 0.0) {
            self.err(
                span,
                "demand",
                "demand is zero in every hour of the week (expected some arrivals)".to_string(),
            );
            return None;
        }
        Some(d)
    }

    fn array_of_tables<'t, 'i>(
        &mut self,
        v: &'t Val<'i>,
        path: &str,
    ) -> Vec<(usize, &'t Val<'i>, &'t DeTable<'i>)> {
        let DeValue::Array(a) = v.get_ref() else {
            self.err(
                v.span(),
                path,
                format!(
                    "expected an array of tables ([[{path}]]), got {}",
                    type_name(v.get_ref())
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in a.iter().enumerate() {
            if let Some(t) = self.table(item, &format!("{path}[{i}]")) {
                out.push((i, item, t));
            }
        }
        if a.is_empty() {
            self.err(v.span(), path, "must not be empty".to_string());
        }
        out
    }

    fn id(
        &mut self,
        t: &DeTable<'_>,
        item: &Val<'_>,
        path: &str,
        seen: &mut Vec<String>,
    ) -> Option<String> {
        let p = key_path(path, "id");
        let Some(v) = Self::get(t, "id") else {
            self.err(item.span(), &p, "missing required key".to_string());
            return None;
        };
        let s = self.string(v, &p)?;
        if !is_id(&s) {
            self.err(
                v.span(),
                &p,
                format!("invalid id (got {s:?}, expected 1-64 characters of a-z, 0-9, '_' or '-')"),
            );
            return None;
        }
        if seen.contains(&s) {
            self.err(v.span(), &p, format!("duplicate id {s:?}"));
            return None;
        }
        seen.push(s.clone());
        Some(s)
    }

    /// Lanes with the span of each lane's id, for messages from classes.
    fn lanes(&mut self, v: &Val<'_>) -> Option<Vec<(String, LaneConfig)>> {
        let items = self.array_of_tables(v, "lanes");
        let mut seen = Vec::new();
        let mut out = Vec::new();
        let mut ok = !items.is_empty();
        for (i, item, t) in items {
            let path = format!("lanes[{i}]");
            match self.lane(t, item, &path, &mut seen) {
                Some(l) => out.push((l.id.clone(), l)),
                None => ok = false,
            }
        }
        if out.len() > usize::from(u16::MAX) {
            self.err(v.span(), "lanes", "at most 65535 lanes".to_string());
            ok = false;
        }
        ok.then_some(out)
    }

    fn lane(
        &mut self,
        t: &DeTable<'_>,
        item: &Val<'_>,
        path: &str,
        seen: &mut Vec<String>,
    ) -> Option<LaneConfig> {
        self.check_keys(
            t,
            path,
            &[
                "id",
                "kind",
                "display",
                "booths",
                "max_booths",
                "service",
                "storage",
                "officer_sd",
                "stacked",
            ],
        );
        let id = self.id(t, item, path, seen);
        let kind = match Self::get(t, "kind") {
            Some(v) => {
                let p = key_path(path, "kind");
                self.string(v, &p).and_then(|s| {
                    let k = LaneKind::ALL.iter().copied().find(|k| k.as_str() == s);
                    if k.is_none() {
                        self.err(
                            v.span(),
                            &p,
                            format!("unknown lane kind (got {s:?}, expected one of: general, ready, sentri, fast)"),
                        );
                    }
                    k
                })
            }
            None => Some(LaneKind::General),
        };
        let display = Self::get(t, "display")
            .map(|v| self.display(v, &key_path(path, "display")))
            .unwrap_or_default();
        const MAX_BOOTHS: i64 = 4096;
        let booth_check = |x: f64| {
            if x < 0.0 {
                Some(format!("must be at least 0, got {x}"))
            } else if x.fract() != 0.0 {
                Some(format!("must be a whole number of booths, got {x}"))
            } else if x > MAX_BOOTHS as f64 {
                Some(format!("must be at most {MAX_BOOTHS}, got {x}"))
            } else {
                None
            }
        };
        let bp = key_path(path, "booths");
        let one_schedule = |cx: &mut Self, v: &Val<'_>, p: &str| -> Option<[u32; 24]> {
            match v.get_ref() {
                DeValue::Array(_) => cx
                    .numbers::<24>(v, p, "open booths by hour of day, hours 0-23", booth_check)
                    .map(|a| a.map(|x| x as u32)),
                _ => cx.integer(v, p).and_then(|n| {
                    if let Some(msg) = booth_check(n as f64) {
                        cx.err(v.span(), p, msg);
                        None
                    } else {
                        Some([n as u32; 24])
                    }
                }),
            }
        };
        let series = match Self::get(t, "booths") {
            Some(v) => match v.get_ref() {
                DeValue::Table(bt) if Self::get(bt, "series").is_some() => Some((v, bt)),
                _ => None,
            },
            None => None,
        };
        let mut series_ok = true;
        if let Some((_, bt)) = series {
            self.check_keys(bt, &bp, &["series"]);
            let sp = key_path(&bp, "series");
            let sv = Self::get(bt, "series").expect("checked above");
            match (
                self.string(sv, &sp),
                Self::get(t, "id").map(|v| v.get_ref()),
            ) {
                (Some(file), Some(DeValue::String(id))) if !file.is_empty() => {
                    self.series.push(series::SeriesRequest {
                        lane: id.to_string(),
                        key: sp,
                        file,
                        span: sv.span(),
                        max_booths_given: Self::get(t, "max_booths").is_some(),
                    });
                }
                (Some(_), _) => {
                    self.err(
                        sv.span(),
                        &sp,
                        "expected a CSV file name (columns date,hour,booths), got an empty string"
                            .to_string(),
                    );
                    series_ok = false;
                }
                (None, _) => series_ok = false,
            }
        }
        let booths_by_day = match Self::get(t, "booths") {
            // Filled in once `start` and `horizon` are known (`load_series`).
            Some(_) if series.is_some() => series_ok.then_some(([0; 24], None, None)),
            Some(v) => self.by_day_type(v, &bp, one_schedule),
            None => {
                self.err(
                    item.span(),
                    &bp,
                    "missing required key (open booths: an integer or 24 integers by hour)"
                        .to_string(),
                );
                None
            }
        };
        let booths = booths_by_day.map(|(w, _, _)| w);
        let all_days = booths_by_day.map(|(w, sa, su)| {
            let mut most = w;
            for x in [sa, su].into_iter().flatten() {
                for h in 0..24 {
                    most[h] = most[h].max(x[h]);
                }
            }
            most
        });
        if let (Some(b), Some(v)) = (all_days, Self::get(t, "booths"))
            && series.is_none()
            && b.iter().all(|&x| x == 0)
        {
            self.err(
                v.span(),
                &bp,
                "the lane never has an open booth (expected at least 1 in some hour)".to_string(),
            );
        }
        let most = all_days.map(|b| b.iter().copied().max().unwrap_or(0));
        let max_booths = match Self::get(t, "max_booths") {
            Some(v) => {
                let p = key_path(path, "max_booths");
                self.integer(v, &p).and_then(|m| {
                    if !(1..=MAX_BOOTHS).contains(&m) {
                        self.err(
                            v.span(),
                            &p,
                            format!("must be between 1 and {MAX_BOOTHS}, got {m}"),
                        );
                        return None;
                    }
                    if let Some(most) = most
                        && (m as u32) < most
                    {
                        self.err(
                            v.span(),
                            &p,
                            format!("must be at least the most booths ever open ({most}), got {m}"),
                        );
                        return None;
                    }
                    Some(m as u32)
                })
            }
            None => most.map(|m| m.max(1)),
        };
        let service = match Self::get(t, "service") {
            Some(v) => {
                let p = key_path(path, "service");
                self.table(v, &p).and_then(|st| self.service(st, v, &p))
            }
            None => {
                self.err(
                    item.span(),
                    &key_path(path, "service"),
                    "missing required key (e.g. { dist = \"exponential\", mean = \"45s\" })"
                        .to_string(),
                );
                None
            }
        };
        let sp = key_path(path, "stacked");
        let stacked = match Self::get(t, "stacked") {
            Some(v) => self.integer(v, &sp).and_then(|n| {
                if n == 1 || n == 2 {
                    Some(n as u32)
                } else {
                    self.err(
                        v.span(),
                        &sp,
                        format!("must be 1 or 2 (inspection points in tandem per booth), got {n}"),
                    );
                    None
                }
            }),
            None => Some(1),
        };
        let op = key_path(path, "officer_sd");
        let officer_sd = match Self::get(t, "officer_sd") {
            Some(v) => self.float(v, &op).and_then(|x| {
                if (0.0..=2.0).contains(&x) {
                    Some(Some(x))
                } else {
                    self.err(
                        v.span(),
                        &op,
                        format!(
                            "must be between 0 and 2 (the sd of a factor with mean 1), got {x}"
                        ),
                    );
                    None
                }
            }),
            None => Some(None),
        };
        let storage = match Self::get(t, "storage") {
            Some(v) => self.storage(v, &key_path(path, "storage")).map(Some),
            None => Some(None),
        };
        Some(LaneConfig {
            id: id?,
            kind: kind?,
            display,
            booths: booths?,
            max_booths: max_booths?,
            service: service?,
            storage: storage?,
            booths_saturday: booths_by_day.and_then(|(_, sa, _)| sa),
            booths_sunday: booths_by_day.and_then(|(_, _, su)| su),
            officer_sd: officer_sd?,
            stacked: stacked?,
            booths_by_date: series.map(|_| Vec::new()),
        })
    }

    fn service(&mut self, t: &DeTable<'_>, v: &Val<'_>, path: &str) -> Option<ServiceDist> {
        const DISTS: [(&str, &[&str]); 6] = [
            ("exponential", &["mean"]),
            ("lognormal", &["mean", "sd"]),
            ("gamma", &["mean", "sd"]),
            ("constant", &["mean"]),
            ("uniform", &["min", "max"]),
            ("triangular", &["min", "mode", "max"]),
        ];
        let dp = key_path(path, "dist");
        let Some(dv) = Self::get(t, "dist") else {
            self.err(
                v.span(),
                &dp,
                "missing required key (one of: exponential, lognormal, gamma, constant, uniform, triangular)"
                    .to_string(),
            );
            return None;
        };
        let dist = self.string(dv, &dp)?;
        let Some((name, params)) = DISTS.iter().find(|(n, _)| *n == dist) else {
            self.err(
                dv.span(),
                &dp,
                format!(
                    "unknown distribution (got {dist:?}, expected one of: exponential, lognormal, gamma, constant, uniform, triangular)"
                ),
            );
            return None;
        };
        let mut allowed = vec!["dist"];
        allowed.extend_from_slice(params);
        self.check_keys(t, path, &allowed);
        let mut vals = Vec::new();
        let mut ok = true;
        for p in params.iter() {
            let kp = key_path(path, p);
            match Self::get(t, p) {
                Some(pv) => match self.duration(pv, &kp) {
                    Some(x) => vals.push((x, pv.span())),
                    None => ok = false,
                },
                None => {
                    self.err(
                        v.span(),
                        &kp,
                        format!(
                            "missing required key for a {name} distribution (expected {})",
                            params.join(", ")
                        ),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        let positive = |cx: &mut Self, (x, span): &(f64, Range<usize>), key: &str| {
            if *x <= 0.0 {
                cx.err(
                    span.clone(),
                    &key_path(path, key),
                    format!("must be positive, got {x} s"),
                );
                false
            } else {
                true
            }
        };
        match *name {
            "exponential" | "constant" => {
                if !positive(self, &vals[0], "mean") {
                    return None;
                }
                let mean_s = vals[0].0;
                Some(if *name == "exponential" {
                    ServiceDist::Exponential { mean_s }
                } else {
                    ServiceDist::Constant { mean_s }
                })
            }
            "lognormal" | "gamma" => {
                if !positive(self, &vals[0], "mean") || !positive(self, &vals[1], "sd") {
                    return None;
                }
                let (mean_s, sd_s) = (vals[0].0, vals[1].0);
                Some(if *name == "lognormal" {
                    ServiceDist::LogNormal { mean_s, sd_s }
                } else {
                    ServiceDist::Gamma { mean_s, sd_s }
                })
            }
            "uniform" => {
                let (min_s, max_s) = (vals[0].0, vals[1].0);
                if max_s <= min_s {
                    self.err(
                        vals[1].1.clone(),
                        &key_path(path, "max"),
                        format!("must be greater than min ({min_s} s), got {max_s} s"),
                    );
                    return None;
                }
                Some(ServiceDist::Uniform { min_s, max_s })
            }
            _ => {
                let (min_s, mode_s, max_s) = (vals[0].0, vals[1].0, vals[2].0);
                if !(min_s <= mode_s && mode_s <= max_s && min_s < max_s) {
                    self.err(
                        vals[1].1.clone(),
                        &key_path(path, "mode"),
                        format!(
                            "expected min <= mode <= max with min < max, got min {min_s} s, mode {mode_s} s, max {max_s} s"
                        ),
                    );
                    return None;
                }
                Some(ServiceDist::Triangular {
                    min_s,
                    mode_s,
                    max_s,
                })
            }
        }
    }

    fn classes(
        &mut self,
        v: &Val<'_>,
        lanes: Option<&[(String, LaneConfig)]>,
    ) -> Option<Vec<ClassConfig>> {
        let items = self.array_of_tables(v, "classes");
        let mut seen = Vec::new();
        let mut out = Vec::new();
        let mut ok = !items.is_empty();
        let mut share_parts: Vec<(String, f64)> = Vec::new();
        for (i, item, t) in &items {
            let path = format!("classes[{i}]");
            match self.class(t, item, &path, &mut seen, lanes) {
                Some(c) => {
                    share_parts.push((c.id.clone(), c.share));
                    out.push(c);
                }
                None => ok = false,
            }
        }
        if ok {
            let total: f64 = share_parts.iter().map(|(_, s)| s).sum();
            if (total - 1.0).abs() > 1e-6 {
                let parts = share_parts
                    .iter()
                    .map(|(id, s)| format!("{id} {s}"))
                    .collect::<Vec<_>>()
                    .join(" + ");
                let (_, item, t) = items[0];
                let span = Self::get(t, "share").map_or(item.span(), |s| s.span());
                self.err(
                    span,
                    "classes[*].share",
                    format!("shares must sum to 1, got {} ({parts})", fmt_g(total)),
                );
                ok = false;
            }
        }
        if ok && !self.hourly_shares_cover_every_hour(&items, &out) {
            ok = false;
        }
        if out.len() > usize::from(u16::MAX) {
            self.err(v.span(), "classes", "at most 65535 classes".to_string());
            ok = false;
        }
        ok.then_some(out)
    }

    fn class(
        &mut self,
        t: &DeTable<'_>,
        item: &Val<'_>,
        path: &str,
        seen: &mut Vec<String>,
        lanes: Option<&[(String, LaneConfig)]>,
    ) -> Option<ClassConfig> {
        self.check_keys(
            t,
            path,
            &[
                "id",
                "display",
                "share",
                "share_by_hour",
                "lanes",
                "trusted",
                "mode",
                "idle_emissions",
                "tolerance",
                "approach",
                "referral",
            ],
        );
        let id = self.id(t, item, path, seen);
        let display = Self::get(t, "display")
            .map(|v| self.display(v, &key_path(path, "display")))
            .unwrap_or_default();
        let sp = key_path(path, "share");
        let share = match Self::get(t, "share") {
            Some(v) => self.float(v, &sp).and_then(|s| {
                if (0.0..=1.0).contains(&s) {
                    Some(s)
                } else {
                    self.err(v.span(), &sp, format!("must be between 0 and 1, got {s}"));
                    None
                }
            }),
            None => {
                self.err(
                    item.span(),
                    &sp,
                    "missing required key (share of all arrivals, 0-1)".to_string(),
                );
                None
            }
        };
        let share_by_hour = match Self::get(t, "share_by_hour") {
            Some(v) => self.share_by_hour(v, &key_path(path, "share_by_hour")),
            None => Some(None),
        };
        let lp = key_path(path, "lanes");
        let lane_idx = match Self::get(t, "lanes") {
            Some(v) => match v.get_ref() {
                DeValue::Array(a) if !a.is_empty() => {
                    let mut idx = Vec::new();
                    let mut ok = true;
                    for (j, lv) in a.iter().enumerate() {
                        let p = format!("{lp}[{j}]");
                        let Some(name) = self.string(lv, &p) else {
                            ok = false;
                            continue;
                        };
                        match lanes {
                            Some(ls) => match ls.iter().position(|(id, _)| *id == name) {
                                Some(k) if idx.contains(&k) => {
                                    self.err(lv.span(), &p, format!("lane {name:?} listed twice"));
                                    ok = false;
                                }
                                Some(k) => idx.push(k),
                                None => {
                                    let known = ls
                                        .iter()
                                        .map(|(id, _)| id.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ");
                                    self.err(
                                        lv.span(),
                                        &p,
                                        format!("no lane with id {name:?} (lanes are: {known})"),
                                    );
                                    ok = false;
                                }
                            },
                            None => ok = false,
                        }
                    }
                    ok.then_some(idx)
                }
                DeValue::Array(_) => {
                    self.err(v.span(), &lp, "must list at least one lane".to_string());
                    None
                }
                other => {
                    self.err(
                        v.span(),
                        &lp,
                        format!("expected an array of lane ids, got {}", type_name(other)),
                    );
                    None
                }
            },
            None => {
                self.err(
                    item.span(),
                    &lp,
                    "missing required key (the lanes this class may use)".to_string(),
                );
                None
            }
        };
        let trusted = match Self::get(t, "trusted") {
            Some(v) => self.boolean(v, &key_path(path, "trusted")),
            None => Some(false),
        };
        let mode = match Self::get(t, "mode") {
            Some(v) => {
                let p = key_path(path, "mode");
                self.string(v, &p).and_then(|s| {
                    let m = TravelMode::ALL.iter().copied().find(|m| m.as_str() == s);
                    if m.is_none() {
                        self.err(
                            v.span(),
                            &p,
                            format!("unknown mode (got {s:?}, expected one of: car, truck, bus, pedestrian)"),
                        );
                    }
                    m
                })
            }
            None => Some(TravelMode::Car),
        };
        let idle = match (mode, Self::get(t, "idle_emissions")) {
            (Some(m), Some(v)) => {
                let p = key_path(path, "idle_emissions");
                self.table(v, &p)
                    .and_then(|et| self.idle_emissions(et, &p, IdleEmissions::default_for(m)))
            }
            (Some(m), None) => Some(IdleEmissions::default_for(m)),
            (None, _) => None,
        };
        let approach = match Self::get(t, "approach") {
            Some(v) => {
                let p = key_path(path, "approach");
                self.string(v, &p).and_then(|s| {
                    let a = [ApproachUse::Shared, ApproachUse::Dedicated]
                        .into_iter()
                        .find(|a| a.as_str() == s);
                    if a.is_none() {
                        self.err(
                            v.span(),
                            &p,
                            format!("unknown approach (got {s:?}, expected shared or dedicated)"),
                        );
                    }
                    a
                })
            }
            None => Some(ApproachUse::Shared),
        };
        let rp = key_path(path, "referral");
        let referral = match Self::get(t, "referral") {
            Some(v) => self.float(v, &rp).and_then(|x| {
                if (0.0..=1.0).contains(&x) {
                    Some(x)
                } else {
                    self.err(
                        v.span(),
                        &rp,
                        format!("must be a probability between 0 and 1, got {x}"),
                    );
                    None
                }
            }),
            None => Some(0.0),
        };
        let tolerance = match Self::get(t, "tolerance") {
            Some(v) => {
                let p = key_path(path, "tolerance");
                self.table(v, &p)
                    .and_then(|tt| self.service(tt, v, &p))
                    .map(Some)
            }
            None => Some(None),
        };
        Some(ClassConfig {
            id: id?,
            display,
            share: share?,
            share_by_hour: share_by_hour?,
            lanes: lane_idx?,
            trusted: trusted?,
            mode: mode?,
            idle: idle?,
            approach: approach?,
            referral: referral?,
            tolerance: tolerance?,
        })
    }
}

impl Ctx<'_> {
    /// `classes[*].share_by_hour`: 24 shares (0-1), or a table of them by day type.
    fn share_by_hour(&mut self, v: &Val<'_>, path: &str) -> Option<Option<HourlyShares>> {
        let in_range = |x: f64| {
            (!(0.0..=1.0).contains(&x)).then(|| format!("must be between 0 and 1, got {x}"))
        };
        self.by_day_type(v, path, |cx, v, p| {
            cx.numbers::<24>(v, p, "shares of the hour's arrivals, hours 0-23", in_range)
        })
        .map(|(weekday, saturday, sunday)| {
            Some(HourlyShares {
                weekday,
                saturday,
                sunday,
            })
        })
    }

    /// With `share_by_hour` somewhere, every hour of every day type must give some class a
    /// positive share (the hour's shares are normalised). Reported at the first class that has
    /// hourly shares.
    fn hourly_shares_cover_every_hour(
        &mut self,
        items: &[(usize, &Val<'_>, &DeTable<'_>)],
        classes: &[ClassConfig],
    ) -> bool {
        let Some(first) = classes.iter().position(|c| c.share_by_hour.is_some()) else {
            return true;
        };
        let mut empty = Vec::new();
        for t in DayType::ALL {
            for h in 0..24 {
                let total: f64 = classes
                    .iter()
                    .map(|c| c.share_by_hour.as_ref().map_or(c.share, |s| s.on(t)[h]))
                    .sum();
                if total <= 0.0 {
                    empty.push(format!("{} {h:02}h", t.as_str()));
                }
            }
        }
        if empty.is_empty() {
            return true;
        }
        let (i, item, t) = items[first];
        let span = Self::get(t, "share_by_hour").map_or(item.span(), |s| s.span());
        self.err(
            span,
            &format!("classes[{i}].share_by_hour"),
            format!(
                "every class has share 0 in {} (expected a positive share for some class in every hour)",
                empty.join(", ")
            ),
        );
        false
    }
}

/// Values by hour for weekdays, and for Saturdays and Sundays when they differ.
type ByDay<T> = ([T; 24], Option<[T; 24]>, Option<[T; 24]>);

impl Ctx<'_> {
    /// A schedule by hour that may differ by day type: `one` parses a single schedule; a table
    /// `{ weekday = ..., saturday = ..., sunday = ... }` gives one per day type (`weekday`
    /// required; a missing Saturday or Sunday falls back to it).
    fn by_day_type<T: Copy>(
        &mut self,
        v: &Val<'_>,
        path: &str,
        one: impl Fn(&mut Self, &Val<'_>, &str) -> Option<[T; 24]>,
    ) -> Option<ByDay<T>> {
        let DeValue::Table(t) = v.get_ref() else {
            return one(self, v, path).map(|w| (w, None, None));
        };
        self.check_keys(t, path, &["weekday", "saturday", "sunday"]);
        let mut ok = true;
        let mut day = |cx: &mut Self, key: &str| match Self::get(t, key) {
            Some(x) => {
                let r = one(cx, x, &key_path(path, key));
                ok &= r.is_some();
                r
            }
            None => None,
        };
        let weekday = day(self, "weekday");
        let saturday = day(self, "saturday");
        let sunday = day(self, "sunday");
        if Self::get(t, "weekday").is_none() {
            self.err(
                v.span(),
                &key_path(path, "weekday"),
                "missing required key (the schedule of Monday to Friday, which Saturday and Sunday fall back to)"
                    .to_string(),
            );
            return None;
        }
        if !ok {
            return None;
        }
        Some((weekday?, saturday, sunday))
    }

    /// A date: a TOML local date (`2025-09-01`) or a string `"2025-09-01"`.
    fn date(&mut self, v: &Val<'_>, path: &str) -> Option<Date> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(d) => d.to_string(),
            other => {
                self.err(
                    v.span(),
                    path,
                    format!(
                        "expected a date such as \"2025-09-01\", got {} ({})",
                        type_name(other),
                        show(other)
                    ),
                );
                return None;
            }
        };
        let d = Date::parse(&text);
        if d.is_none() {
            self.err(
                v.span(),
                path,
                format!("invalid date (got {text:?}, expected an existing date as YYYY-MM-DD)"),
            );
        }
        d
    }

    /// `start` and `[[dates]]`.
    fn calendar(&mut self, root: &DeTable<'_>) -> Option<CalendarConfig> {
        let start_v = Self::get(root, "start");
        let start = start_v.and_then(|v| self.date(v, "start"));
        let start_ok = start_v.is_none() || start.is_some();
        let Some(dv) = Self::get(root, "dates") else {
            return start_ok.then_some(CalendarConfig {
                start,
                dates: Vec::new(),
            });
        };
        let items = self.array_of_tables(dv, "dates");
        let mut ok = !items.is_empty() && start_ok;
        if start_v.is_none() {
            self.err(
                dv.span(),
                "dates",
                "special dates need a `start` date for day 0 (e.g. start = \"2025-09-01\")"
                    .to_string(),
            );
            ok = false;
        }
        let mut dates: Vec<SpecialDate> = Vec::new();
        for (i, item, t) in items {
            let path = format!("dates[{i}]");
            self.check_keys(t, &path, &["date", "demand", "booths"]);
            let dp = key_path(&path, "date");
            let date = match Self::get(t, "date") {
                Some(v) => self.date(v, &dp).and_then(|d| {
                    if let Some(s) = start
                        && d < s
                    {
                        self.err(
                            v.span(),
                            &dp,
                            format!("is before the start date {s}, got {d}"),
                        );
                        return None;
                    }
                    if dates.iter().any(|x| x.date == d) {
                        self.err(v.span(), &dp, format!("date {d} listed twice"));
                        return None;
                    }
                    Some(d)
                }),
                None => {
                    self.err(item.span(), &dp, "missing required key".to_string());
                    None
                }
            };
            let mp = key_path(&path, "demand");
            let demand = match Self::get(t, "demand") {
                Some(v) => self.float(v, &mp).and_then(|x| {
                    if x < 0.0 {
                        self.err(
                            v.span(),
                            &mp,
                            format!("must not be negative (a factor on the day's demand), got {x}"),
                        );
                        None
                    } else {
                        Some(x)
                    }
                }),
                None => Some(1.0),
            };
            let bp = key_path(&path, "booths");
            let booths = match Self::get(t, "booths") {
                Some(v) => self.string(v, &bp).and_then(|s| {
                    let d = DayType::ALL.iter().copied().find(|d| d.as_str() == s);
                    if d.is_none() {
                        self.err(
                            v.span(),
                            &bp,
                            format!(
                                "unknown day type (got {s:?}, expected weekday, saturday or sunday)"
                            ),
                        );
                    }
                    d.map(Some)
                }),
                None => Some(None),
            };
            match (date, demand, booths) {
                (Some(date), Some(demand), Some(booths)) => dates.push(SpecialDate {
                    date,
                    demand,
                    booths,
                }),
                _ => ok = false,
            }
        }
        dates.sort_by_key(|d| d.date);
        ok.then_some(CalendarConfig { start, dates })
    }
}

impl Ctx<'_> {
    /// `idle_emissions = { co2_g_per_h = .., nox_g_per_h = .., pm25_g_per_h = .. }`: grams per
    /// vehicle-hour queued, each optional (CO2 defaults by mode; the others stay unknown).
    fn idle_emissions(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        defaults: IdleEmissions,
    ) -> Option<IdleEmissions> {
        const KEYS: [&str; 3] = ["co2_g_per_h", "nox_g_per_h", "pm25_g_per_h"];
        self.check_keys(t, path, &KEYS);
        let mut vals = [None; 3];
        let mut ok = true;
        for (slot, key) in vals.iter_mut().zip(KEYS) {
            let Some(v) = Self::get(t, key) else {
                continue;
            };
            let p = key_path(path, key);
            match self.float(v, &p) {
                Some(x) if x >= 0.0 => *slot = Some(x),
                Some(x) => {
                    self.err(
                        v.span(),
                        &p,
                        format!("must not be negative (grams per vehicle-hour queued), got {x}"),
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        ok.then(|| IdleEmissions {
            co2_g_per_h: vals[0].unwrap_or(defaults.co2_g_per_h),
            nox_g_per_h: vals[1].or(defaults.nox_g_per_h),
            pm25_g_per_h: vals[2].or(defaults.pm25_g_per_h),
        })
    }
}

/// Most arrivals one replication may have (about 3 minutes of simulation on one core).
const MAX_ARRIVALS_PER_REPLICATION: f64 = 1e9;

/// Expected arrivals over `horizon_s` seconds from time zero.
fn expected_arrivals(d: &DemandConfig, horizon_s: f64) -> f64 {
    let week: f64 = (0..168).map(|h| d.rate_per_hour(h)).sum();
    let hours = horizon_s / 3600.0;
    let whole_weeks = (hours / 168.0).floor();
    let rest = hours - whole_weeks * 168.0;
    let partial: f64 = (0..168)
        .map(|h| d.rate_per_hour(h) * (rest - h as f64).clamp(0.0, 1.0))
        .sum();
    week * whole_weeks + partial
}

/// A short general number format for messages.
fn fmt_g(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStream, StreamId};
    use crate::port::simulate;

    fn corpus() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for dir in ["scenarios", "tests/fixtures/bad"] {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
                .expect("corpus folder")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            for f in files {
                if let Ok(text) = std::fs::read_to_string(&f) {
                    out.push((f.display().to_string(), text));
                }
            }
        }
        out
    }

    /// Thousands of seeded random edits of the bundled and malformed scenarios: validation
    /// never panics, every rejection carries a diagnostic, and whatever validates also
    /// simulates (briefly) without panicking.
    #[test]
    fn mutated_scenarios_never_panic() {
        const PIECES: [&str; 24] = [
            "=",
            "[",
            "]",
            "{",
            "}",
            "\"",
            ",",
            ".",
            "-",
            "0",
            "1",
            "9",
            "e",
            "1e308",
            "-1",
            "24",
            "\n",
            " ",
            "#",
            "nan",
            "inf",
            "\"5 parsecs\"",
            "[[lanes]]",
            "booths = 0",
        ];
        let mut rng = RngStream::new(2026, 0, StreamId::named("scenario-fuzz"));
        let mut validated = 0;
        for (name, text) in corpus() {
            for _ in 0..300 {
                let mut t = text.clone();
                for _ in 0..1 + (rng.next_bits() % 3) {
                    let mut at = (rng.next_bits() as usize) % (t.len() + 1);
                    while !t.is_char_boundary(at) {
                        at -= 1;
                    }
                    let piece = PIECES[(rng.next_bits() as usize) % PIECES.len()];
                    match rng.next_bits() % 3 {
                        0 => t.insert_str(at, piece),
                        1 => {
                            let mut end = (at + 1 + (rng.next_bits() as usize) % 8).min(t.len());
                            while !t.is_char_boundary(end) {
                                end += 1;
                            }
                            t.replace_range(at..end, piece);
                        }
                        _ => {
                            let mut end = (at + 1 + (rng.next_bits() as usize) % 4).min(t.len());
                            while !t.is_char_boundary(end) {
                                end += 1;
                            }
                            t.replace_range(at..end, "");
                        }
                    }
                }
                match parse_str(&t, &name) {
                    Ok(mut s) => {
                        validated += 1;
                        s.config.horizon = s.config.horizon.min(SimTime::from_hours(12));
                        s.config.warmup = s.config.warmup.min(SimTime::from_hours(1));
                        if expected_arrivals(&s.config.demand, s.config.horizon.as_secs_f64())
                            < 200_000.0
                        {
                            let r = simulate(&s.config, 0, None);
                            assert!(!r.groups.is_empty());
                        }
                    }
                    Err(ScenarioError::Invalid(d)) => {
                        assert!(!d.is_empty(), "a rejection without a diagnostic:\n{t}");
                        for x in &d {
                            assert!(x.line >= 1 && x.column >= 1 && !x.message.is_empty());
                        }
                    }
                    Err(other) => panic!("unexpected error kind: {other}"),
                }
            }
        }
        // The mutations are mild enough that some still validate (and so were simulated).
        assert!(
            validated > 50,
            "only {validated} mutated scenarios validated"
        );
    }

    #[test]
    fn expected_arrivals_counts_weeks_and_hours() {
        let d = DemandConfig {
            per_hour: [10.0; 24],
            weekday_factors: [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.0],
            scale: 1.0,
            per_hour_saturday: None,
            per_hour_sunday: None,
            day_sd: 0.0,
            staffing: None,
            month_factors: None,
        };
        assert_eq!(expected_arrivals(&d, 3600.0 * 1.5), 15.0);
        assert_eq!(expected_arrivals(&d, 86_400.0 * 7.0), 10.0 * 24.0 * 7.0);
        assert_eq!(expected_arrivals(&d, 86_400.0 * 6.0), 10.0 * 24.0 * 7.0);
    }
}
