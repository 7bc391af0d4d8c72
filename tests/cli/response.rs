//! Travellers who react to the posted wait, end to end: what `run` prints and writes, charts,
//! and `staff` / `compare` on reacting demand.

use std::path::Path;

use crate::common::{garita_ok, stdout, temp_dir};

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

const REACTING: &str = "tests/fixtures/response/reacting.toml";

#[test]
fn run_reports_forgone_and_shifted_trips_and_posted_waits() {
    let out = temp_dir("run_reports_forgone_and_shifted_trips");
    let o = garita_ok(&["run", REACTING, "-o", path_str(&out), "--plot"]);
    let text = stdout(&o);
    assert!(
        text.contains("latent/day") && text.contains("forgone/day") && text.contains("shifted/day"),
        "{text}"
    );
    let summary = std::fs::read_to_string(out.join("summary.csv")).expect("summary");
    for metric in ["latent_trips", "forgone", "shifted", "forgone_share"] {
        assert!(
            summary.contains(&format!("reacting,all,{metric},")),
            "{metric} missing"
        );
    }
    assert!(summary.contains("reacting,lane:general,posted_wait_mean_s,"));
    let hourly = std::fs::read_to_string(out.join("hourly.csv")).expect("hourly");
    for h in [0, 8, 17] {
        assert!(
            hourly.contains(&format!("reacting,{h},lane:general,posted_wait_mean_s,")),
            "hour {h}"
        );
    }
    for chart in ["posted_wait_by_hour.png", "trips_by_hour.png"] {
        assert!(out.join("charts").join(chart).is_file(), "{chart}");
    }
    garita_ok(&["report", path_str(&out), "--lang", "es"]);
    let html = std::fs::read_to_string(out.join("report.html")).expect("report");
    assert!(html.contains("Viajeros que reaccionan a la espera publicada"));
}

/// Without a response nothing of it is printed or written.
#[test]
fn a_scenario_without_response_has_no_response_rows() {
    let out = temp_dir("a_scenario_without_response_has_no_response_rows");
    let o = garita_ok(&[
        "run",
        "scenarios/mmc-example.toml",
        "--replications",
        "2",
        "-o",
        path_str(&out),
    ]);
    assert!(!stdout(&o).contains("latent/day"));
    let summary = std::fs::read_to_string(out.join("summary.csv")).expect("summary");
    assert!(!summary.contains("latent_trips") && !summary.contains("posted_wait"));
}

/// `staff` and `compare` work on reacting demand, and both report trips forgone beside waits.
#[test]
fn staff_and_compare_work_on_reacting_demand() {
    let out = temp_dir("staff_and_compare_work_on_reacting_demand");
    let o = garita_ok(&[
        "staff",
        REACTING,
        "--target",
        "p95<=15m",
        "--replications",
        "2",
        "-o",
        path_str(&out.join("staff")),
    ]);
    let text = stdout(&o);
    assert!(text.contains("booths = ["), "{text}");
    assert!(
        text.contains("current schedule:") && text.contains("of latent trips forgone"),
        "{text}"
    );
    let o = garita_ok(&[
        "compare",
        REACTING,
        "tests/fixtures/response/reacting-more.toml",
        "-o",
        path_str(&out.join("compare")),
    ]);
    let text = stdout(&o);
    assert!(text.contains("All vehicles, trips forgone:"), "{text}");
    let csv = std::fs::read_to_string(out.join("compare/comparison.csv")).expect("comparison");
    assert!(csv.contains("reacting,reacting-more,all,forgone_share,"));
}

/// The README's reacting example prints what the README shows.
#[test]
fn readme_reacting_example_is_current() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).expect("README");
    let marker = "$ garita run scenarios/mmc-reacting.toml\n";
    let start = readme.find(marker).expect("reacting example") + marker.len();
    let shown: Vec<&str> = readme[start..]
        .lines()
        .take_while(|l| !l.starts_with("results:"))
        .collect();
    let out = temp_dir("readme_reacting_example");
    let o = garita_ok(&["run", "scenarios/mmc-reacting.toml", "-o", path_str(&out)]);
    let text = stdout(&o);
    let printed: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("results:"))
        .collect();
    assert_eq!(printed, shown, "update the README's reacting example");
}
