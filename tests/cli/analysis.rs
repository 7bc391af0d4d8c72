//! `garita staff`, `garita pilot` and idle emissions end to end.

use std::path::Path;

use crate::common::{garita, garita_ok, root, stderr, stdout, temp_dir};

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn staff_writes_a_schedule_that_pastes_back() {
    let out = temp_dir("staff_writes_a_schedule_that_pastes_back");
    let o = garita_ok(&[
        "staff",
        "tests/fixtures/pilot/site-a.toml",
        "--target",
        "p95<=10m",
        "--lanes",
        "general,ready",
        "--replications",
        "3",
        "-o",
        path_str(&out),
    ]);
    let text = stdout(&o);
    assert!(text.contains("booth-hours per day"), "{text}");
    // Verified again on a fresh seed, reported beside the search's own run.
    assert!(
        text.contains("verified on a fresh seed (")
            && text.contains(") the search never saw: hours met "),
        "{text}"
    );
    let hours = read(&out.join("staff_hours.csv"));
    assert!(
        hours.starts_with(
            "lane,hour,booths,current_booths,erlang_c_start,target,measure,bound,status,fresh_bound,fresh_status\n"
        ),
        "{hours}"
    );
    let csv = read(&out.join("staff.csv"));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "lane,hour,booths");
    assert_eq!(lines.len(), 1 + 2 * 24);
    assert!(lines[1].starts_with("general,0,") && lines[25].starts_with("ready,0,"));
    let summary = read(&out.join("staff_summary.csv"));
    assert!(summary.starts_with("lane,booth_hours_per_day,current_booth_hours_per_day,change,hours_met,hours_no_demand,hours_unreachable,hours_not_met,fresh_hours_met,fresh_hours_no_demand,fresh_hours_unreachable,fresh_hours_not_met,queue_growth_share,overloaded,fresh_queue_growth_share,fresh_overloaded\n"), "{summary}");
    assert!(
        summary
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("all,"))
    );
    // The snippet's booths lines replace the lanes' booths lines and give a valid scenario.
    let snippet = read(&out.join("staff.toml"));
    let new_lines: Vec<&str> = snippet
        .lines()
        .filter(|l| l.starts_with("booths = "))
        .collect();
    assert_eq!(new_lines.len(), 2);
    let site = read(&root().join("tests/fixtures/pilot/site-a.toml"));
    let mut k = 0;
    let pasted: String = site
        .lines()
        .map(|l| {
            if l.starts_with("booths = ") && k < 2 {
                k += 1;
                new_lines[k - 1].to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let f = out.join("pasted.toml");
    std::fs::write(&f, pasted).expect("write");
    garita_ok(&["check", path_str(&f)]);
    // The folder also holds the proposed schedule's run, so `report` shows the schedule and
    // its waits.
    let run: serde_json::Value =
        serde_json::from_str(&read(&out.join("run.json"))).expect("run.json");
    assert_eq!(run["replications"], 3);
    garita_ok(&["report", path_str(&out)]);
    let html = read(&out.join("report.html"));
    assert!(html.contains("<title>Proposed staffing: "), "title");
    assert!(html.contains("<section class=\"staff\">"), "schedule table");
    assert!(
        html.contains("Wait by hour of arrival"),
        "charts of the proposed run"
    );
}

/// `--replications 1` and `replications = 1` in the scenario meet the same rule and message.
#[test]
fn staff_replications_rule_is_the_same_on_the_command_line_and_in_the_file() {
    let dir = temp_dir("staff_one_replication");
    let one = dir.join("one.toml");
    let text = read(&root().join("scenarios/mmc-example.toml"));
    let text = match text.find("replications = ") {
        Some(i) => {
            let end = i + text[i..].find('\n').expect("line end");
            format!("{}replications = 1{}", &text[..i], &text[end..])
        }
        None => text.replacen("\n[", "\nreplications = 1\n\n[", 1),
    };
    std::fs::write(&one, text).expect("write");
    let args = |file: &str, extra: &[&str]| {
        let mut a = vec!["staff", file, "--target", "p95<=20m"];
        a.extend_from_slice(extra);
        garita(&a)
    };
    let from_cli = args("scenarios/mmc-example.toml", &["--replications", "1"]);
    let from_file = args(path_str(&one), &[]);
    for (o, key) in [(&from_cli, "--replications"), (&from_file, "replications")] {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        assert!(
            stderr(o).contains(&format!(
                "{key}: the staffing search needs at least 2 replications for its confidence intervals (got 1, expected 2 or more)"
            )),
            "{}",
            stderr(o)
        );
    }
}

#[test]
fn staff_rejects_bad_targets_and_lanes() {
    let o = garita(&[
        "staff",
        "scenarios/mmc-example.toml",
        "--target",
        "p99<=20m",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid target \"p99<=20m\": unknown measure \"p99\""),
        "{}",
        stderr(&o)
    );
    let o = garita(&[
        "staff",
        "scenarios/mmc-example.toml",
        "--target",
        "p95<=20m",
        "--lanes",
        "ready",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no lane with id or kind \"ready\" (lanes are: main)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn pilot_ranks_and_is_reproducible_across_threads() {
    let a = temp_dir("pilot_ranks_1");
    let b = temp_dir("pilot_ranks_2");
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        let o = garita_ok(&[
            "pilot",
            "tests/fixtures/pilot/good.toml",
            "--threads",
            threads,
            "-o",
            path_str(dir),
        ]);
        assert!(
            stdout(&o).contains("| Rank | Candidate |"),
            "{}",
            stdout(&o)
        );
    }
    let csv = read(&a.join("pilot.csv"));
    assert_eq!(csv, read(&b.join("pilot.csv")));
    assert_eq!(read(&a.join("criteria.md")), read(&b.join("criteria.md")));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 2 * 3, "{csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    for col in [
        "candidate",
        "delay_saved_vh_per_day_ci95",
        "reach_trusted",
        "equity_flag",
        "co2_kg_saved_per_day",
        "delay_saved_at_scale_1.2",
        "cost_officer_hours_per_day",
        "trips_enabled_per_day_ci95",
        "score_cost",
        "score_trips_enabled",
        "rank",
        "pareto",
        "stability_top_1",
    ] {
        assert!(header.contains(&col), "missing {col}");
    }
    // Ranks are a permutation; someone is on the Pareto front; stabilities sum to top_k.
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let mut ranks: Vec<usize> = lines[1..]
        .iter()
        .map(|l| {
            l.split(',')
                .nth(col("rank"))
                .and_then(|r| r.parse().ok())
                .expect("rank")
        })
        .collect();
    ranks.sort_unstable();
    assert_eq!(ranks, (1..=6).collect::<Vec<_>>());
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.split(',').nth(col("pareto")) == Some("true"))
    );
    let stab: f64 = lines[1..]
        .iter()
        .map(|l| {
            l.split(',')
                .nth(col("stability_top_1"))
                .and_then(|x| x.parse::<f64>().ok())
                .expect("stability")
        })
        .sum();
    assert!((stab - 1.0).abs() < 1e-9, "{stab}");
    let md = read(&a.join("criteria.md"));
    assert!(md.contains("## English") && md.contains("## Español"));
    assert!(md.contains("| Delay | vehicle-hours of waiting per day"));
    assert!(md.contains("| Cost | officer booth-hours per day the intervention adds"));
    assert!(md.contains("| Trips enabled | latent trips the baseline lost"));
    assert!(a.join("staff-a-staff-p95-10m.toml").is_file());
}

