//! `garita run` and `garita check` end to end.

use std::path::{Path, PathBuf};

use crate::common::{garita, garita_ok, root, stderr, stdout, temp_dir};

const RESULT_FILES: [&str; 6] = [
    "summary.csv",
    "hourly.csv",
    "replications.csv",
    "distribution.csv",
    "summary.json",
    "run.json",
];

fn run_to(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run",
        "scenarios/mmc-example.toml",
        "--replications",
        "3",
        "-o",
        dir.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    garita(&args)
}

fn read(p: PathBuf) -> Vec<u8> {
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn run_writes_every_result_file() {
    let out = temp_dir("run_writes_every_result_file");
    let o = run_to(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("lane:main") && text.contains("mean wait (min)"),
        "{text}"
    );
    for f in RESULT_FILES {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let summary = String::from_utf8(read(out.join("summary.csv"))).expect("utf-8");
    assert!(summary.starts_with("scenario,group,metric,mean,ci95,n\n"));
    for metric in [
        "arrivals",
        "served",
        "unserved_at_end",
        "wait_mean_s",
        "wait_p50_s",
        "wait_p90_s",
        "wait_p95_s",
        "wait_p99_s",
        "wait_max_s",
        "share_wait_le_20m",
        "utilization",
        "queue_mean",
        "vehicle_hours_waiting",
    ] {
        assert!(
            summary.contains(&format!("mmc-example,lane:main,{metric},")),
            "summary.csv lacks {metric}"
        );
    }
    let hourly = String::from_utf8(read(out.join("hourly.csv"))).expect("utf-8");
    assert!(hourly.starts_with("scenario,hour,group,metric,mean,ci95,n\n"));
    for metric in [
        "arrivals",
        "wait_mean_s",
        "wait_p95_s",
        "queue_mean",
        "booths_open",
        "utilization",
    ] {
        assert!(
            hourly.contains(&format!("mmc-example,23,lane:main,{metric},")),
            "{metric}"
        );
    }
    // Every row has n = 3 replications and 7 fields.
    for line in summary.lines().skip(1) {
        assert_eq!(line.split(',').count(), 6, "{line}");
        assert!(line.ends_with(",3"), "{line}");
    }
    let run: serde_json::Value =
        serde_json::from_slice(&read(out.join("run.json"))).expect("run.json is JSON");
    assert_eq!(run["seed"], 7);
    assert_eq!(run["replications"], 3);
    assert_eq!(run["horizon_s"], 30 * 86_400);
    assert_eq!(run["scenario_hash"].as_str().map(str::len), Some(64));
    // No temporary files are left behind.
    for e in std::fs::read_dir(&out).expect("read dir") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".partial"), "{name}");
    }
}

