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
    for v in ["5", "9"] {
        assert!(
            sweep.contains(&format!("\n{v},lane:bota/ready,wait_mean_s,")),
            "{sweep}"
        );
    }

    // Fewer Ready booths at BOTA: longer waits there, judged on the paired differences of
    // `compare` (common random numbers), on a short region: the same key edits two
    // alternatives (ports inline, as a sweep writes them, so the files stand anywhere).
    let dir = temp_dir("region_compare");
    let base = garita::scenario::load_file(&small_region(&dir)).expect("loads");
    let alternative = |booths: i64| -> std::path::PathBuf {
        let mut doc: toml::Table = base.source_text.parse().expect("toml");
        let change = garita::scenario::edit::Change {
            key: "ports.bota.lanes.ready.booths.weekday".into(),
            op: garita::scenario::edit::EditOp::Set(toml::Value::Integer(booths)),
            hours: None,
        };
        garita::scenario::edit::apply(&mut doc, &change).expect("edits");
        let name = format!("el-paso-bota-{booths}");
        doc.insert("name".into(), toml::Value::String(name.clone()));
        let f = dir.join(format!("{name}.toml"));
        std::fs::write(&f, doc.to_string()).expect("write");
        f
    };
    let (five, nine) = (alternative(5), alternative(9));
    let n = 6;
    let o = garita_ok(&[
        "compare",
        path_str(&five),
        path_str(&nine),
        "--replications",
        &n.to_string(),
        "-q",
        "-o",
        path_str(&dir.join("out")),
    ]);
    let cmp = std::fs::read_to_string(dir.join("out/comparison.csv")).expect("comparison");
    let row: Vec<&str> = cmp
        .lines()
        .find(|l| l.contains(",lane:bota/ready,wait_mean_s,"))
        .unwrap_or_else(|| panic!("no BOTA Ready row: {}", stdout(&o)))
        .split(',')
        .collect();
    let num = |i: usize| -> f64 { row[i].parse().expect("number") };
    // diff_mean (9 booths minus 5) and its 95% half-width over n paired replications; one
    // check at the tests' 1% level: the upper end of the 99% Student-t interval is below 0.
    let (diff, ci95) = (num(6), num(7));
    let se = ci95 / garita::stats::student_t_975(n - 1);
    let upper = diff + garita::stats::student_t_quantile(0.995, n - 1) * se;
    assert!(
        upper < 0.0,
        "9 booths minus 5 at BOTA Ready: mean wait {diff:.1} s ± {ci95:.1} (99% upper end {upper:.1})"
    );
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

/// The El Paso region with absolute port paths, a short horizon and 2 replications, in `dir`.
fn small_region(dir: &Path) -> std::path::PathBuf {
    let mut text = std::fs::read_to_string(root().join(EL_PASO)).expect("read");
    for port in ["bota-pov", "pdn-pov", "ysleta-pov"] {
        text = text.replace(
            &format!("\"../{port}.toml\""),
            &format!(
                "{:?}",
                path_str(&root().join(format!("scenarios/{port}.toml")))
            ),
        );
    }
    let text: String = text
        .lines()
        .map(|l| match l.split(" =").next() {
            Some("horizon") => "horizon = \"2d\"".to_string(),
            Some("warmup") => "warmup = \"12h\"".to_string(),
            Some("replications") => "replications = 2".to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let f = dir.join("el-paso-small.toml");
    std::fs::write(&f, text).expect("write");
    f
}

#[test]
fn staff_searches_a_region_and_writes_port_keys() {
    let dir = temp_dir("region_staff");
    let region = small_region(&dir);
    let out = dir.join("out");
    // Not quiet, and standard error is a pipe: the summary line is written at the end.
    let o = garita_ok(&[
        "staff",
        path_str(&region),
        "--target",
        "p95<=20m",
        "--lanes",
        "bota/ready,pdn/general",
        "-o",
        path_str(&out),
    ]);
    let e = stderr(&o);
    assert!(e.contains("staff: ") && e.contains(" jobs in "), "{e}");
    let text = stdout(&o);
    // With [response], the trips forgone are reported beside the target, for both schedules.
    assert!(text.contains("current schedule: "), "{text}");
    assert!(text.contains("proposed schedule: "), "{text}");
    assert!(text.contains("of latent trips forgone"), "{text}");
    // staff.toml holds one edit key per staffed lane of a port; applied to the region, they
    // give the schedule of staff.csv.
    let snippet = std::fs::read_to_string(out.join("staff.toml")).expect("staff.toml");
    let doc: toml::Table = snippet.parse().expect("staff.toml is TOML");
    let base = garita::scenario::load_file(&region).expect("loads");
    let mut region_doc: toml::Table = base.source_text.parse().expect("toml");
    let mut keys = Vec::new();
    for (port, lane) in [("bota", "ready"), ("pdn", "general")] {
        // Both lanes have day-type tables: the search sets the weekday one.
        let value = doc["ports"][port]["lanes"][lane]["booths"]["weekday"].clone();
        let key = format!("ports.{port}.lanes.{lane}.booths.weekday");
        garita::scenario::edit::apply(
            &mut region_doc,
            &garita::scenario::edit::Change {
                key: key.clone(),
                op: garita::scenario::edit::EditOp::Set(value),
                hours: None,
            },
        )
        .unwrap_or_else(|e| panic!("{key}: {e}"));
        keys.push(format!("{port}/{lane}"));
    }
    let f = dir.join("staffed.toml");
    std::fs::write(&f, region_doc.to_string()).expect("write");
    let staffed = garita::scenario::load_file(&f).expect("the edited region loads");
    let csv = std::fs::read_to_string(out.join("staff.csv")).expect("staff.csv");
    for id in keys {
        let lane = staffed
            .config
            .lanes
            .iter()
            .find(|l| l.id == id)
            .expect("lane");
        let from_csv: Vec<u32> = csv
            .lines()
            .filter(|l| l.starts_with(&format!("{id},")))
            .map(|l| l.rsplit(',').next().expect("booths").parse().expect("int"))
            .collect();
        assert_eq!(lane.booths.to_vec(), from_csv, "{id}");
    }
}

#[test]
fn pilot_refuses_a_region_site_at_once() {
    let dir = temp_dir("region_pilot");
    let f = dir.join("pilot.toml");
    std::fs::write(
        &f,
        format!(
            "name = \"p\"\n\n[[sites]]\nid = \"ep\"\nscenario = {:?}\n\n[[interventions]]\nid = \"staff\"\nstaff = \"p95<=20m\"\n",
            path_str(&root().join(EL_PASO))
        ),
    )
    .expect("write");
    let o = garita(&["pilot", path_str(&f), "-o", path_str(&dir.join("out"))]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("pilot.toml:5:12: sites[0].scenario: ")
            && e.contains("el-paso.toml is a region file, expected one port's scenario"),
        "{e}"
    );
    assert!(!dir.join("out").exists());
}