/// Writes a pilot file into `dir` naming the fixture sites by absolute path.
fn pilot_file(dir: &Path, body: &str) -> std::path::PathBuf {
    let fixtures = root().join("tests/fixtures/pilot");
    let text = body.replace("FIXTURES", path_str(&fixtures));
    let f = dir.join("pilot.toml");
    std::fs::write(&f, text).expect("write pilot file");
    f
}

const SITES: &str = r#"
[[sites]]
id = "a"
scenario = "FIXTURES/site-a.toml"
"#;

#[test]
fn pilot_missing_site_file_is_a_clear_error() {
    let dir = temp_dir("pilot_missing_site_file");
    let f = pilot_file(
        &dir,
        r#"[[sites]]
id = "a"
scenario = "nowhere.toml"

[[interventions]]
id = "more"
changes = [{ key = "lanes.general.booths", add = 1 }]
"#,
    );
    let o = garita(&["pilot", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("pilot.toml:3:12: sites[0].scenario: no scenario file"),
        "{e}"
    );
    assert!(
        e.contains("nowhere.toml (paths are relative to the pilot file's folder)"),
        "{e}"
    );
}

#[test]
fn pilot_unknown_scenario_key_in_an_intervention_is_a_clear_error() {
    let dir = temp_dir("pilot_unknown_scenario_key");
    let f = pilot_file(
        &dir,
        &format!(
            r#"{SITES}
[[interventions]]
id = "typo"
changes = [{{ key = "lanes.ready.boths", set = 3 }}]

[[interventions]]
id = "no-lane"
changes = [{{ key = "lanes.fast.booths", add = 1 }}]
"#
        ),
    );
    let o = garita(&["pilot", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("pilot.toml: intervention \"typo\" at site \"a\" ("),
        "{e}"
    );
    assert!(
        e.contains("site-a.toml): lanes[1].boths: unknown key"),
        "{e}"
    );
    assert!(e.contains("did you mean `booths`?"), "{e}");
    assert!(
        e.contains(
            "site-a.toml): lanes: no entry with id \"fast\" (ids are: general, ready, sentri)"
        ),
        "{e}"
    );
}

#[test]
fn pilot_negative_weights_and_unknown_keys_are_clear_errors() {
    let dir = temp_dir("pilot_negative_weights");
    let f = pilot_file(
        &dir,
        &format!(
            r#"horizon = "1h"
[weights]
delay = -1
reach = 2
{SITES}
[[interventions]]
id = "more"
changes = [
  {{ key = "lanes.general.booths", add = 1, scale = 2 }},
  {{ key = "classes.ready.share", set = 0.3, hours = "06-10" }},
]
"#
        ),
    );
    let o = garita(&["pilot", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("pilot.toml:3:9: weights.delay: must not be negative, got -1"),
        "{e}"
    );
    assert!(
        e.contains("sites[0]: with the pilot's overrides the warm-up (7200 s) is not shorter than the horizon (3600 s)"),
        "{e}"
    );
    assert!(
        e.contains("interventions[0].changes[1].hours: `hours` works with `add` and `scale`"),
        "{e}"
    );
    assert!(
        e.contains("interventions[0].changes[0]: give exactly one of `set`, `add` or `scale`"),
        "{e}"
    );
    let f = pilot_file(
        &dir,
        &format!(
            "{SITES}\n[[interventions]]\nid = \"x\"\nsites = [\"zz\"]\nchanges = [{{ key = \"demand.scale\", set = 1.1 }}]\n"
        ),
    );
    let o = garita(&["pilot", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("interventions[0].sites: no site \"zz\" (sites are: a)"),
        "{}",
        stderr(&o)
    );
    let f = pilot_file(&dir, &format!("[weights]\ndelays = 1\n{SITES}"));
    let o = garita(&["pilot", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("pilot.toml:2:1:"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unknown field `delays`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn idle_emissions_are_reported_and_validated() {
    let out = temp_dir("idle_emissions_are_reported");
    garita_ok(&[
        "run",
        "tests/fixtures/pilot/site-a.toml",
        "--replications",
        "2",
        "-o",
        path_str(&out),
    ]);
    let summary = read(&out.join("summary.csv"));
    for prefix in [
        "site-a,all,co2_kg_idling,",
        "site-a,class:general,co2_kg_idling,",
        "site-a,class:sentri,nox_g_idling,",
        "site-a,all,nox_g_idling,",
    ] {
        assert!(summary.contains(prefix), "missing {prefix}");
    }
    assert!(!summary.contains("class:general,nox_g_idling"));
    assert!(!summary.contains("lane:general,co2_kg_idling"));
    let bad = out.join("bad.toml");
    let text = read(&root().join("tests/fixtures/pilot/site-a.toml")).replace(
        "idle_emissions = { co2_g_per_h = 1400, nox_g_per_h = 2.5 }",
        "idle_emissions = { co2_g_per_h = -5, pm10_g_per_h = 1 }",
    );
    std::fs::write(&bad, text).expect("write");
    let o = garita(&["check", path_str(&bad)]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("classes[2].idle_emissions.co2_g_per_h: must not be negative (grams per vehicle-hour queued), got -5"),
        "{e}"
    );
    assert!(
        e.contains("classes[2].idle_emissions.pm10_g_per_h: unknown key"),
        "{e}"
    );
}

/// The bundled pilot example loads its sites and runs end to end
/// (shortened here).
#[test]
fn bundled_pilot_example_runs() {
    let root = crate::common::root();
    let scen = root.join("scenarios");
    let site_dir = format!("\"{}/", scen.display());
    for name in ["el-paso-san-ysidro"] {
        let text = std::fs::read_to_string(root.join(format!("scenarios/pilots/{name}.toml")))
            .expect("pilot example");
        let mut short = text.clone();
        // Every setting is shortened: a pattern that no longer matches fails here rather than
        // leaving the full-length run in place.
        for (from, to) in [
            ("replications = 5\n", "replications = 2\n"),
            ("horizon = \"14d\"\n", "horizon = \"3d\"\n"),
            ("warmup = \"2d\"\n", "warmup = \"1d\"\n"),
            ("stability_draws = 10000\n", "stability_draws = 500\n"),
            ("\"../", site_dir.as_str()),
        ] {
            assert!(
                short.contains(from),
                "{name}: the example no longer has {from:?}: update the shortening"
            );
            short = short.replace(from, to);
        }
        let dir = crate::common::temp_dir(&format!("bundled_pilot_example_runs_{name}"));
        let pilot = dir.join("pilot.toml");
        std::fs::write(&pilot, short).expect("write");
        let out = dir.join("out");
        let o = crate::common::garita(&[
            "pilot",
            pilot.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ]);
        assert!(o.status.success(), "{}", crate::common::stderr(&o));
        let csv = std::fs::read_to_string(out.join("pilot.csv")).expect("pilot.csv");
        // Four sites x the conversion and the staffing, the flex gate and stacking at the three
        // El Paso bridges (San Ysidro's booths are stacked already), and the bollards at the two
        // sites whose layout is modelled.
        assert_eq!(csv.lines().count(), 1 + 16, "{csv}");
        for site in ["bota", "ysleta", "pdn", "san-ysidro"] {
            assert!(csv.contains(site), "{site} missing from pilot.csv");
        }
        assert!(csv.contains("\nbota/bollards,") && csv.contains("\nysleta/bollards,"));
        assert!(!csv.contains("pdn/bollards") && !csv.contains("san-ysidro/bollards"));
        // The shortened settings are the ones that ran.
        let criteria = std::fs::read_to_string(out.join("criteria.md")).expect("criteria.md");
        assert!(
            criteria.contains("Replications / Réplicas: 2;"),
            "{name}: {criteria}"
        );
        assert!(
            criteria.contains("sorteos de pesos: 500 "),
            "{name}: {criteria}"
        );
    }
}

/// An intervention that leaves a lane unable to keep up is marked infeasible in pilot.csv,
/// warned about, and ranks after every feasible candidate.
#[test]
fn pilot_marks_an_overloaded_candidate_infeasible() {
    let dir = temp_dir("pilot_overloaded");
    let f = pilot_file(
        &dir,
        &format!(
            r#"replications = 2
horizon = "2d"
warmup = "2h"
demand_scales = [1.0]
top_k = 1
stability_draws = 200
{SITES}
[[interventions]]
id = "close-general"
changes = [{{ key = "lanes.general.booths", add = -2, hours = "06-18" }}]

[[interventions]]
id = "add-one"
changes = [{{ key = "lanes.general.booths", add = 1 }}]
"#
        ),
    );
    let out = dir.join("out");
    let o = garita_ok(&["pilot", path_str(&f), "-o", path_str(&out)]);
    let text = stdout(&o);
    assert!(
        text.contains("warning: a/close-general: the queue of lane general grows by ")
            && text.contains("; ranked after every feasible candidate"),
        "{text}"
    );
    assert!(text.contains("a/close-general (overloaded)"), "{text}");
    let csv = read(&out.join("pilot.csv"));
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (rank, feasible, share) = (col("rank"), col("feasible"), col("queue_growth_share"));
    // Two candidates: the closure, then the one that ranks first.
    assert_eq!(csv.lines().count(), 1 + 2, "{csv}");
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[0] == "a/close-general" {
            assert_eq!((f[rank], f[feasible]), ("2", "false"), "{line}");
            assert!(f[share].parse::<f64>().expect("share") > 0.05, "{line}");
        } else {
            assert_eq!((f[rank], f[feasible]), ("1", "true"), "{line}");
        }
    }
    let criteria = read(&out.join("criteria.md"));
    assert!(criteria.contains("is marked infeasible"), "{criteria}");
}

/// Pilot-file error columns count characters, like scenario-file columns.
#[test]
fn pilot_error_columns_count_characters() {
    let dir = temp_dir("pilot_error_columns");
    let body = format!(
        "{SITES}\n[[interventions]]\nid = \"x\"\nchanges = [{{ key = \"lanes.généràl.booths\", add = 1 }}, {{ key = \"lanes.general.booths\", add = 1, set = 2 }}]\n"
    );
    let f = pilot_file(&dir, &body);
    let text = read(&f);
    let line_start = text.find("changes = [").expect("changes line");
    let at = line_start
        + text[line_start..]
            .find("{ key = \"lanes.general")
            .expect("second");
    let line = text[..at].matches('\n').count() + 1;
    let col = text[line_start..at].chars().count() + 1;
    assert_ne!(
        col,
        at - line_start + 1,
        "the line has multi-byte characters before the error"
    );
    let o = garita(&["pilot", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2));
    let want = format!(
        "pilot.toml:{line}:{col}: interventions[0].changes[1]: give exactly one of `set`, `add` or `scale`"
    );
    assert!(stderr(&o).contains(&want), "want {want}\n{}", stderr(&o));
}
