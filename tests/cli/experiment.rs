//! `garita compare`, `garita sweep` and `garita merge` end to end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use garita::experiment::welch_ci95;
use garita::stats::MeanCi;

use crate::common::{garita, garita_ok, stderr, stdout, temp_dir};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A one-lane M/M/c scenario: `booths` booths, `rate` arrivals per hour, 45 s services.
fn mmc(dir: &Path, name: &str, booths: u32, rate: u32, replications: u32) -> PathBuf {
    let text = format!(
        "name = \"{name}\"\nseed = 11\nhorizon = \"3d\"\nwarmup = \"1d\"\nreplications = {replications}\n\n[demand]\nrate = {rate}\n\n[[classes]]\nid = \"general\"\nshare = 0.7\nlanes = [\"main\"]\n\n[[classes]]\nid = \"ready\"\nshare = 0.3\nlanes = [\"main\"]\n\n[[lanes]]\nid = \"main\"\nbooths = {booths}\nservice = {{ dist = \"exponential\", mean = \"45s\" }}\n"
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, text).expect("write scenario");
    p
}

/// Every file under `dir` except job records and shard markers, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).expect("read dir") {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            let p = e.path();
            if name == ".jobs" || name.starts_with("shard-") {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("under base");
                out.insert(
                    rel.display().to_string(),
                    std::fs::read(&p).expect("read file"),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn assert_same(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same files"
    );
    for (k, v) in a {
        assert!(b[k] == *v, "{k} differs");
    }
}

fn csv_row<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no row {prefix} in\n{text}"))
        .split(',')
        .collect()
}

fn num(x: &str) -> f64 {
    x.parse().unwrap_or_else(|_| panic!("not a number: {x:?}"))
}

#[test]
fn compare_pairs_replications_and_narrows_the_interval() {
    let dir = temp_dir("compare_pairs");
    // One extra booth on a 20-booth lane at about 80% utilization.
    let base = mmc(&dir, "twenty", 20, 1300, 10);
    let alt = mmc(&dir, "twentyone", 21, 1300, 10);
    let out = dir.join("out");
    let o = garita_ok(&["compare", s(&base), s(&alt), "-o", s(&out), "--quiet"]);
    let text = stdout(&o);
    assert!(
        text.contains("twenty -> twentyone (10 paired replications"),
        "{text}"
    );
    assert!(text.contains("All vehicles, mean wait: "), "{text}");
    assert!(text.contains(" min (-"), "{text}");
    let csv = std::fs::read_to_string(out.join("comparison.csv")).expect("comparison.csv");
    assert!(csv.starts_with(
        "baseline,alternative,group,metric,baseline_mean,alternative_mean,diff_mean,diff_ci95,rel_change,significant,n,baseline_overloaded,alternative_overloaded\n"
    ));
    let row = csv_row(&csv, "twenty,twentyone,all,wait_mean_s,");
    assert_eq!(&row[10..], ["10", "false", "false"]);
    let (b, a, d, paired) = (num(row[4]), num(row[5]), num(row[6]), num(row[7]));
    assert!((a - b - d).abs() < 1e-5, "{row:?}");
    assert_eq!(row[9], "true");
    // The same means as the scenarios' own summaries, which give the unpaired interval.
    let ci = |name: &str| {
        let sum = std::fs::read_to_string(out.join(name).join("summary.csv")).expect("summary");
        let r = csv_row(&sum, &format!("{name},all,wait_mean_s,"));
        MeanCi {
            mean: num(r[3]),
            ci95: num(r[4]),
            n: r[5].parse().expect("n"),
        }
    };
    let (cb, ca) = (ci("twenty"), ci("twentyone"));
    assert!((cb.mean - b).abs() < 1e-5 && (ca.mean - a).abs() < 1e-5);
    let unpaired = welch_ci95(&cb, &ca);
    assert!(
        2.0 * paired <= unpaired,
        "paired half-width {paired} is not 2x narrower than unpaired {unpaired}"
    );
    for f in ["summary.csv", "hourly.csv", "distribution.csv", "run.json"] {
        assert!(out.join("twentyone").join(f).is_file(), "missing {f}");
    }
}

