//! `garita calibrate`: outputs on the bundled archive excerpt, and bad input.

use crate::common::{garita, garita_ok, stderr, stdout, temp_dir};

const OBSERVED: &str = "tests/data/cbp_bwt_240201_pov_2025-07-08.csv";
const SKELETON: &str = "tests/data/bota-pov-skeleton.toml";

fn args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "calibrate",
        SKELETON,
        "--observed",
        OBSERVED,
        "--port",
        "240201",
        "--mode",
        "POV",
        "--from",
        "2025-08-01",
        "--to",
        "2025-08-14",
        "--volume-per-day",
        "9296",
        "--budget",
        "12",
        "--replications",
        "2",
        "-q",
        "-o",
        out,
    ];
    a.extend_from_slice(extra);
    a
}

/// The command writes a self-contained calibrated scenario (its series beside it), fit.csv and
/// a summary; the scenario runs and reproduces the final run's trips; one or two threads give
/// the same bytes.
#[test]
fn calibrate_writes_a_scenario_that_runs_and_the_fit() {
    let dir = temp_dir("calibrate-ok");
    let one = dir.join("one");
    let two = dir.join("two");
    let o = garita_ok(&args(one.to_str().expect("utf-8"), &["--threads", "1"]));
    garita_ok(&args(two.to_str().expect("utf-8"), &["--threads", "2"]));
    let text = stdout(&o);
    for want in [
        "calibrated demand.per_hour, lanes.general.service, lanes.ready.service, response.tolerance, classes.general.share, classes.ready.share",
        "lanes.general.service.mean",
        "response.tolerance.mean",
        "lane      MAE (min)  bias (min)  readings",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    for f in [
        "calibrated.toml",
        "fit.csv",
        "booths-general.csv",
        "booths-ready.csv",
        "calibration_fit_en.png",
        "calibration_fit_es.png",
        "hourly.csv",
    ] {
        let a = std::fs::read(one.join(f)).expect("written");
        let b = std::fs::read(two.join(f)).expect("written");
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    let toml = std::fs::read_to_string(one.join("calibrated.toml")).expect("written");
    for want in [
        "# Observed file: tests/data/cbp_bwt_240201_pov_2025-07-08.csv",
        "#   SHA-256 ",
        "# Port 240201, mode POV, period 2025-08-01 to 2025-08-14",
        "[lanes.booths]\nseries = \"booths-general.csv\"",
        "start = \"2025-07-30\"",
    ] {
        assert!(toml.contains(want), "missing {want:?} in\n{toml}");
    }
    let fit = std::fs::read_to_string(one.join("fit.csv")).expect("written");
    let mut lines = fit.lines();
    assert_eq!(
        lines.next(),
        Some("lane,hour,observed_mean_min,simulated_mean_min,ci95,error_min,n_observed")
    );
    assert!(lines.clone().count() >= 40, "{fit}");
    assert!(lines.all(|l| l.starts_with("general,") || l.starts_with("ready,")));
    // The written scenario loads its series and runs.
    let run = one.join("run");
    let r = garita_ok(&[
        "run",
        one.join("calibrated.toml").to_str().expect("utf-8"),
        "-q",
        "-o",
        run.to_str().expect("utf-8"),
    ]);
    assert!(
        stdout(&r).contains("2 replications x 14.0 days measured"),
        "{}",
        stdout(&r)
    );
}

#[test]
fn calibrate_rejects_bad_input_with_file_and_line() {
    let dir = temp_dir("calibrate-bad");
    let out = dir.join("out");
    let out = out.to_str().expect("utf-8");
    // A malformed archive row.
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "port_number,mode,lane,date,hour,tz,delay_min,lanes_open\n\
         240201,POV,STANDARD,2025-08-01,6,MDT,45,3\n\
         240201,POV,STANDARD,2025-08-01,25,MDT,45,3\n",
    )
    .expect("write");
    let mut a = args(out, &[]);
    a[3] = bad.to_str().expect("utf-8");
    let o = garita(&a);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.csv:3: hour: not an hour (got \"25\", expected 0 to 23)"),
        "{}",
        stderr(&o)
    );
    // No readings in the period.
    let mut a = args(out, &[]);
    a[9] = "2024-01-01";
    a[11] = "2024-01-31";
    let o = garita(&a);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no readings for port 240201 mode POV from 2024-01-01 to 2024-01-31"),
        "{}",
        stderr(&o)
    );
    // A lane kind in the data that the skeleton lacks.
    let skel = dir.join("skel.toml");
    std::fs::write(
        &skel,
        "[[classes]]\nid = \"all\"\nshare = 1.0\nlanes = [\"general\"]\n\
         [[lanes]]\nid = \"general\"\nkind = \"general\"\nmax_booths = -1\n",
    )
    .expect("write");
    let mut a = args(out, &[]);
    a[1] = skel.to_str().expect("utf-8");
    let o = garita(&a);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("skel.toml:8:14: lanes[0].max_booths: must be between 1 and 4096, got -1")
            && !stderr(&o).contains("name"),
        "{}",
        stderr(&o)
    );
    std::fs::write(
        &skel,
        "[[classes]]\nid = \"all\"\nshare = 1.0\nlanes = [\"general\"]\n\
         [[lanes]]\nid = \"general\"\nkind = \"general\"\n",
    )
    .expect("write");
    let o = garita(&a);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has READY readings but")
            && stderr(&o).contains("no lane of kind ready"),
        "{}",
        stderr(&o)
    );
    let o = garita(&args(out, &["--fit", "lanes.express.service"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--fit lanes.express.service: no lane \"express\""),
        "{}",
        stderr(&o)
    );
    assert!(!std::path::Path::new(out).join("calibrated.toml").exists());
}

