//! `garita run` and `garita check` end to end.

use crate::common::{garita, stderr, stdout, temp_dir};

#[test]
fn run_writes_every_result_file() {
    let out = temp_dir("run_writes_every_result_file");
    let o = garita(&[
        "run",
        "scenarios/mmc-example.toml",
        "--replications",
        "2",
        "-o",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("lane:main"), "{}", stdout(&o));
    for f in [
        "summary.csv",
        "hourly.csv",
        "replications.csv",
        "distribution.csv",
        "summary.json",
        "run.json",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
}
