//! The routes, as a plain function from a [`Request`] to a [`Reply`].
//!
//! - `GET /` the page, `GET /app.js`, `/style.css`, `/font.ttf` its parts;
//! - `GET /api/scenarios` the loaded scenarios (names, display names, lanes, classes, booth
//!   schedules, and the other numeric settings each has);
//! - `GET /api/strings` every translated string, English and Spanish;
//! - `POST /api/run?replications=N&seed=S` with a scenario (TOML) as the body: the numbers of
//!   `summary.json` and `hourly.csv`, as `garita run` writes them;
//! - `POST /api/whatif?lang=L` with the page's edits (JSON): the edited scenario, its numbers,
//!   the charts (SVG), the key figures and the change against the scenario as loaded;
//! - `POST /api/report?lang=L` with the same edits: the self-contained report as a download.
//!
//! `client` and `seq` query parameters identify a page and its request order: a page's newer
//! request cancels its older one (409). Bad input gives 400 with every problem, as JSON, a
//! request over the cap 413; nothing here panics on any input.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::limits::{Clients, Limits, Slots, over_cap};
use super::page;
use super::whatif::{self, Edits, Loaded};
use crate::app::{AppError, VERSION};
use crate::experiment::{self, aggregate};
use crate::port::{HourlyMetric, PortConfig, ReplicationResult};
use crate::report::i18n::{Key, Lang};
use crate::report::{RunInfo, fmt_num, group_label, hourly_csv, summary_json};
use crate::scenario::{Scenario, ScenarioError, parse_str};

/// One HTTP request, as the API sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` and `+` in a query component.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Request {
    /// A request for `url` (path and query).
    pub fn from_url(method: &str, url: &str, body: Vec<u8>) -> Request {
        let (path, q) = url.split_once('?').unwrap_or((url, ""));
        let query = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect();
        Request {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            query,
            body,
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP reply.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Content type.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
    /// Offered as a download under this name.
    pub filename: Option<String>,
}

const JSON: &str = "application/json; charset=utf-8";

impl Reply {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type,
            body: body.into(),
            filename: None,
        }
    }

    fn json(status: u16, v: &Value) -> Reply {
        let mut s = serde_json::to_string(v).expect("JSON values always serialize");
        s.push('\n');
        Reply::new(status, JSON, s)
    }

    /// `{"error": message}` with `status`.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, &json!({ "error": message }))
    }

    /// 400 with every problem of an invalid scenario, as `garita check` prints them.
    fn scenario_error(e: &ScenarioError) -> Reply {
        let problems: Vec<Value> = match e {
            ScenarioError::Invalid(diags) => diags
                .iter()
                .map(|d| {
                    json!({
                        "file": d.file,
                        "line": d.line,
                        "col": d.column,
                        "key": d.key,
                        "message": d.message,
                        "text": d.to_string(),
                    })
                })
                .collect(),
            ScenarioError::Io { .. } => Vec::new(),
        };
        Reply::json(
            400,
            &json!({ "error": "invalid scenario", "problems": problems, "text": e.to_string() }),
        )
    }

    fn cancelled() -> Reply {
        Reply::json(
            409,
            &json!({
                "error": "cancelled: a newer request from the same page replaced this one",
                "cancelled": true,
            }),
        )
    }
}

/// Why a run did not give results.
pub(super) enum RunFailure {
    /// Over the cap (413).
    TooBig(String),
    /// Superseded by a newer request of the same page (409).
    Cancelled,
}

impl RunFailure {
    pub(super) fn reply(self) -> Reply {
        match self {
            RunFailure::TooBig(m) => Reply::error(413, &m),
            RunFailure::Cancelled => Reply::cancelled(),
        }
    }
}

/// The server's state: the loaded scenarios, the worker pool and the limits.
pub struct Api {
    scenarios: Vec<Loaded>,
    lang: Lang,
    limits: Limits,
    pool: rayon::ThreadPool,
    slots: Slots,
    clients: Clients,
    /// Baseline replications by (scenario index, replications, seed).
    baselines: Mutex<BTreeMap<BaselineKey, Arc<Vec<ReplicationResult>>>>,
}

/// A baseline run: (scenario index, replications, seed).
type BaselineKey = (usize, u32, u64);

/// Baselines kept in memory at once.
const MAX_BASELINES: usize = 16;