/// `per_hour = "fit-by-day-type"` in the skeleton fits one latent profile per day type and
/// `--booths tables` writes day-type booth tables instead of the series: the scenario is one
/// file, runs on its own from another folder and from another start date, and one or two
/// threads give the same bytes.
#[test]
fn calibrate_fits_demand_by_day_type_and_writes_booth_tables() {
    let dir = temp_dir("calibrate-day-type");
    let skel = dir.join("skeleton.toml");
    let text = std::fs::read_to_string(SKELETON).expect("skeleton");
    std::fs::write(
        &skel,
        text.replacen(
            "[[classes]]",
            "[demand]\nper_hour = \"fit-by-day-type\"\n\n[[classes]]",
            1,
        ),
    )
    .expect("write");
    let one = dir.join("one");
    let two = dir.join("two");
    let run = |out: &std::path::Path, threads: &str| {
        let mut a = args(
            out.to_str().expect("utf-8"),
            &["--booths", "tables", "--threads", threads],
        );
        a[1] = skel.to_str().expect("utf-8");
        garita_ok(&a)
    };
    let o = run(&one, "1");
    run(&two, "2");
    assert!(
        stdout(&o).contains("calibrated demand.per_hour (by day type), lanes.general.service"),
        "{}",
        stdout(&o)
    );
    for f in ["calibrated.toml", "fit.csv", "hourly.csv"] {
        let a = std::fs::read(one.join(f)).expect("written");
        let b = std::fs::read(two.join(f)).expect("written");
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    assert!(
        !one.join("booths-general.csv").exists(),
        "no series files with --booths tables"
    );
    let toml = std::fs::read_to_string(one.join("calibrated.toml")).expect("written");
    for want in [
        "[demand.per_hour]\nsaturday = [",
        "\nsunday = [",
        "\nweekday = [",
        "[lanes.booths]\nsaturday = [",
        "# Booths: tables by day type",
        "# Fitted: demand.per_hour (by day type),",
    ] {
        assert!(toml.contains(want), "missing {want:?} in\n{toml}");
    }
    assert!(!toml.contains("series ="), "{toml}");
    // The file alone, in another folder, from another start date.
    let alone = dir.join("alone.toml");
    std::fs::write(
        &alone,
        toml.replace("start = \"2025-07-30\"", "start = \"2026-02-07\""),
    )
    .expect("write");
    let r = garita_ok(&[
        "run",
        alone.to_str().expect("utf-8"),
        "-q",
        "-o",
        dir.join("run").to_str().expect("utf-8"),
    ]);
    assert!(
        stdout(&r).contains("replications x 14.0 days measured"),
        "{}",
        stdout(&r)
    );
}