/// A class so rare that some replications of the baseline serve none of it, made less rare in
/// the alternative: every mean of a comparison row rests on the same pairs, `n` says how many,
/// and the printed line says it rests on fewer pairs than replications.
#[test]
fn a_rare_class_is_compared_on_matched_pairs_only() {
    let dir = temp_dir("compare_rare");
    let write = |name: &str, rare: f64| {
        let text = std::fs::read_to_string(mmc(&dir, name, 20, 1300, 10))
            .expect("scenario")
            .replace("share = 0.7", &format!("share = {}", 1.0 - rare))
            .replace("share = 0.3", &format!("share = {rare}"));
        let p = dir.join(format!("{name}.toml"));
        std::fs::write(&p, text).expect("write");
        p
    };
    let base = write("base", 0.00002);
    let alt = write("alt", 0.0001);
    let out = dir.join("out");
    let o = garita_ok(&["compare", s(&base), s(&alt), "-o", s(&out), "--quiet"]);
    let csv = std::fs::read_to_string(out.join("comparison.csv")).expect("comparison.csv");
    let row = csv_row(&csv, "base,alt,class:ready,wait_mean_s,");
    let (b, a, d) = (num(row[4]), num(row[5]), num(row[6]));
    let n: usize = row[10].parse().expect("n");
    assert!((2..10).contains(&n), "pairs {n}: {row:?}");
    assert!((a - b - d).abs() < 1e-5, "{a} - {b} != {d}");
    let all = csv_row(&csv, "base,alt,all,wait_mean_s,");
    assert_eq!(all[10], "10");
    let text = stdout(&o);
    assert!(
        text.lines()
            .any(|l| l.contains("ready, mean wait") && l.ends_with(&format!("[{n} of 10 pairs]"))),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("  All vehicles, mean wait") && !l.contains("pairs]")),
        "{text}"
    );
}

/// A variant whose lane cannot keep up (3.75 erlangs on 3 booths) is flagged by `compare` and
/// `sweep`, on the console and in their CSV files; a stable one is not.
#[test]
fn overloaded_variants_are_flagged() {
    let dir = temp_dir("overloaded");
    let base = mmc(&dir, "five", 5, 300, 3);
    let alt = mmc(&dir, "three", 3, 300, 3);
    let out = dir.join("cmp");
    let o = garita_ok(&["compare", s(&base), s(&alt), "-o", s(&out), "--quiet"]);
    let text = stdout(&o);
    assert!(
        text.contains("warning: three: the queue of lane main grows by ")
            && text.contains("vehicles over the last week measured"),
        "{text}"
    );
    assert!(!text.contains("warning: five"), "{text}");
    let csv = std::fs::read_to_string(out.join("comparison.csv")).expect("comparison.csv");
    let row = csv_row(&csv, "five,three,all,wait_mean_s,");
    assert_eq!(&row[11..], ["false", "true"]);

    let out = dir.join("sweep");
    let o = garita_ok(&[
        "sweep",
        s(&base),
        "--vary",
        "lanes.main.booths=3..5",
        "-o",
        s(&out),
        "-q",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("warning: variant 1 [lanes.main.booths=3]: the queue of lane main grows by "),
        "{text}"
    );
    assert!(!text.contains("warning: variant 3"), "{text}");
    let csv = std::fs::read_to_string(out.join("sweep.csv")).expect("sweep.csv");
    let flag = |booths: &str| {
        let r = csv_row(&csv, &format!("{booths},all,wait_mean_s,"));
        (num(r[6]), r[7].to_string())
    };
    let (share3, over3) = flag("3");
    assert_eq!(over3, "true");
    assert!(share3 > 0.05, "{share3}");
    assert_eq!(flag("5").1, "false");
}

fn sweep_args<'a>(base: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "sweep",
        base,
        "--vary",
        "lanes.main.booths=3..4",
        "--vary",
        "demand.scale=0.9..1.1:0.1",
        "--replications",
        "3",
        "-o",
        out,
        "--quiet",
    ]
}

