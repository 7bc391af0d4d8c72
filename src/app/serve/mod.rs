//! `garita serve`: a what-if page and a small JSON API over HTTP, for review meetings.
//!
//! A face like the command line: the handlers validate scenarios with the same code as
//! `garita check`, simulate with the same experiment code as `garita run` (on a rayon pool, never
//! on the thread that reads the request), and draw with the report's chart and table code. The
//! page is plain HTML, CSS and JavaScript compiled into the binary; nothing is loaded from
//! elsewhere and no file is written unless the user saves one from the browser.
//!
//! `api.rs` holds the routes as a plain function from a request to a reply (tested without a
//! socket); `whatif.rs` turns the page's edits into a scenario and its results into charts;
//! `limits.rs` holds the per-request cap, the run slots and the cancellation of superseded
//! requests; this file binds the socket and hands each request to a thread.

mod api;
mod limits;
mod page;
mod whatif;

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use api::{Api, Reply, Request};
pub use limits::Limits;

use super::{AppError, load_scenarios};
use crate::report::i18n::Lang;

/// Options of `garita serve`.
#[derive(Clone, Debug, PartialEq)]
pub struct ServeConfig {
    /// Scenario files (empty: every `*.toml` file in `scenarios/`).
    pub files: Vec<PathBuf>,
    /// Address to listen on.
    pub host: String,
    /// Port (0: any free port; the address is printed).
    pub port: u16,
    /// Language the page opens in.
    pub lang: Lang,
    /// Limits on what one request may ask.
    pub limits: Limits,
    /// Worker threads of the simulation pool (0 = one per core).
    pub threads: usize,
}

/// Requests being handled at once beyond which the server answers 503.
const MAX_IN_FLIGHT: usize = 64;

/// The scenario files served when none are named: `scenarios/*.toml`, sorted.
fn default_files() -> Result<Vec<PathBuf>, AppError> {
    let dir = PathBuf::from("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|_| {
            AppError::Usage(
                "no scenario given and no scenarios/ folder here (name scenario files: garita serve FILE...)"
                    .to_string(),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(AppError::Usage(
            "no scenario given and scenarios/ holds no .toml file".to_string(),
        ));
    }
    Ok(files)
}

/// Whether `host` is a loopback address or name.
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `garita serve`: loads the scenarios, then serves until the process is stopped.
pub fn serve(cfg: &ServeConfig) -> Result<String, AppError> {
    let files = if cfg.files.is_empty() {
        default_files()?
    } else {
        cfg.files.clone()
    };
    let scenarios = load_scenarios(&files)?;
    let api = Arc::new(Api::new(
        scenarios,
        cfg.lang,
        cfg.limits.clone(),
        cfg.threads,
    )?);
    let server = tiny_http::Server::http((cfg.host.as_str(), cfg.port)).map_err(|e| {
        AppError::Usage(format!(
            "cannot listen on {}:{}: {e} (choose another --port or --host)",
            cfg.host, cfg.port
        ))
    })?;
    let addr = server
        .server_addr()
        .to_ip()
        .map(|a| a.to_string())
        .unwrap_or_else(|| format!("{}:{}", cfg.host, cfg.port));
    if !is_loopback(&cfg.host) {
        eprintln!(
            "garita serve: listening on {} beyond this computer: anyone who can reach it can run simulations",
            cfg.host
        );
    }
    eprintln!(
        "garita serve: {} scenario(s); open http://{addr}/ (stop with Ctrl-C)",
        api.scenario_count()
    );
    let in_flight = Arc::new(AtomicUsize::new(0));
    for rq in server.incoming_requests() {
        if in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT {
            in_flight.fetch_sub(1, Ordering::SeqCst);
            respond(
                rq,
                Reply::error(503, "the server is busy: try again shortly"),
            );
            continue;
        }
        let api = Arc::clone(&api);
        let in_flight = Arc::clone(&in_flight);
        let spawned = std::thread::Builder::new()
            .name("garita-request".to_string())
            .spawn(move || {
                handle(&api, rq);
                in_flight.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            eprintln!("garita serve: cannot start a thread for a request");
        }
    }
    Ok(String::new())
}

/// Reads one request (its body up to the cap), asks the API, and writes the reply.
fn handle(api: &Api, mut rq: tiny_http::Request) {
    let method = rq.method().as_str().to_string();
    let url = rq.url().to_string();
    let cap = api.limits().max_body_bytes;
    let mut body = Vec::new();
    let read = rq.as_reader().take(cap as u64 + 1).read_to_end(&mut body);
    let reply = match read {
        Err(e) => Reply::error(400, &format!("cannot read the request body: {e}")),
        Ok(_) if body.len() > cap => Reply::error(
            413,
            &format!(
                "the request body is larger than this server's cap of {cap} bytes (start it with a larger --max-body)"
            ),
        ),
        Ok(_) => api.handle(&Request::from_url(&method, &url, body)),
    };
    respond(rq, reply);
}

fn respond(rq: tiny_http::Request, reply: Reply) {
    // Whole bodies with a Content-Length (no chunked encoding): replies are built in memory.
    let mut resp = tiny_http::Response::from_data(reply.body)
        .with_status_code(reply.status)
        .with_chunked_threshold(usize::MAX);
    let mut headers = vec![
        ("Content-Type", reply.content_type.to_string()),
        ("Cache-Control", "no-store".to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
        // The page loads nothing from elsewhere, and the browser holds it to that.
        (
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
                .to_string(),
        ),
    ];
    if let Some(name) = reply.filename {
        headers.push((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ));
    }
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            resp.add_header(h);
        }
    }
    // A client that went away cannot be told anything.
    let _ = rq.respond(resp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_addresses_stay_on_this_computer() {
        for h in ["127.0.0.1", "127.1.2.3", "::1", "localhost"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["0.0.0.0", "::", "192.0.2.7", "example.org"] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn the_api_answers_without_a_socket() {
        let s = crate::scenario::load_file(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/mmc-example.toml"
        )))
        .expect("bundled scenario");
        let api = Api::new(vec![s], Lang::Es, Limits::default(), 1).expect("api");
        let r = api.handle(&Request::from_url("GET", "/api/scenarios", Vec::new()));
        assert_eq!(r.status, 200);
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(v["lang"], "es");
        assert_eq!(v["scenarios"][0]["name"], "mmc-example");
        let page = api.handle(&Request::from_url("GET", "/", Vec::new()));
        assert!(page.content_type.starts_with("text/html"));
        let cut = api.handle(&Request::from_url(
            "POST",
            "/api/whatif?lang=es",
            br#"{"scenario":"mmc-example","sets":[["horizon","2d"],["replications",2]]}"#.to_vec(),
        ));
        assert_eq!(cut.status, 200, "{}", String::from_utf8_lossy(&cut.body));
    }
}