impl Api {
    /// The API over `scenarios`, running simulations on a pool of `threads` workers.
    pub fn new(
        scenarios: Vec<Scenario>,
        lang: Lang,
        limits: Limits,
        threads: usize,
    ) -> Result<Api, AppError> {
        let mut loaded = Vec::new();
        for s in scenarios {
            if loaded
                .iter()
                .any(|l: &Loaded| l.scenario.config.name == s.config.name)
            {
                return Err(AppError::Usage(format!(
                    "{}: another scenario is also named {:?} (give each scenario its own name)",
                    s.source_name, s.config.name
                )));
            }
            loaded.push(Loaded::new(s)?);
        }
        Ok(Api {
            scenarios: loaded,
            lang,
            slots: Slots::new(limits.max_runs),
            limits,
            pool: experiment::pool(threads)?,
            clients: Clients::default(),
            baselines: Mutex::new(BTreeMap::new()),
        })
    }

    /// How many scenarios are served.
    pub fn scenario_count(&self) -> usize {
        self.scenarios.len()
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Answers one request.
    pub fn handle(&self, rq: &Request) -> Reply {
        let get = rq.method == "GET" || rq.method == "HEAD";
        let post = rq.method == "POST";
        match rq.path.as_str() {
            "/" | "/index.html" if get => page::index(),
            "/app.js" if get => page::script(),
            "/style.css" if get => page::style(),
            "/font.ttf" if get => page::font(),
            "/api/scenarios" if get => self.scenarios_reply(),
            "/api/strings" if get => strings_reply(),
            "/api/run" if post => self.run_reply(rq),
            "/api/whatif" if post => self.whatif_reply(rq, false),
            "/api/report" if post => self.whatif_reply(rq, true),
            "/" | "/index.html" | "/app.js" | "/style.css" | "/font.ttf" | "/api/scenarios"
            | "/api/strings" | "/api/run" | "/api/whatif" | "/api/report" => {
                Reply::error(405, &format!("{} is not allowed on {}", rq.method, rq.path))
            }
            _ => Reply::error(404, &format!("{}: no such page", rq.path)),
        }
    }

    fn scenarios_reply(&self) -> Reply {
        let list: Vec<Value> = self.scenarios.iter().map(Loaded::describe).collect();
        Reply::json(
            200,
            &json!({ "lang": self.lang.code(), "version": VERSION, "scenarios": list }),
        )
    }

    /// Registers the request's page and order.
    fn ticket(&self, rq: &Request) -> super::limits::Ticket<'_> {
        let seq = rq.param("seq").and_then(|s| s.parse().ok()).unwrap_or(0);
        self.clients.enter(rq.param("client"), seq)
    }

    /// Runs `configs` on the pool once a slot is free; `None` if cancelled first.
    pub(super) fn simulate(
        &self,
        configs: &[PortConfig],
        cancel: &AtomicBool,
    ) -> Result<Vec<Vec<ReplicationResult>>, RunFailure> {
        for c in configs {
            if let Some(m) = over_cap(c, &self.limits) {
                return Err(RunFailure::TooBig(m));
            }
        }
        let _slot = self.slots.take(cancel).ok_or(RunFailure::Cancelled)?;
        experiment::run_replications_on(&self.pool, configs, &|| cancel.load(Ordering::SeqCst))
            .ok_or(RunFailure::Cancelled)
    }

    /// The baseline's replications for `cfg` (the loaded scenario with the what-if's seed and
    /// replications), from memory or run now together with `alt`; returns (baseline, alt).
    pub(super) fn with_baseline(
        &self,
        index: usize,
        base: &PortConfig,
        alt: &PortConfig,
        cancel: &AtomicBool,
    ) -> Result<(Arc<Vec<ReplicationResult>>, Vec<ReplicationResult>), RunFailure> {
        let key = (index, base.replications, base.seed);
        let cached = self
            .baselines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        // The same configuration gives the same replications: a what-if without changes is
        // its own baseline.
        let same = base == alt;
        if let Some(b) = cached {
            if same {
                return Ok((Arc::clone(&b), b.as_ref().clone()));
            }
            let mut r = self.simulate(std::slice::from_ref(alt), cancel)?;
            return Ok((b, r.pop().unwrap_or_default()));
        }
        let (base_reps, alt_reps) = if same {
            let reps = self
                .simulate(std::slice::from_ref(base), cancel)?
                .pop()
                .unwrap_or_default();
            (Arc::new(reps.clone()), reps)
        } else {
            let mut r = self.simulate(&[base.clone(), alt.clone()], cancel)?;
            let alt_reps = r.pop().unwrap_or_default();
            (Arc::new(r.pop().unwrap_or_default()), alt_reps)
        };
        let mut map = self.baselines.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_BASELINES {
            map.clear();
        }
        map.insert(key, Arc::clone(&base_reps));
        Ok((base_reps, alt_reps))
    }

