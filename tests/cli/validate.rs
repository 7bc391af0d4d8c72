//! `garita validate` and replayed booth series, end to end on the bundled archive excerpt.

use std::path::Path;

use crate::common::{garita, garita_ok, stderr, stdout, temp_dir};

const EXCERPT: &str = "scenarios/data/cbp-bwt-240201-pov-2025-08-09.csv.gz";

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The README's worked example: BOTA, September 2025, baseline August. Exit 0, the three
/// tables with their pinned columns, one row per lane kind and hour, and the same bytes on one
/// thread and on two.
#[test]
fn validate_writes_the_pinned_tables_and_is_reproducible() {
    let dir = temp_dir("validate-bota");
    let run = |out: &Path, threads: &str| {
        garita_ok(&[
            "validate",
            "scenarios/bota-pov.toml",
            "--observed",
            EXCERPT,
            "--port",
            "240201",
            "--mode",
            "POV",
            "--from",
            "2025-09-01",
            "--to",
            "2025-09-30",
            "--replications",
            "3",
            "--threads",
            threads,
            "-o",
            path_str(out),
        ])
    };
    let o = run(&dir.join("a"), "1");
    let text = stdout(&o);
    assert!(
        text.contains("port 240201 POV from 2025-09-01 to 2025-09-30: 1078 readings"),
        "{text}"
    );
    assert!(
        text.contains("naive forecast from 1146 baseline readings"),
        "{text}"
    );
    run(&dir.join("b"), "2");
    for f in [
        "validation.csv",
        "validation_summary.csv",
        "validation_by_month.csv",
    ] {
        assert_eq!(
            read(&dir.join("a").join(f)),
            read(&dir.join("b").join(f)),
            "{f} depends on the thread count"
        );
    }
    let hours = read(&dir.join("a/validation.csv"));
    let mut lines = hours.lines();
    assert_eq!(
        lines.next(),
        Some(
            "lane,hour,observed_mean_min,observed_p95_min,simulated_mean_min,simulated_ci95,simulated_p05_min,simulated_p95_min,error_min,n_observed"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 48, "two lane kinds x 24 hours");
    let n: usize = rows.iter().map(|r| r[9].parse::<usize>().expect("n")).sum();
    assert_eq!(n, 1078, "every reading counted once");
    for r in &rows {
        let obs: f64 = r[2].parse().expect("observed mean");
        let sim: f64 = r[4].parse().expect("simulated mean");
        let err: f64 = r[8].parse().expect("error");
        assert!((sim - obs - err).abs() < 1e-5, "{r:?}");
    }
    let summary = read(&dir.join("a/validation_summary.csv"));
    assert!(
        summary.starts_with(
            "lane,mae_min,rmse_min,bias_min,coverage_5_95,naive_mae_min,n_observed\ngeneral,"
        ),
        "{summary}"
    );
    let months = read(&dir.join("a/validation_by_month.csv"));
    assert!(
        months
            .starts_with("lane,month,mae_min,bias_min,naive_mae_min,n_observed\ngeneral,2025-09,"),
        "{months}"
    );
    let meta = read(&dir.join("a/validation.json"));
    assert!(meta.contains("\"baseline_to\": \"2025-08-31\""), "{meta}");
    // The chart and the report read the folder back.
    garita_ok(&["plot", path_str(&dir.join("a")), "--lang", "es"]);
    assert!(dir.join("a/charts/validation_by_hour.png").is_file());
    garita_ok(&["report", path_str(&dir.join("a"))]);
    let html = read(&dir.join("a/report.html"));
    assert!(
        html.contains("Simulated posted wait against observed readings")
            && html.contains("id=\"validation_by_hour\""),
        "the report has the validation table and chart"
    );
}

/// Bad input exits with 2 and says what is wrong: a malformed row (file and line), no readings
/// for the port and period, a lane kind the scenario lacks, a bad date.
#[test]
fn validate_rejects_bad_input_with_exit_code_2() {
    let dir = temp_dir("validate-bad");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "port_number,mode,lane,date,hour,tz,delay_min,lanes_open\n\
         240201,POV,STANDARD,2025-09-01,6,MDT,45,3\n\
         240201,POV,STANDARD,2025-09-01,25,MDT,45,3\n",
    )
    .expect("write");
    let sentri = dir.join("sentri.csv");
    std::fs::write(
        &sentri,
        "port_number,mode,lane,date,hour,tz,delay_min,lanes_open\n\
         240201,POV,STANDARD,2025-09-01,6,MDT,45,3\n\
         240201,POV,SENTRI,2025-09-01,6,MDT,5,1\n",
    )
    .expect("write");
    let out = dir.join("out");
    let cases: [(&str, &str, &str, &str); 4] = [
        (
            path_str(&bad),
            "240201",
            "2025-09-01",
            "bad.csv:3: hour: not an hour (got \"25\", expected 0 to 23)",
        ),
        (
            EXCERPT,
            "250401",
            "2025-09-01",
            "no readings for port 250401 mode POV from 2025-09-01 to 2025-09-02",
        ),
        (
            path_str(&sentri),
            "240201",
            "2025-09-01",
            "has SENTRI (or NEXUS) lanes (1 readings) but the scenario has no lane of kind sentri (it has general, ready)",
        ),
        (
            EXCERPT,
            "240201",
            "2025-09-31",
            "--from: not a date (got \"2025-09-31\", expected YYYY-MM-DD)",
        ),
    ];
    for (file, port, from, want) in cases {
        let o = garita(&[
            "validate",
            "scenarios/bota-pov.toml",
            "--observed",
            file,
            "--port",
            port,
            "--from",
            from,
            "--to",
            "2025-09-02",
            "-o",
            path_str(&out),
        ]);
        assert_eq!(o.status.code(), Some(2), "{want}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(want),
            "expected {want:?} in:\n{}",
            stderr(&o)
        );
    }
    assert!(!out.exists(), "nothing written on bad input");
}

/// A lane replaying a booth series: `check` warns with the count of filled hours; a bad row of
/// the series is an error naming its file, line and column (exit 2).
#[test]
fn check_warns_of_filled_booth_hours_and_names_bad_series_rows() {
    let dir = temp_dir("series-check");
    let mut csv = String::from("date,hour,booths\n");
    for d in 1..=3 {
        for h in 0..24 {
            if !(d == 2 && h < 6) {
                csv.push_str(&format!("2025-09-0{d},{h},3\n"));
            }
        }
    }
    std::fs::write(dir.join("booths.csv"), &csv).expect("write");
    let scenario = read(Path::new(&format!(
        "{}/scenarios/mmc-example.toml",
        env!("CARGO_MANIFEST_DIR")
    )))
    .replace("booths = 6", "booths = { series = \"booths.csv\" }")
    .replace(
        "horizon = \"30d\"",
        "horizon = \"3d\"\nstart = \"2025-09-01\"",
    );
    let file = dir.join("s.toml");
    std::fs::write(&file, &scenario).expect("write");
    let o = garita_ok(&["check", path_str(&file)]);
    assert!(
        stderr(&o).contains("lanes[0].booths.series: ") && stderr(&o).contains("6 of 72 hours had no value and were filled (6 from the same hour of the nearest day, 0 from the hour's median)"),
        "{}",
        stderr(&o)
    );
    std::fs::write(
        dir.join("booths.csv"),
        csv.replace("2025-09-02,7,3", "2025-09-02,7,-1"),
    )
    .expect("write");
    let o = garita(&["check", path_str(&file)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("booths.csv:27:14: booths: not a booth count (got \"-1\""),
        "{}",
        stderr(&o)
    );
}