#[test]
fn same_seed_gives_identical_files_on_any_thread_count() {
    let a = temp_dir("determinism_a");
    let b = temp_dir("determinism_b");
    let c = temp_dir("determinism_c");
    for (dir, threads) in [(&a, "1"), (&b, "2"), (&c, "2")] {
        let o = run_to(dir, &["--threads", threads, "--trace"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in RESULT_FILES.iter().chain(&["trace.csv"]) {
        assert_eq!(read(a.join(f)), read(b.join(f)), "{f}: 1 vs 2 threads");
        assert_eq!(read(b.join(f)), read(c.join(f)), "{f}: two identical runs");
    }
    let d = temp_dir("determinism_d");
    let o = run_to(&d, &["--seed", "8"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(read(a.join("summary.csv")), read(d.join("summary.csv")));
    let run: serde_json::Value =
        serde_json::from_slice(&read(d.join("run.json"))).expect("run.json is JSON");
    assert_eq!(run["seed"], 8);
}

#[test]
fn trace_has_one_row_per_vehicle_of_replication_one() {
    let out = temp_dir("trace_rows");
    let o = run_to(&out, &["--trace"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let trace = String::from_utf8(read(out.join("trace.csv"))).expect("utf-8");
    let mut lines = trace.lines();
    assert_eq!(
        lines.next(),
        Some(
            "vehicle,class,lane,counted,arrival_s,wait_s,service_start_s,service_s,departure_s,booth"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // Counted rows = arrivals of replication 1 in replications.csv.
    let reps = String::from_utf8(read(out.join("replications.csv"))).expect("utf-8");
    let arrivals: f64 = reps
        .lines()
        .find(|l| l.starts_with("mmc-example,1,all,arrivals,"))
        .and_then(|l| l.rsplit(',').next())
        .and_then(|v| v.parse().ok())
        .expect("arrivals of replication 1");
    let counted = rows.iter().filter(|r| r[3] == "1").count();
    assert_eq!(counted as f64, arrivals);
    let mut ids: Vec<u64> = rows.iter().map(|r| r[0].parse().expect("id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rows.len(), "one row per vehicle");
    for r in rows.iter().filter(|r| !r[5].is_empty()).take(1000) {
        let arrival: f64 = r[4].parse().expect("arrival");
        let wait: f64 = r[5].parse().expect("wait");
        let start: f64 = r[6].parse().expect("start");
        assert!((arrival + wait - start).abs() < 1e-5, "{r:?}");
        let booth: u32 = r[9].parse().expect("booth");
        assert!((1..=6).contains(&booth));
    }
}

/// Every bundled scenario passes `check`, and runs (briefly).
#[test]
fn every_bundled_scenario_checks_and_runs() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["scenarios", "scenarios/alternatives", "scenarios/regions"] {
        files.extend(
            std::fs::read_dir(root().join(dir))
                .expect("scenario folder")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml")),
        );
    }
    assert!(files.len() >= 8, "bundled scenarios: {files:?}");
    let mut args = vec!["check".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = garita_ok(&argv);
    assert_eq!(stdout(&o).matches(": ok (").count(), files.len());
    // No bundled scenario draws a warning, and `check` prints its capacity checks: bota-pov's
    // latent demand is above its booths' capacity (travellers react, [response]).
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let text = stdout(&o);
    for line in [
        "  capacity a day: classes general 2367 vs lanes general 3038 (load 0.78)\n",
        "  capacity a day: classes general+ready 10857 vs lanes general+ready 9204 (load 1.18): latent demand over capacity (travellers forgo or shift trips)\n",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    for f in &files {
        let mut s = garita::scenario::load_file(f).expect("valid scenario");
        s.config.horizon = garita::engine::SimTime::from_hours(30);
        s.config.warmup = garita::engine::SimTime::from_hours(6);
        let r = garita::port::simulate(&s.config, 0, None);
        let all = r.group(garita::port::GroupRef::All).expect("all");
        assert!(
            all.metric(garita::port::Metric::Arrivals) > 0.0,
            "{}: no arrivals",
            f.display()
        );
    }
}

/// Each malformed scenario gives its own message, with file:line:col, and exit code 2.
#[test]
fn bad_scenarios_give_specific_messages() {
    let cases: &[(&str, &[&str])] = &[
        (
            "syntax-error.toml",
            &["syntax-error.toml:6:8: invalid TOML"],
        ),
        (
            "unknown-key.toml",
            &[
                "unknown-key.toml:4:1: replicatons: unknown key",
                "did you mean `replications`?",
            ],
        ),
        (
            "negative-booths.toml",
            &["negative-booths.toml:15:10: lanes[0].booths: must be at least 0, got -2"],
        ),
        (
            "shares-not-one.toml",
            &[
                "shares-not-one.toml:10:9: classes[*].share: shares must sum to 1, got 0.9 (general 0.9)",
            ],
        ),
        (
            "missing-lane.toml",
            &[
                "missing-lane.toml:11:18: classes[0].lanes[1]: no lane with id \"ready\" (lanes are: main)",
            ],
        ),
        (
            "bad-duration.toml",
            &[
                "bad-duration.toml:2:11: horizon: invalid duration (got \"5 parsecs\", expected seconds",
            ],
        ),
        (
            "per-hour-23.toml",
            &[
                "per-hour-23.toml:6:12: demand.per_hour: expected 24 values (arrivals per hour, hours 0-23), got 23",
            ],
        ),
        (
            "unknown-dist.toml",
            &[
                "unknown-dist.toml:16:20: lanes[0].service.dist: unknown distribution (got \"weibull\"",
            ],
        ),
        (
            "extra-param.toml",
            &[
                "extra-param.toml:16:49: lanes[0].service.sd: unknown key (expected one of: dist, mean)",
            ],
        ),
        (
            "never-open.toml",
            &["never-open.toml:15:10: lanes[0].booths: the lane never has an open booth"],
        ),
        (
            "max-booths-too-small.toml",
            &[
                "max-booths-too-small.toml:16:14: lanes[0].max_booths: must be at least the most booths ever open (3), got 2",
            ],
        ),
        (
            "bad-name.toml",
            &["bad-name.toml:1:8: name: invalid name (got \"Bad Name\""],
        ),
        (
            "warmup-too-long.toml",
            &["warmup-too-long.toml:3:10: warmup: must be shorter than the horizon"],
        ),
        (
            "lane-renamed.toml",
            &["lane-renamed.toml:11:10: classes[0].lanes[0]: no lane with id \"main\""],
        ),
        (
            "many-problems.toml",
            &[
                "many-problems.toml:3:16: replications: expected an integer, got a string (\"two\")",
                "many-problems.toml:10:9: classes[0].share: must be between 0 and 1, got 1.5",
                "many-problems.toml:15:10: lanes[0].booths: expected an integer, got a float (3.5)",
            ],
        ),
        (
            "empty.toml",
            &[
                "empty.toml:1:1: horizon: missing required key",
                "empty.toml:1:1: demand: missing required table [demand]",
                "empty.toml:1:1: lanes: missing required [[lanes]]",
                "empty.toml:1:1: classes: missing required [[classes]]",
            ],
        ),
        ("not-utf8.toml", &["not-utf8.toml: cannot read scenario"]),
        (
            "response-problems.toml",
            &[
                "response-problems.toml:6:10: demand.day_sd: out of range (got -0.1, expected 0 to 2",
                "response-problems.toml:17:13: classes[1].tolerance.sd: missing required key for a lognormal distribution",
                "response-problems.toml:25:17: response.posted_update: too short (got 0 s, expected at least 1 s)",
                "response-problems.toml:26:9: response.shift: out of range (got 1.5, expected a share from 0 to 1)",
                "response-problems.toml:27:14: response.max_shifts: out of range (got -1, expected 0 to 100)",
                "response-problems.toml:28:1: response.shift_dealy: unknown key",
            ],
        ),
        (
            "share-by-hour-problems.toml",
            &[
                "share-by-hour-problems.toml:11:29: classes[0].share_by_hour.weekday: expected 24 values (shares of the hour's arrivals, hours 0-23), got 3",
                "share-by-hour-problems.toml:11:171: classes[0].share_by_hour.sunday[23]: must be between 0 and 1, got 1.2",
                "share-by-hour-problems.toml:17:19: classes[1].share_by_hour.weekdays: unknown key (expected one of: weekday, saturday, sunday)",
            ],
        ),
        (
            "share-by-hour-empty-hour.toml",
            &[
                "share-by-hour-empty-hour.toml:11:17: classes[0].share_by_hour: every class has share 0 in weekday 03h, sunday 03h (expected a positive share for some class in every hour)",
            ],
        ),
        (
            "tolerance-without-response.toml",
            &[
                "tolerance-without-response.toml:11:1: classes[0].tolerance: only used with a [response] table",
            ],
        ),
        (
            "response-without-tolerance.toml",
            &[
                "response-without-tolerance.toml:23:1: response.tolerance: missing required key (classes without their own tolerance: general;",
            ],
        ),
        (
            "layout-problems.toml",
            &[
                "layout-problems.toml:5:11: approach.storage: must be between 1 and 1000000 vehicles, got 0",
                "layout-problems.toml:9:12: secondary.officers: no officer is ever on duty (expected at least 1 in some hour)",
                "layout-problems.toml:10:11: secondary.service.sd: missing required key for a lognormal distribution",
                "layout-problems.toml:19:12: classes[0].approach: unknown approach (got \"private\", expected shared or dedicated)",
                "layout-problems.toml:20:12: classes[0].referral: must be a probability between 0 and 1, got -0.03",
                "layout-problems.toml:25:11: lanes[0].storage: must be between 1 and 1000000 vehicles, got -5",
                "layout-problems.toml:26:11: lanes[0].stacked: must be 1 or 2 (inspection points in tandem per booth), got 3",
                "layout-problems.toml:27:14: lanes[0].officer_sd: must be between 0 and 2 (the sd of a factor with mean 1), got -0.2",
                "layout-problems.toml:34:8: flex[0].rule.changeover: missing required key (a duration)",
                "layout-problems.toml:35:9: flex[0].hours: invalid hours (got \"22-06\", expected \"HH-HH\" with 0 <= from < to <= 24, e.g. \"06-22\")",
            ],
        ),
    ];
    let dir = root().join("tests/fixtures/bad");
    let on_disk = std::fs::read_dir(&dir).expect("fixtures").count();
    assert_eq!(on_disk, cases.len(), "every fixture has a case");
    for (file, wants) in cases {
        let path = format!("tests/fixtures/bad/{file}");
        for cmd in ["check", "run"] {
            let o = garita(
                &[cmd, &path, "-o", "target/never-written"][..if cmd == "run" { 4 } else { 2 }],
            );
            assert_eq!(o.status.code(), Some(2), "{cmd} {file}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(!err.contains("panicked"), "{file}: {err}");
            for w in *wants {
                assert!(err.contains(w), "{cmd} {file}: expected {w:?} in:\n{err}");
            }
        }
    }
    assert!(!root().join("target/never-written").exists());
    // All files at once: every file's problems are listed.
    let o = garita(&[
        "check",
        "tests/fixtures/bad/negative-booths.toml",
        "tests/fixtures/bad/bad-name.toml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("negative-booths.toml:15:10")
            && stderr(&o).contains("bad-name.toml:1:8")
    );
}

#[test]
fn bad_command_lines_exit_with_2() {
    for args in [
        &["run"][..],
        &["run", "scenarios/mmc-example.toml", "--replications", "0"],
        &["run", "scenarios/mmc-example.toml", "--threads", "many"],
        &["frobnicate"],
        &["run", "no-such-file.toml"],
    ] {
        let o = garita(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

/// The complete example in docs/scenario-format.md is a valid scenario.
#[test]
fn documented_example_is_valid() {
    let doc = std::fs::read_to_string(root().join("docs/scenario-format.md")).expect("doc");
    let start = doc.find("```toml\n").expect("a toml block") + 8;
    let end = start + doc[start..].find("```").expect("block end");
    let dir = temp_dir("documented_example_is_valid");
    let path = dir.join("example.toml");
    std::fs::write(&path, &doc[start..end]).expect("write");
    garita_ok(&["check", path.to_str().expect("utf-8")]);
}

/// The README's worked example prints what the README shows.
#[test]
fn readme_worked_example_is_current() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let marker = "$ garita run scenarios/bota-pov.toml\n";
    let start = readme.find(marker).expect("worked example") + marker.len();
    let shown: Vec<&str> = readme[start..]
        .lines()
        .take_while(|l| !l.starts_with("results:"))
        .collect();
    let out = temp_dir("readme_worked_example");
    let o = garita_ok(&[
        "run",
        "scenarios/bota-pov.toml",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    let text = stdout(&o);
    let printed: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("results:"))
        .collect();
    assert_eq!(printed, shown, "update the README's worked example");
}

/// A bilingual description reaches run.json and the report in each language.
#[test]
fn bilingual_description_reaches_the_report() {
    let dir = temp_dir("bilingual_description");
    let text = std::fs::read_to_string(root().join("scenarios/mmc-example.toml"))
        .expect("scenario")
        .replace(
            "description = \"A plain M/M/c queue",
            "description = { es = \"Una cola M/M/c sencilla\", en = \"A plain M/M/c queue",
        )
        .replace("(utilization 0.85)\"", "(utilization 0.85)\" }")
        .replace(
            "seed = 7",
            "seed = 7\ndisplay = { en = \"Plain queue\", es = \"Cola sencilla\" }",
        );
    let path = dir.join("bilingual.toml");
    std::fs::write(&path, text).expect("write");
    let out = dir.join("out");
    garita_ok(&[
        "run",
        path.to_str().expect("utf-8"),
        "--replications",
        "2",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    let run: serde_json::Value =
        serde_json::from_slice(&read(out.join("run.json"))).expect("run.json is JSON");
    assert_eq!(run["description_es"], "Una cola M/M/c sencilla");
    assert!(
        run["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("A plain M/M/c"))
    );
    for (lang, want) in [
        ("es", "Una cola M/M/c sencilla"),
        ("en", "A plain M/M/c queue"),
    ] {
        garita_ok(&["report", out.to_str().expect("utf-8"), "--lang", lang]);
        let html = String::from_utf8(read(out.join("report.html"))).expect("utf-8");
        assert!(html.contains(want), "{lang}: description missing");
    }
    // The display name titles the report, in each language; `-o NAME.html` is a file.
    assert_eq!(run["display_es"], "Cola sencilla");
    for (lang, title) in [
        ("es", "Tiempos de espera en el puerto: Cola sencilla"),
        ("en", "Wait times at the port: Plain queue"),
    ] {
        let file = dir.join(format!("my-report-{lang}.html"));
        garita_ok(&[
            "report",
            out.to_str().expect("utf-8"),
            "--lang",
            lang,
            "-o",
            file.to_str().expect("utf-8"),
        ]);
        let html = String::from_utf8(read(file)).expect("a file, not a folder");
        assert!(html.contains(&format!("<title>{title}</title>")), "{lang}");
    }
}

/// Result files kept as goldens of `garita run` on bundled scenarios, in `tests/golden/run/`.
const GOLDEN_FILES: [&str; 4] = [
    "summary.csv",
    "hourly.csv",
    "distribution.csv",
    "replications.csv",
];

/// Today's numbers stay today's numbers: every row of the golden result files must appear,
/// byte for byte and in the same order, in a fresh run of the same scenario and seed. New rows
/// (new metrics or groups added by a new mechanism) are allowed between them; a changed or
/// missing row is a failure. `GARITA_BLESS=1` rewrites the goldens on purpose, after review.
#[test]
fn results_match_the_goldens_row_for_row() {
    let work = temp_dir("run_goldens");
    for scenario in ["mmc-example", "bota-pov", "ysleta-cov"] {
        let out = work.join(scenario);
        let file = format!("scenarios/{scenario}.toml");
        garita_ok(&[
            "run",
            &file,
            "--replications",
            "2",
            "--seed",
            "7",
            "-o",
            out.to_str().expect("utf-8 path"),
        ]);
        let golden_dir = root().join("tests/golden/run").join(scenario);
        for f in GOLDEN_FILES {
            let got = String::from_utf8(read(out.join(f))).expect("utf-8");
            let golden = golden_dir.join(f);
            if std::env::var_os("GARITA_BLESS").is_some() {
                std::fs::create_dir_all(&golden_dir).expect("mkdir");
                std::fs::write(&golden, &got).expect("bless golden");
                continue;
            }
            let want = String::from_utf8(read(golden)).expect("utf-8");
            let mut got_lines = got.lines();
            for (i, line) in want.lines().enumerate() {
                assert!(
                    got_lines.any(|g| g == line),
                    "{scenario}/{f}: golden row {} is missing or changed in {}:\n  {line}\n\
                     review the change and rerun with GARITA_BLESS=1 if it is intended",
                    i + 1,
                    out.join(f).display()
                );
            }
        }
    }
}

/// A lane offered more than it can serve in a day: `check` and `run` warn before running, and
/// the results are the same as without the warning (it only informs).
#[test]
fn overloaded_lanes_are_warned_of_before_running() {
    let dir = temp_dir("overloaded_lanes_are_warned_of");
    let path = dir.join("overload.toml");
    std::fs::write(
        &path,
        "name = \"overload\"\nseed = 1\nhorizon = \"6h\"\nwarmup = \"0s\"\nreplications = 2\n\
         [demand]\nrate = 100\n\
         [[classes]]\nid = \"a\"\nshare = 0.5\nlanes = [\"one\"]\n\
         [[classes]]\nid = \"b\"\nshare = 0.5\nlanes = [\"two\", \"one\"]\n\
         [[lanes]]\nid = \"one\"\nbooths = 1\nservice = { dist = \"constant\", mean = \"60s\" }\n\
         [[lanes]]\nid = \"two\"\nbooths = 1\nservice = { dist = \"constant\", mean = \"90s\" }\n",
    )
    .expect("write");
    let file = path.to_str().expect("utf-8");
    // Lane one alone: 1200 a day against 1440 (fine); pooled: 2400 against 1440 + 960 = 2400
    // (exactly at capacity: not over). One more vehicle an hour tips the pooled check over.
    let o = garita_ok(&["check", file]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("classes a+b 2400 vs lanes one+two 2400 (load 1.00)\n"),
        "{}",
        stdout(&o)
    );
    let text = std::fs::read_to_string(&path)
        .expect("read")
        .replace("rate = 100", "rate = 101");
    std::fs::write(&path, text).expect("write");
    let warning = format!(
        "warning: {file}: classes a+b bring 2424 vehicles on an average day but lanes one+two can serve 2400 (load 1.01): their queue grows without bound\n"
    );
    let o = garita_ok(&["check", file]);
    assert_eq!(stderr(&o), warning);
    assert!(
        stdout(&o).contains("(load 1.01): over capacity\n"),
        "{}",
        stdout(&o)
    );
    let out = dir.join("out");
    let o = garita_ok(&["run", file, "-o", out.to_str().expect("utf-8")]);
    assert!(stderr(&o).starts_with(&warning), "{}", stderr(&o));
    assert!(out.join("summary.csv").is_file());
}

/// `run` resumes like compare and sweep: a second run of the same build loads every
/// replication from OUT/.jobs and writes byte-identical files; a changed seed loads nothing;
/// leftover temporary files and records that no longer apply are removed.
#[test]
fn run_resumes_from_its_job_records() {
    let dir = temp_dir("run_resumes_from_its_job_records");
    let files = [
        "summary.csv",
        "hourly.csv",
        "distribution.csv",
        "replications.csv",
    ];
    let o = run_to(&dir, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("loaded"), "{}", stdout(&o));
    let first: Vec<Vec<u8>> = files.iter().map(|f| read(dir.join(f))).collect();
    // An interrupted earlier process left these.
    std::fs::write(dir.join(".summary.csv.partial"), b"half").expect("write");
    let jobs = dir.join(".jobs");
    let key = std::fs::read_dir(&jobs)
        .expect("records")
        .next()
        .expect("one key")
        .expect("entry")
        .path();
    std::fs::write(key.join(".3.bin.1.partial"), b"half").expect("write");
    let o = run_to(&dir, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("note: 3 of 3 replications loaded from the job records"),
        "{}",
        stdout(&o)
    );
    for (f, bytes) in files.iter().zip(&first) {
        assert_eq!(&read(dir.join(f)), bytes, "{f}");
    }
    assert!(!dir.join(".summary.csv.partial").exists());
    assert!(!key.join(".3.bin.1.partial").exists());
    // Another seed: new records, nothing loaded, the old key's records removed.
    let o = run_to(&dir, &["--seed", "99"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("loaded"), "{}", stdout(&o));
    assert!(!key.exists());
    assert_eq!(std::fs::read_dir(&jobs).expect("records").count(), 1);
}

/// With an approach: the trace gains `lane_entry_s,approach_wait_s`, every vehicle passes the
/// split between its arrival and its booth, and the approach metrics reach the result files.
#[test]
fn approach_reaches_the_trace_and_the_results() {
    let out = temp_dir("approach_trace");
    garita_ok(&[
        "run",
        "scenarios/spillback-example.toml",
        "--replications",
        "2",
        "--trace",
        "-o",
        out.to_str().expect("utf-8 path"),
    ]);
    let trace = String::from_utf8(read(out.join("trace.csv"))).expect("utf-8");
    let mut lines = trace.lines();
    assert_eq!(
        lines.next(),
        Some(
            "vehicle,class,lane,counted,arrival_s,wait_s,service_start_s,service_s,departure_s,booth,lane_entry_s,approach_wait_s"
        )
    );
    let mut held = 0;
    for l in lines {
        let r: Vec<&str> = l.split(',').collect();
        assert_eq!(r.len(), 12, "{l}");
        if r[10].is_empty() {
            // Still before the split at the horizon: no lane, no booth.
            assert!(r[2].is_empty() && r[9].is_empty(), "{l}");
            continue;
        }
        let arrival: f64 = r[4].parse().expect("arrival");
        let entry: f64 = r[10].parse().expect("lane entry");
        let approach_wait: f64 = r[11].parse().expect("approach wait");
        assert!((arrival + approach_wait - entry).abs() < 1e-5, "{l}");
        if !r[6].is_empty() {
            let start: f64 = r[6].parse().expect("start");
            assert!(entry <= start + 1e-9, "{l}");
        }
        if r[1] == "sentri" {
            assert_eq!(approach_wait, 0.0, "dedicated approach: {l}");
        }
        held += usize::from(approach_wait > 0.0);
    }
    assert!(held > 0, "some vehicles waited before the split");
    let summary = String::from_utf8(read(out.join("summary.csv"))).expect("utf-8");
    for row in [
        "spillback-example,all,approach_wait_s,",
        "spillback-example,all,approach_blocked_share,",
        "spillback-example,all,outside_queue_mean,",
        "spillback-example,lane:general,lane_full_share,",
        "spillback-example,class:ready,approach_wait_s,",
    ] {
        assert!(summary.contains(row), "{row} in summary.csv");
    }
    let hourly = String::from_utf8(read(out.join("hourly.csv"))).expect("utf-8");
    assert!(hourly.contains("spillback-example,7,all,outside_queue_mean,"));
}

/// `officer_sd`: booths keep their speed through the day. From the trace, the mean inspection
/// time of each (day, booth) spreads far more across booths with `officer_sd = 0.4` than with
/// 0 (sampling noise only), and `officer_sd = 0` gives today's results file byte for byte.
#[test]
fn officer_sd_spreads_booth_speeds_and_zero_changes_nothing() {
    let base = std::fs::read_to_string(root().join("scenarios/mmc-example.toml")).expect("read");
    let dir = temp_dir("officer_sd");
    let spread = |sd: Option<&str>| {
        let text = match sd {
            Some(sd) => base.replace("booths = 6\n", &format!("booths = 6\nofficer_sd = {sd}\n")),
            None => base.clone(),
        };
        let name = format!("s{}.toml", sd.unwrap_or("none"));
        let file = dir.join(&name);
        std::fs::write(&file, text).expect("write scenario");
        let out = dir.join(format!("out-{name}"));
        garita_ok(&[
            "run",
            file.to_str().expect("utf-8 path"),
            "--replications",
            "1",
            "--trace",
            "-o",
            out.to_str().expect("utf-8 path"),
        ]);
        let trace = String::from_utf8(read(out.join("trace.csv"))).expect("utf-8");
        let mut sums: std::collections::BTreeMap<(u64, u32), (f64, f64)> = Default::default();
        for l in trace.lines().skip(1) {
            let r: Vec<&str> = l.split(',').collect();
            if r[9].is_empty() {
                continue;
            }
            let start: f64 = r[6].parse().expect("start");
            let service: f64 = r[7].parse().expect("service");
            let e = sums
                .entry(((start / 86_400.0) as u64, r[9].parse().expect("booth")))
                .or_default();
            e.0 += service;
            e.1 += 1.0;
        }
        // Mean over days of the sd across booths of the day's mean inspection time.
        let days: std::collections::BTreeSet<u64> = sums.keys().map(|k| k.0).collect();
        let mut total = 0.0;
        for d in &days {
            let means: Vec<f64> = sums
                .iter()
                .filter(|(k, _)| k.0 == *d)
                .map(|(_, (s, n))| s / n)
                .collect();
            let m = means.iter().sum::<f64>() / means.len() as f64;
            let var = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (means.len() - 1) as f64;
            total += var.sqrt();
        }
        (total / days.len() as f64, read(out.join("summary.csv")))
    };
    let (none, none_summary) = spread(None);
    let (zero, zero_summary) = spread(Some("0"));
    let (wide, _) = spread(Some("0.4"));
    assert_eq!(none_summary, zero_summary);
    assert_eq!(none, zero);
    // Each (day, booth) mean averages about 1,600 inspections of sd 45 s: noise about 1.1 s.
    assert!(none < 3.0, "{none}");
    assert!(wide > 8.0, "{wide}");
}