    fn run_reply(&self, rq: &Request) -> Reply {
        let Ok(text) = std::str::from_utf8(&rq.body) else {
            return Reply::error(
                400,
                "the request body is not UTF-8 text (expected a scenario in TOML)",
            );
        };
        let name = rq.param("file").unwrap_or("request.toml");
        let mut scenario = match parse_str(text, name) {
            Ok(s) => s,
            Err(e) => return Reply::scenario_error(&e),
        };
        match rq.param("replications").map(str::parse::<u32>) {
            None => {}
            Some(Ok(r)) if r >= 1 => scenario.config.replications = r,
            Some(_) => {
                return Reply::error(
                    400,
                    &format!(
                        "replications: expected a whole number of at least 1, got {:?}",
                        rq.param("replications").unwrap_or("")
                    ),
                );
            }
        }
        match rq.param("seed").map(str::parse::<u64>) {
            None => {}
            Some(Ok(s)) => scenario.config.seed = s,
            Some(Err(_)) => {
                return Reply::error(
                    400,
                    &format!(
                        "seed: expected a whole number from 0 to {}, got {:?}",
                        u64::MAX,
                        rq.param("seed").unwrap_or("")
                    ),
                );
            }
        }
        let ticket = self.ticket(rq);
        let cfg = &scenario.config;
        let reps = match self.simulate(std::slice::from_ref(cfg), &ticket.cancel) {
            Ok(mut r) => r.pop().unwrap_or_default(),
            Err(f) => return f.reply(),
        };
        let agg = aggregate(&reps);
        let info = RunInfo {
            source_name: scenario.source_name.clone(),
            source_hash: scenario.source_hash.clone(),
            version: VERSION.to_string(),
        };
        let summary = String::from_utf8_lossy(&summary_json(cfg, &info, &agg)).into_owned();
        let hourly_text = String::from_utf8_lossy(&hourly_csv(cfg, &agg)).into_owned();
        let mut rows = Vec::new();
        for h in 0..24 {
            for g in &agg.groups {
                for &m in HourlyMetric::ALL {
                    let v = g.hourly(h, m);
                    if v.n == 0 {
                        continue;
                    }
                    rows.push(json!({
                        "hour": h,
                        "group": group_label(cfg, g.group),
                        "metric": m.name(),
                        "mean": num(v.mean),
                        "ci95": num(v.ci95),
                        "n": v.n,
                    }));
                }
            }
        }
        // summary.json is embedded byte for byte, as `garita run` writes it.
        let mut body = String::new();
        let _ = writeln!(
            body,
            "{{\"scenario\":{},\"seed\":{},\"replications\":{},\"summary\":{},\"hourly\":{},\"hourly_csv\":{}}}",
            Value::String(cfg.name.clone()),
            cfg.seed,
            cfg.replications,
            summary.trim_end(),
            Value::Array(rows),
            Value::String(hourly_text),
        );
        Reply::new(200, JSON, body)
    }

