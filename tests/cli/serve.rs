//! `garita serve`: the JSON API against `garita run` and `garita check`, its limits, and the
//! what-if page in a real browser.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::{REQUIRE_REAL_PARTS, garita, garita_ok, real_part, root, stderr, temp_dir};

/// A running `garita serve`, stopped (by its process id) when dropped, even when a test fails.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_garita"))
            .arg("serve")
            .args(["--port", "0", "--threads", "2"])
            .args(args)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("garita serve starts");
        let mut lines = BufReader::new(child.stderr.take().expect("piped stderr")).lines();
        let mut seen = String::new();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("garita serve stopped before listening:\n{seen}");
            };
            seen.push_str(&line);
            seen.push('\n');
            if let Some(rest) = line.split("open http://").nth(1) {
                break rest.split('/').next().expect("an address").to_string();
            }
        };
        // Keep draining stderr so the server never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// One request; returns (status, body).
    fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, String) {
        http(&self.addr, method, path, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect to garita serve");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("send");
    s.write_all(body).expect("send body");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read reply");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a reply with headers");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    (status, body.to_string())
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The mmc example with a 3-day horizon: a quick scenario.
fn quick_scenario(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/mmc-example.toml"))
        .expect("read scenario")
        .replace("horizon = \"30d\"", "horizon = \"3d\"");
    let p = dir.join("quick.toml");
    std::fs::write(&p, text).expect("write scenario");
    p
}

#[test]
fn serve_run_gives_the_numbers_of_garita_run_byte_for_byte() {
    let dir = temp_dir("serve_run_bytes");
    let file = quick_scenario(&dir);
    let text = std::fs::read(&file).expect("read");
    let out = dir.join("out");
    garita_ok(&[
        "run",
        s(&file),
        "--replications",
        "4",
        "--seed",
        "99",
        "-o",
        s(&out),
    ]);
    let server = Server::start(&["scenarios/mmc-example.toml"]);
    let (status, body) = server.request("POST", "/api/run?replications=4&seed=99", &text);
    assert_eq!(status, 200, "{body}");
    let summary = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    assert!(
        body.contains(summary.trim_end()),
        "summary.json is embedded byte for byte"
    );
    let v = json(&body);
    assert_eq!(v["summary"], json(&summary));
    let hourly = std::fs::read_to_string(out.join("hourly.csv")).expect("hourly.csv");
    assert_eq!(v["hourly_csv"].as_str(), Some(hourly.as_str()));
    // The hourly rows carry the same numbers as the file's lines.
    let rows = v["hourly"].as_array().expect("hourly rows");
    assert_eq!(rows.len(), hourly.lines().count() - 1);
    for (row, line) in rows.iter().zip(hourly.lines().skip(1)) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(row["hour"].to_string(), f[1]);
        assert_eq!(row["group"].as_str(), Some(f[2]));
        assert_eq!(row["metric"].as_str(), Some(f[3]));
        let mean = if row["mean"].is_null() {
            String::new()
        } else {
            row["mean"].to_string()
        };
        assert_eq!(mean, f[4], "{line}");
    }
    assert_eq!(v["seed"], 99);
    assert_eq!(v["replications"], 4);
}