#[test]
fn sweep_grid_writes_a_tidy_csv_identical_for_any_threads_and_on_resume() {
    let dir = temp_dir("sweep_grid");
    let base = mmc(&dir, "small", 3, 200, 2);
    let out1 = dir.join("one");
    let mut args = sweep_args(s(&base), s(&out1));
    args.extend(["--threads", "1"]);
    let o = garita_ok(&args);
    assert!(stdout(&o).contains("sweep: 6 variants x 3 replications"));
    let csv = std::fs::read_to_string(out1.join("sweep.csv")).expect("sweep.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "lanes.main.booths,demand.scale,group,metric,mean,ci95,n,queue_growth_share,overloaded"
        )
    );
    let mut combos: Vec<(String, String)> = Vec::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), 9, "{l}");
        assert_eq!(f[6], "3", "{l}");
        let c = (f[0].to_string(), f[1].to_string());
        if !combos.contains(&c) {
            combos.push(c);
        }
    }
    let want: Vec<(String, String)> = ["3", "4"]
        .iter()
        .flat_map(|b| ["0.9", "1", "1.1"].map(|d| (b.to_string(), d.to_string())))
        .collect();
    assert_eq!(combos, want);

    // Two threads: byte-identical.
    let out2 = dir.join("two");
    let mut args = sweep_args(s(&base), s(&out2));
    args.extend(["--threads", "2"]);
    assert!(garita(&args).status.success());
    assert_same(&snapshot(&out1), &snapshot(&out2));

    // Resume after losing some records and the final file: byte-identical again.
    let first = snapshot(&out1);
    for e in std::fs::read_dir(out1.join(".jobs")).expect("jobs") {
        let p = e.expect("entry").path().join("2.bin");
        std::fs::remove_file(p).expect("remove record");
    }
    std::fs::remove_file(out1.join("sweep.csv")).expect("remove");
    assert!(garita(&sweep_args(s(&base), s(&out1))).status.success());
    assert_same(&first, &snapshot(&out1));

    // A changed scenario gets its own records, never the stale ones.
    let text = std::fs::read_to_string(&base).expect("read");
    std::fs::write(&base, text.replace("rate = 200", "rate = 150")).expect("write");
    assert!(garita(&sweep_args(s(&base), s(&out1))).status.success());
    let after = std::fs::read(out1.join("sweep.csv")).expect("sweep.csv");
    assert_ne!(after, first["sweep.csv"]);
    let keys = std::fs::read_dir(out1.join(".jobs")).expect("jobs").count();
    assert_eq!(keys, 12, "6 variants before and 6 after the change");
}