    fn whatif_reply(&self, rq: &Request, report: bool) -> Reply {
        let lang = match rq.param("lang") {
            None => self.lang,
            Some(code) => match Lang::from_code(code) {
                Some(l) => l,
                None => {
                    return Reply::error(400, &format!("lang: expected en or es, got {code:?}"));
                }
            },
        };
        let edits = match Edits::from_json(&rq.body) {
            Ok(e) => e,
            Err(m) => return Reply::error(400, &m),
        };
        let Some(index) = self
            .scenarios
            .iter()
            .position(|l| l.scenario.config.name == edits.scenario)
        else {
            let names: Vec<&str> = self
                .scenarios
                .iter()
                .map(|l| l.scenario.config.name.as_str())
                .collect();
            return Reply::error(
                400,
                &format!(
                    "scenario: no scenario named {:?} is served (expected one of {})",
                    edits.scenario,
                    names.join(", ")
                ),
            );
        };
        let loaded = &self.scenarios[index];
        let edited = match loaded.edit(&edits) {
            Ok(s) => s,
            Err(whatif::EditError::Edit(m)) => {
                return Reply::json(
                    400,
                    &json!({ "error": "invalid change", "problems": [{ "file": "", "line": 0, "col": 0, "key": "", "message": m, "text": m }], "text": m }),
                );
            }
            Err(whatif::EditError::Invalid(e)) => return Reply::scenario_error(&e),
        };
        let ticket = self.ticket(rq);
        let started = std::time::Instant::now();
        let outcome = match whatif::evaluate(self, index, loaded, &edited, &ticket.cancel) {
            Ok(o) => o,
            Err(f) => return f.reply(),
        };
        if report {
            return match outcome.report_html(lang) {
                Ok(html) => Reply {
                    filename: Some(format!("{}-whatif-report.html", edited.config.name)),
                    ..Reply::new(200, "text/html; charset=utf-8", html)
                },
                Err(m) => Reply::error(500, &m),
            };
        }
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match outcome.page_json(lang, elapsed_ms) {
            Ok(v) => Reply::json(200, &v),
            Err(m) => Reply::error(500, &m),
        }
    }
}

fn num(x: f64) -> Value {
    serde_json::from_str(&fmt_num(x)).unwrap_or(Value::Null)
}

/// Every translated string by key name, in both languages.
fn strings_reply() -> Reply {
    let mut en = serde_json::Map::new();
    let mut es = serde_json::Map::new();
    for &k in Key::ALL {
        en.insert(k.name().to_string(), Value::from(Lang::En.text(k)));
        es.insert(k.name().to_string(), Value::from(Lang::Es.text(k)));
    }
    Reply::json(200, &json!({ "en": en, "es": es }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> PortConfig {
        let text = include_str!("../../../scenarios/mmc-example.toml")
            .replace("horizon = \"30d\"", "horizon = \"2d\"")
            .replace("replications = 8", "replications = 5");
        parse_str(&text, "quick.toml").expect("valid").config
    }

    #[test]
    fn runs_on_the_server_pool_equal_garita_runs_and_stop_between_replications() {
        let cfg = quick();
        let cli = experiment::run_replications(std::slice::from_ref(&cfg), 1, None).expect("runs");
        let pool = experiment::pool(2).expect("pool");
        let served = experiment::run_replications_on(&pool, std::slice::from_ref(&cfg), &|| false);
        // Debug text compares NaN (an undefined metric) as equal to itself.
        assert_eq!(format!("{served:?}"), format!("{:?}", Some(cli)));
        assert_eq!(
            experiment::run_replications_on(&pool, std::slice::from_ref(&cfg), &|| true),
            None
        );
    }

    #[test]
    fn the_cap_counts_horizon_replications_and_demand() {
        let cfg = quick();
        // 408 an hour x 48 hours x 5 replications.
        let limits = Limits {
            max_vehicles: 408.0 * 48.0 * 5.0,
            ..Limits::default()
        };
        assert_eq!(super::super::limits::over_cap(&cfg, &limits), None);
        let tight = Limits {
            max_vehicles: 408.0 * 48.0 * 5.0 - 1.0,
            ..limits
        };
        let msg = super::super::limits::over_cap(&cfg, &tight).expect("over the cap");
        assert!(
            msg.contains("2.0 days x 5 replications x 9792 vehicles a day"),
            "{msg}"
        );
    }

    #[test]
    fn queries_are_decoded() {
        let r = Request::from_url(
            "post",
            "/api/run?seed=7&file=a%20b.toml&x=%zz&y=1+2&z",
            vec![],
        );
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/api/run");
        assert_eq!(r.param("seed"), Some("7"));
        assert_eq!(r.param("file"), Some("a b.toml"));
        assert_eq!(r.param("x"), Some("%zz"));
        assert_eq!(r.param("y"), Some("1 2"));
        assert_eq!(r.param("z"), Some(""));
        assert_eq!(
            Request::from_url("GET", "/x?a=%4", vec![]).param("a"),
            Some("%4")
        );
    }
}
