//! Regions of ports with a port choice, end to end: `run` writes flows.csv and lane groups
//! named by port, byte-identical on any thread count; `sweep` edits one port; `compare` takes
//! region files; a bad region file is refused with file:line:column.

use std::path::Path;

use crate::common::{garita, garita_ok, root, stderr, stdout, temp_dir};

const EL_PASO: &str = "scenarios/regions/el-paso.toml";

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn run_writes_flows_and_port_lanes_identically_on_any_thread_count() {
    let (a, b) = (temp_dir("region_run_1"), temp_dir("region_run_2"));
    for (out, threads) in [(&a, "1"), (&b, "2")] {
        garita_ok(&[
            "run",
            EL_PASO,
            "--replications",
            "2",
            "--threads",
            threads,
            "-q",
            "-o",
            path_str(out),
            "--plot",
        ]);
    }
    for f in ["flows.csv", "summary.csv", "hourly.csv"] {
        let x = std::fs::read(a.join(f)).expect("written");
        assert_eq!(x, std::fs::read(b.join(f)).expect("written"), "{f}");
    }
    let flows = std::fs::read_to_string(a.join("flows.csv")).expect("flows");
    assert!(flows.starts_with("scenario,origin,class,port,hour,trips,ci95,n\n"));
    for port in ["bota", "pdn", "ysleta"] {
        assert!(
            flows.contains(&format!("el-paso,oriente,ready,{port},8,")),
            "{port}"
        );
    }
    // BOTA has no SENTRI lane, so it serves no SENTRI trips: no such rows.
    assert!(!flows.contains(",sentri,bota,"));
    let summary = std::fs::read_to_string(a.join("summary.csv")).expect("summary");
    assert!(summary.contains("el-paso,lane:bota/ready,wait_mean_s,"));
    assert!(summary.contains("el-paso,lane:ysleta/sentri,posted_wait_mean_s,"));
    assert!(a.join("charts/port_share_by_hour.png").is_file());
}

#[test]
fn sweep_edits_one_port_and_compare_takes_regions() {
    let out = temp_dir("region_sweep");
    let o = garita_ok(&[
        "sweep",
        EL_PASO,
        "--vary",
        "ports.bota.lanes.ready.booths.weekday=5,9",
        "--replications",
        "2",
        "-q",
        "-o",
        path_str(&out),
    ]);
    assert!(stdout(&o).contains("ports.bota.lanes.ready.booths.weekday"));
    let sweep = std::fs::read_to_string(out.join("sweep.csv")).expect("sweep");
    let wait = |v: &str| -> f64 {
        let line = sweep
            .lines()
            .find(|l| l.starts_with(&format!("{v},lane:bota/ready,wait_mean_s,")))
            .expect("row");
        line.split(',')
            .nth(3)
            .expect("mean")
            .parse()
            .expect("number")
    };
    // Fewer Ready booths at BOTA: longer waits there.
    assert!(wait("5") > wait("9"), "{} vs {}", wait("5"), wait("9"));

    // An alternative region: BOTA's Ready lane with 9 booths on weekdays (ports inline, as a
    // sweep writes them, so the file stands anywhere).
    let dir = temp_dir("region_compare");
    let base = garita::scenario::load_file(&root().join(EL_PASO)).expect("loads");
    let mut doc: toml::Table = base.source_text.parse().expect("toml");
    let change = garita::scenario::edit::Change {
        key: "ports.bota.lanes.ready.booths.weekday".into(),
        op: garita::scenario::edit::EditOp::Set(toml::Value::Integer(9)),
        hours: None,
    };
    garita::scenario::edit::apply(&mut doc, &change).expect("edits");
    doc.insert("name".into(), toml::Value::String("el-paso-bota-9".into()));
    let alt = dir.join("el-paso-bota-9.toml");
    std::fs::write(&alt, doc.to_string()).expect("write");
    let o = garita_ok(&[
        "compare",
        EL_PASO,
        path_str(&alt),
        "--replications",
        "2",
        "-q",
        "-o",
        path_str(&dir.join("out")),
    ]);
    let cmp = std::fs::read_to_string(dir.join("out/comparison.csv")).expect("comparison");
    assert!(cmp.contains("lane:bota/ready"), "{}", stdout(&o));
}

#[test]
fn a_bad_region_is_refused_with_its_place() {
    let dir = temp_dir("region_bad");
    let text = std::fs::read_to_string(root().join(EL_PASO))
        .expect("read")
        .replace(
            "../bota-pov.toml",
            path_str(&root().join("scenarios/bota-pov.toml")),
        )
        .replace(
            "../pdn-pov.toml",
            path_str(&root().join("scenarios/pdn-pov.toml")),
        )
        .replace("../ysleta-pov.toml", "missing.toml")
        .replace("[choice]\n", "[choice]\nvalue_of_time = 0\n");
    let f = dir.join("bad.toml");
    std::fs::write(&f, text).expect("write");
    let o = garita(&["check", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("ports[2].scenario: cannot read the port's scenario"),
        "{e}"
    );
    assert!(
        e.contains("choice.value_of_time: must be positive, got 0"),
        "{e}"
    );
    assert!(e.contains("bad.toml:"), "{e}");
}