#[test]
fn serve_reports_bad_input_as_garita_check_does() {
    let dir = temp_dir("serve_bad_input");
    let bad = dir.join("bad.toml");
    let text = std::fs::read_to_string(root().join("scenarios/mmc-example.toml"))
        .expect("read")
        .replace("booths = 6", "booths = -2")
        .replace("share = 1.0", "share = \"most\"");
    std::fs::write(&bad, &text).expect("write");
    let check = garita(&["check", s(&bad)]);
    assert_eq!(check.status.code(), Some(2));
    let expected = stderr(&check)
        .trim_end()
        .strip_prefix("error: ")
        .expect("an error line")
        .to_string();
    let server = Server::start(&["scenarios/mmc-example.toml"]);
    let path = format!("/api/run?file={}", s(&bad));
    let (status, body) = server.request("POST", &path, text.as_bytes());
    assert_eq!(status, 400, "{body}");
    let v = json(&body);
    let problems = v["problems"].as_array().expect("problems");
    assert!(problems.len() >= 2, "every problem at once: {body}");
    let texts: Vec<&str> = problems
        .iter()
        .map(|p| p["text"].as_str().expect("text"))
        .collect();
    assert_eq!(texts.join("\n"), expected);
    for p in problems {
        assert!(p["line"].as_u64().expect("line") >= 1);
        assert!(p["col"].as_u64().expect("col") >= 1);
        assert!(p["key"].as_str().is_some() && p["message"].as_str().is_some());
    }
    let booths = problems
        .iter()
        .find(|p| p["key"] == "lanes[0].booths")
        .expect("the booths problem");
    assert!(booths["message"].as_str().expect("message").contains("-2"));

    // Syntax errors, wrong bodies and parameters: 400 with a message, never a crash.
    let (status, body) = server.request("POST", "/api/run", b"name = \n[[lanes]");
    assert_eq!(status, 400, "{body}");
    assert!(
        json(&body)["problems"][0]["message"]
            .as_str()
            .expect("message")
            .starts_with("invalid TOML")
    );
    let (status, _) = server.request("POST", "/api/run", &[0xff, 0xfe, 0x00]);
    assert_eq!(status, 400);
    let good = std::fs::read(quick_scenario(&dir)).expect("read");
    for q in ["seed=x", "replications=0", "replications=-3"] {
        let (status, body) = server.request("POST", &format!("/api/run?{q}"), &good);
        assert_eq!(status, 400, "{q}: {body}");
    }
    for body in [
        &b"not json"[..],
        b"{}",
        b"{\"scenario\":\"nope\"}",
        b"{\"scenario\":\"mmc-example\",\"sets\":[[1,2]]}",
        b"{\"scenario\":\"mmc-example\",\"sets\":[[\"demand.rate\",null]]}",
        b"{\"scenario\":\"mmc-example\",\"sets\":[[\"nowhere.key\",1]]}",
        b"{\"scenario\":\"mmc-example\",\"sets\":[[\"classes.general.share\",2]]}",
    ] {
        let (status, reply) = server.request("POST", "/api/whatif", body);
        assert_eq!(status, 400, "{}: {reply}", String::from_utf8_lossy(body));
        assert!(json(&reply)["error"].as_str().is_some());
    }
    let (status, body) = server.request(
        "POST",
        "/api/whatif",
        b"{\"scenario\":\"mmc-example\",\"sets\":[[\"demand.scale\",-1]]}",
    );
    assert_eq!(status, 400);
    let p = &json(&body)["problems"][0];
    assert_eq!(p["key"], "demand.scale");
    assert_eq!(p["file"], "mmc-example-whatif.toml");
    assert_eq!(server.request("POST", "/api/whatif?lang=fr", b"{}").0, 400);
    assert_eq!(server.request("GET", "/nowhere", b"").0, 404);
    assert_eq!(server.request("GET", "/api/run", b"").0, 405);
    // Still serving.
    assert_eq!(server.request("GET", "/api/scenarios", b"").0, 200);
}

#[test]
fn serve_answers_413_over_the_caps() {
    let dir = temp_dir("serve_caps");
    let text = std::fs::read(quick_scenario(&dir)).expect("read");
    // 408 an hour x 72 hours x 8 replications = 235,008 vehicles.
    let server = Server::start(&[
        "scenarios/mmc-example.toml",
        "--max-vehicles",
        "100000",
        "--max-body",
        "4096",
    ]);
    let (status, body) = server.request("POST", "/api/run", &text);
    assert_eq!(status, 413, "{body}");
    let msg = json(&body)["error"].as_str().expect("error").to_string();
    assert!(msg.contains("2.350e5 vehicles"), "{msg}");
    assert!(msg.contains("--max-vehicles"), "{msg}");
    let (status, body) = server.request("POST", "/api/run?replications=3", &text);
    assert_eq!(status, 200, "under the cap: {body}");
    let (status, body) = server.request("POST", "/api/run", &vec![b'#'; 5000]);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("--max-body"), "{body}");
    // The page's what-if of a 30-day scenario is over this cap too.
    let (status, _) = server.request("POST", "/api/whatif", b"{\"scenario\":\"mmc-example\"}");
    assert_eq!(status, 413);
}