#[test]
fn shards_merge_into_the_single_machine_result() {
    let dir = temp_dir("shards_merge");
    let base = mmc(&dir, "small", 3, 200, 2);
    let whole = dir.join("whole");
    assert!(garita(&sweep_args(s(&base), s(&whole))).status.success());
    let mut shard_dirs = Vec::new();
    for k in 0..3 {
        let d = dir.join(format!("shard{k}"));
        let spec = format!("{k}/3");
        let mut args = sweep_args(s(&base), s(&d));
        args.extend(["--shard", &spec]);
        let o = garita_ok(&args);
        assert!(stdout(&o).contains(&format!("shard {k}/3: 6 jobs done")));
        assert!(!d.join("sweep.csv").exists());
        shard_dirs.push(d);
    }
    let merged = dir.join("merged");
    garita_ok(&[
        "merge",
        s(&shard_dirs[0]),
        s(&shard_dirs[1]),
        s(&shard_dirs[2]),
        "-o",
        s(&merged),
    ]);
    assert_same(&snapshot(&whole), &snapshot(&merged));
    // The manifest holds the base scenario once and each variant's edits, not 6 texts.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(whole.join("manifest.json")).expect("manifest"))
            .expect("json");
    assert!(
        manifest["base_text"]
            .as_str()
            .is_some_and(|t| t.contains("[[lanes]]"))
    );
    let variants = manifest["variants"].as_array().expect("variants");
    assert_eq!(variants.len(), 6);
    assert!(
        variants
            .iter()
            .all(|v| v.get("text").is_none() && v["sets"].is_array())
    );

    // A missing shard and a duplicated one are named.
    let o = garita(&[
        "merge",
        s(&shard_dirs[0]),
        s(&shard_dirs[2]),
        s(&shard_dirs[2]),
        "-o",
        s(&dir.join("bad")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("shard 1/3 is missing"), "{err}");
    assert!(err.contains("shard 2/3 is duplicated"), "{err}");

    // A shard that did not finish: its missing jobs are listed.
    let jobs = shard_dirs[1].join(".jobs");
    let key = std::fs::read_dir(&jobs)
        .expect("jobs")
        .map(|e| e.expect("entry").path())
        .find(|p| p.join("2.bin").exists())
        .expect("a record of shard 1");
    std::fs::remove_file(key.join("2.bin")).expect("remove");
    let o = garita(&[
        "merge",
        s(&shard_dirs[0]),
        s(&shard_dirs[1]),
        s(&shard_dirs[2]),
        "-o",
        s(&dir.join("bad2")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("1 jobs have no result"), "{err}");
    assert!(err.contains("replication 2 (shard 1/3"), "{err}");
    assert!(!dir.join("bad2").join("sweep.csv").exists());
}

#[test]
fn shard_from_scheduler_environment() {
    let dir = temp_dir("shard_env");
    let base = mmc(&dir, "small", 3, 200, 2);
    let out = dir.join("out");
    let mut args = sweep_args(s(&base), s(&out));
    args.extend(["--shards", "4"]);
    let o = Command::new(env!("CARGO_BIN_EXE_garita"))
        .args(&args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env("JOB_COMPLETION_INDEX", "3")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("shard-3-of-4.json").is_file());
    let o = garita(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--shards N needs a shard index"));
}

#[test]
fn bad_vary_is_reported_with_variant_and_key() {
    let dir = temp_dir("bad_vary");
    let base = mmc(&dir, "small", 3, 200, 2);
    let out = dir.join("out");
    let cases: [(&str, &str); 7] = [
        (
            "lanes.ready.booths=2",
            "variant 1 [lanes.ready.booths=2]: lanes.ready.booths: lanes: no entry with id \"ready\" (ids are: main)",
        ),
        ("demand.scale=0.8..1.2", "needs a step, e.g. 0.8..1.2:0.1"),
        ("lanes.main.booths", "expected KEY=VALUES"),
        (
            "lanes.main.booths=2,-1",
            "variant 2 [lanes.main.booths=-1]: lanes[0].booths: must be at least 0, got -1",
        ),
        (
            "classes.ready.share=1.5",
            "variant 1 [classes.ready.share=1.5]: the shares set for ready sum to 1.5, more than 1",
        ),
        (
            "demand.sclae=2",
            "variant 1 [demand.sclae=2]: demand.sclae: unknown key",
        ),
        ("replications=2,3", "replications cannot be varied"),
    ];
    for (vary, want) in cases {
        let o = garita(&["sweep", s(&base), "--vary", vary, "-o", s(&out), "-q"]);
        assert_eq!(o.status.code(), Some(2), "{vary}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{vary}: {}", stderr(&o));
    }
    let o = garita(&["sweep", s(&base), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nothing to vary"), "{}", stderr(&o));
}

#[test]
fn sweep_file_and_share_rebalancing() {
    let dir = temp_dir("sweep_file");
    mmc(&dir, "small", 3, 200, 2);
    let file = dir.join("plan.toml");
    std::fs::write(
        &file,
        "base = \"small.toml\"\nreplications = 2\n\n[[vary]]\nkey = \"classes.ready.share\"\nvalues = [0.3, 0.6]\n",
    )
    .expect("write");
    let out = dir.join("out");
    let o = garita_ok(&["sweep", s(&file), "-o", s(&out), "-q"]);
    assert!(
        stdout(&o).contains("rescaled proportionally"),
        "{}",
        stdout(&o)
    );
    let csv = std::fs::read_to_string(out.join("sweep.csv")).expect("sweep.csv");
    assert!(csv.starts_with(
        "classes.ready.share,group,metric,mean,ci95,n,queue_growth_share,overloaded\n"
    ));
    let served = |share: &str, class: &str| {
        num(csv_row(&csv, &format!("{share},class:{class},arrivals,"))[3])
    };
    // With the ready share doubled, ready arrivals roughly double and general ones shrink.
    assert!(served("0.6", "ready") > 1.5 * served("0.3", "ready"));
    assert!(served("0.6", "general") < served("0.3", "general"));
}

#[test]
fn sweep_file_with_explicit_variants() {
    let dir = temp_dir("sweep_variants");
    mmc(&dir, "small", 3, 200, 2);
    let file = dir.join("list.toml");
    std::fs::write(
        &file,
        "base = \"small.toml\"\n\n[[variant]]\n\"lanes.main.booths\" = 3\n\"demand.scale\" = 1.0\n\n[[variant]]\n\"lanes.main.booths\" = 5\n\"demand.scale\" = 1.25\n",
    )
    .expect("write");
    let out = dir.join("out");
    garita_ok(&["sweep", s(&file), "-o", s(&out), "-q"]);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).expect("sweep.csv");
    assert!(csv.starts_with(
        "demand.scale,lanes.main.booths,group,metric,mean,ci95,n,queue_growth_share,overloaded\n"
    ));
    assert!(csv.contains("\n1,3,all,wait_mean_s,"), "{csv}");
    assert!(csv.contains("\n1.25,5,all,wait_mean_s,"), "{csv}");
    // A scenario named after its file (no `name` key) works too.
    let unnamed = dir.join("unnamed.toml");
    let text = std::fs::read_to_string(dir.join("small.toml")).expect("read");
    std::fs::write(&unnamed, text.replace("name = \"small\"\n", "")).expect("write");
    garita_ok(&[
        "sweep",
        s(&unnamed),
        "--vary",
        "seed=1,2",
        "-o",
        s(&dir.join("unnamed")),
        "-q",
    ]);
    let o = garita(&["sweep", s(&file), "--vary", "seed=1,2", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--vary cannot be added"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn compare_shards_merge_into_the_single_machine_result() {
    let dir = temp_dir("compare_shards");
    let base = mmc(&dir, "three", 3, 200, 3);
    let alt = mmc(&dir, "four", 4, 200, 3);
    let whole = dir.join("whole");
    garita_ok(&["compare", s(&base), s(&alt), "-o", s(&whole), "-q"]);
    let mut dirs = Vec::new();
    for k in 0..2 {
        let d = dir.join(format!("s{k}"));
        let spec = format!("{k}/2");
        garita_ok(&[
            "compare",
            s(&base),
            s(&alt),
            "-o",
            s(&d),
            "-q",
            "--shard",
            &spec,
        ]);
        assert!(!d.join("comparison.csv").exists());
        dirs.push(d);
    }
    let merged = dir.join("merged");
    garita_ok(&["merge", s(&dirs[0]), s(&dirs[1]), "-o", s(&merged)]);
    assert!(merged.join("four").join("hourly.csv").is_file());
    assert_same(&snapshot(&whole), &snapshot(&merged));
}