#[test]
fn serve_runs_concurrent_requests_to_identical_results() {
    let dir = temp_dir("serve_concurrent");
    let text = std::fs::read(quick_scenario(&dir)).expect("read");
    let server = Server::start(&["scenarios/mmc-example.toml", "--max-runs", "1"]);
    let addr = server.addr.clone();
    let replies: Vec<(u16, String)> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..4)
            .map(|_| sc.spawn(|| http(&addr, "POST", "/api/run?replications=3", &text)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a request thread"))
            .collect()
    });
    for (status, body) in &replies {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body, &replies[0].1);
    }
}

#[test]
fn serve_cancels_a_pages_older_request() {
    let dir = temp_dir("serve_cancel");
    let text = std::fs::read(quick_scenario(&dir)).expect("read");
    let server = Server::start(&[
        "scenarios/mmc-example.toml",
        "--max-runs",
        "1",
        "--max-vehicles",
        "1e12",
    ]);
    let addr = server.addr.clone();
    // Request 1 asks for far more replications than it can finish before request 2 arrives;
    // request 2 of the same page replaces it, whichever reaches the server first.
    let (first, second) = std::thread::scope(|sc| {
        let a = sc.spawn(|| {
            http(
                &addr,
                "POST",
                "/api/run?replications=20000&client=page&seq=1",
                &text,
            )
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        let b = sc.spawn(|| {
            http(
                &addr,
                "POST",
                "/api/run?replications=2&client=page&seq=2",
                &text,
            )
        });
        (a.join().expect("first"), b.join().expect("second"))
    });
    assert_eq!(first.0, 409, "{}", first.1);
    assert_eq!(json(&first.1)["cancelled"], true);
    assert_eq!(second.0, 200, "{}", second.1);
    // Another page is not affected, and an uncancelled run gives the usual numbers.
    let (status, body) =
        server.request("POST", "/api/run?replications=2&client=other&seq=1", &text);
    assert_eq!(status, 200);
    assert_eq!(json(&body)["summary"], json(&second.1)["summary"]);
}

#[test]
fn serve_page_scenarios_and_strings() {
    let server = Server::start(&["scenarios/mmc-example.toml", "scenarios/ysleta-pov.toml"]);
    let (status, page) = server.request("GET", "/", b"");
    assert_eq!(status, 200);
    assert!(page.contains("<script src=\"/app.js\">"));
    for asset in ["/app.js", "/style.css", "/font.ttf"] {
        assert_eq!(server.request("GET", asset, b"").0, 200, "{asset}");
    }
    let (_, body) = server.request("GET", "/api/scenarios", b"");
    let v = json(&body);
    let names: Vec<&str> = v["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["mmc-example", "ysleta-pov"]);
    let ysleta = &v["scenarios"][1]["state"];
    assert_eq!(ysleta["lanes"][1]["id"], "ready");
    assert_eq!(ysleta["lanes"][1]["name_es"], "Carril Ready");
    assert_eq!(
        ysleta["lanes"][1]["booths"].as_array().map(Vec::len),
        Some(24)
    );
    assert!(
        ysleta["settings"]
            .as_array()
            .expect("settings")
            .iter()
            .any(|s| s["key"] == "lanes.ready.service.mean"),
        "other settings come from the scenario's own keys"
    );
    let (_, body) = server.request("GET", "/api/strings", b"");
    let v = json(&body);
    assert_eq!(v["es"]["UiBooths"], "Casetas abiertas por hora");
    assert_eq!(v["en"]["UiBooths"], "Booths open by hour");
}

#[test]
fn serve_whatif_saves_a_scenario_that_garita_run_reproduces() {
    let dir = temp_dir("serve_whatif_save");
    let server = Server::start(&["scenarios/mmc-example.toml"]);
    let edits = br#"{"scenario":"mmc-example","sets":[["lanes.main.booths",[6,6,6,6,6,6,7,7,7,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6]],["horizon","4d"],["replications",3]]}"#;
    let (status, body) = server.request("POST", "/api/whatif?lang=es", edits);
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    let saved = dir.join("mmc-example-whatif.toml");
    std::fs::write(&saved, v["toml"].as_str().expect("toml")).expect("write");
    garita_ok(&["check", s(&saved)]);
    let out = dir.join("out");
    let printed = crate::common::stdout(&garita_ok(&["run", s(&saved), "-o", s(&out)]));
    let all = printed
        .lines()
        .find(|l| l.starts_with("all "))
        .expect("the all row");
    let cli_mean = all
        .split("  ")
        .filter(|f| !f.is_empty())
        .nth(2)
        .expect("mean");
    let page_mean = v["headline"]["wait_mean"]["text"].as_str().expect("text");
    assert_eq!(
        page_mean,
        cli_mean.trim().replace('.', ","),
        "Spanish decimal comma"
    );
    let summary = json(&std::fs::read_to_string(out.join("summary.json")).expect("summary"));
    assert_eq!(
        v["headline"]["wait_mean"]["mean_s"]
            .as_str()
            .expect("mean_s"),
        summary["groups"][0]["metrics"]["wait_mean_s"]["mean"].to_string()
    );
    for chart in ["wait_by_hour", "staffing", "comparison"] {
        assert!(
            v["charts"][chart]
                .as_str()
                .expect("svg")
                .starts_with("<svg")
        );
    }
    assert!(
        v["figures_html"]
            .as_str()
            .expect("figures")
            .contains("Cifras clave")
    );
    // More booths from 06:00 to 09:00 shorten the wait: the paired change is negative.
    let change: f64 = v["headline"]["change"]["mean_s"]
        .as_str()
        .expect("change")
        .parse()
        .expect("a number");
    assert!(change < 0.0, "{change}");
    // The report of the same state.
    let (status, html) = server.request("POST", "/api/report?lang=en", edits);
    assert_eq!(status, 200);
    assert!(html.contains("Key figures") && html.contains("<svg") && !html.contains("<script"));
}

/// The what-if page in Debian's Chromium, driven by tests/browser/whatif.mjs (playwright-core).
#[test]
fn serve_page_in_a_real_browser() {
    let test = "serve_page_in_a_real_browser";
    let Some(chromium) = real_part(test, &["chromium"], "Debian: apt-get install -y chromium")
    else {
        return;
    };
    let Some(node) = real_part(
        test,
        &["node", "nodejs"],
        "Debian: apt-get install -y nodejs npm",
    ) else {
        return;
    };
    let browser_dir = root().join("tests/browser");
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        let required = std::env::var_os(REQUIRE_REAL_PARTS).is_some_and(|v| v == "1");
        assert!(
            !required,
            "{test}: tests/browser/node_modules is missing and {REQUIRE_REAL_PARTS}=1 requires it (npm ci --prefix tests/browser)"
        );
        let _ = writeln!(
            std::io::stderr(),
            "note: real-part test `{test}` did not run: playwright-core is not installed \
             (npm ci --prefix tests/browser; `bash .ci/run` installs it and runs every real-part test)"
        );
        return;
    }
    let server = Server::start(&[]);
    let out = root().join("output/browser");
    let o = Command::new(node)
        .arg("whatif.mjs")
        .args([
            server.url().as_str(),
            env!("CARGO_BIN_EXE_garita"),
            s(&root()),
            s(&out),
        ])
        .env("GARITA_CHROMIUM", chromium)
        .current_dir(&browser_dir)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains(" passed, 0 failed"), "{text}");
    assert!(out.join("serve-page-en.png").is_file());
}
