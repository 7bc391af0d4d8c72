//! `garita plot`, `garita report` and `garita run --plot` end to end, including the report in
//! a real browser (headless Chromium).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{garita, garita_ok, real_part, root, stderr, stdout, temp_dir};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A copy of `src` with a 2-day horizon and 1-day warm-up (top-level keys replaced).
fn short_copy(src: &Path, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(src).expect("read scenario");
    let mut out = String::from("horizon = \"2d\"\nwarmup = \"1d\"\n");
    let mut top = true;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            top = false;
        }
        let key = t.split('=').next().unwrap_or("").trim();
        if top && (key == "horizon" || key == "warmup") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let dst = dir.join(src.file_name().expect("file name"));
    std::fs::write(&dst, out).expect("write scenario copy");
    dst
}

fn scenario_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no scenarios found");
    v
}

/// Runs a short copy of `scenario` with 2 replications (and `--plot`) into `out`.
fn short_run(scenario: &Path, work: &Path, out: &Path) {
    let copy = short_copy(scenario, work);
    let o = garita(&[
        "run",
        s(&copy),
        "--replications",
        "2",
        "--plot",
        "-o",
        s(out),
    ]);
    assert!(o.status.success(), "{}: {}", scenario.display(), stderr(&o));
}

const RUN_CHARTS: [&str; 4] = [
    "wait_by_hour",
    "staffing_vs_demand",
    "queue_by_hour",
    "wait_distribution",
];

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let dec = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = dec.read_info().expect("a valid PNG");
    let info = reader.info();
    (info.width, info.height)
}

#[test]
fn every_bundled_scenario_charts_in_both_languages() {
    let work = temp_dir("charts_every_scenario");
    for sc in scenario_files() {
        let stem = sc.file_stem().and_then(|x| x.to_str()).unwrap_or("x");
        let out = work.join(stem);
        short_run(&sc, &work, &out);
        // `run --plot` drew the English PNGs.
        for c in RUN_CHARTS {
            let p = out.join("charts").join(format!("{c}.png"));
            let bytes = std::fs::read(&p).unwrap_or_else(|_| panic!("missing {}", p.display()));
            assert_eq!(png_size(&bytes), (1600, 900), "{}", p.display());
        }
        // Spanish SVGs with `plot`.
        let es = work.join(format!("{stem}-es"));
        garita_ok(&[
            "plot",
            s(&out),
            "--lang",
            "es",
            "--format",
            "svg",
            "-o",
            s(&es),
        ]);
        for c in RUN_CHARTS {
            let p = es.join(format!("{c}.svg"));
            let svg =
                std::fs::read_to_string(&p).unwrap_or_else(|_| panic!("missing {}", p.display()));
            assert!(
                svg.contains("font-family=\"DejaVu Sans\""),
                "{}",
                p.display()
            );
            assert!(
                svg.contains("Escenario "),
                "{}: no Spanish footer",
                p.display()
            );
            assert!(!svg.contains("Scenario "), "{}: English left", p.display());
        }
        let wait = std::fs::read_to_string(es.join("wait_by_hour.svg")).expect("svg");
        assert!(wait.contains("Hora del día") && wait.contains("Espera (minutos)"));
        assert!(wait.contains("percentil 95") && wait.contains("Meta: 20 min"));
    }
}

#[test]
fn png_charts_are_byte_identical_between_runs() {
    let work = temp_dir("charts_png_identical");
    let out = work.join("run");
    short_run(&root().join("scenarios/mmc-example.toml"), &work, &out);
    let again = work.join("again");
    garita_ok(&["plot", s(&out), "-o", s(&again)]);
    for c in RUN_CHARTS {
        let a = std::fs::read(out.join("charts").join(format!("{c}.png"))).expect("png");
        let b = std::fs::read(again.join(format!("{c}.png"))).expect("png");
        assert!(a == b, "{c}.png differs between two runs");
    }
}

#[test]
fn spanish_uses_decimal_comma_and_lane_names() {
    let work = temp_dir("charts_spanish");
    let out = work.join("run");
    short_run(&root().join("scenarios/mmc-example.toml"), &work, &out);
    let es = work.join("es");
    garita_ok(&[
        "plot",
        s(&out),
        "--lang",
        "es",
        "--format",
        "svg",
        "-o",
        s(&es),
    ]);
    let cdf = std::fs::read_to_string(es.join("wait_distribution.svg")).expect("svg");
    assert!(cdf.contains("Carril general: "), "{cdf}");
    assert!(cdf.contains("en 20 min o menos"));
    // `--target-line` and `--no-target-line` (`--target` is staff's rule, not a line).
    garita_ok(&[
        "plot",
        s(&out),
        "--lang",
        "es",
        "--format",
        "svg",
        "--target-line",
        "12.5m",
        "-o",
        s(&es),
    ]);
    let wait = std::fs::read_to_string(es.join("wait_by_hour.svg")).expect("svg");
    assert!(wait.contains("Meta: 12,5 min"), "{wait}");
    garita_ok(&[
        "plot",
        s(&out),
        "--format",
        "svg",
        "--no-target-line",
        "-o",
        s(&es),
    ]);
    let wait = std::fs::read_to_string(es.join("wait_by_hour.svg")).expect("svg");
    assert!(!wait.contains("Target") && wait.contains("Hour of day"));
    // Key figures in Spanish number format: `0,5 ± 0,1`.
    garita_ok(&["report", s(&out), "--lang", "es", "-o", s(&es)]);
    let html = std::fs::read_to_string(es.join("report.html")).expect("html");
    assert!(html.contains("<html lang=\"es\">"));
    assert!(html.contains("Cifras clave") && html.contains("Reproducibilidad"));
    let row = html
        .split("<tr>")
        .find(|r| r.contains("Carril general"))
        .expect("a key-figure row for the general lane");
    assert!(row.contains(',') && row.contains(" ± "), "{row}");
}

#[test]
fn comparison_and_sweep_fixtures_chart() {
    let fx = root().join("tests/fixtures/charts");
    let work = temp_dir("charts_fixtures");
    let cases: [(&str, &[&str]); 3] = [
        ("compare", &["comparison"]),
        ("sweep1", &["sweep_wait_mean", "sweep_wait_p95"]),
        ("sweep2", &["sweep_heatmap"]),
    ];
    for (dir, charts) in cases {
        for lang in ["en", "es"] {
            let out = work.join(format!("{dir}-{lang}"));
            let o = garita(&["plot", s(&fx.join(dir)), "--lang", lang, "-o", s(&out)]);
            assert!(o.status.success(), "{dir}: {}", stderr(&o));
            let mut found: Vec<String> = std::fs::read_dir(&out)
                .expect("charts")
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            found.sort();
            let want: Vec<String> = charts.iter().map(|c| format!("{c}.png")).collect();
            assert_eq!(found, want, "{dir} ({lang})");
        }
    }
    // Display names from the baseline's run.json take precedence over defaults by kind.
    let out = work.join("compare-svg");
    garita_ok(&[
        "plot",
        s(&fx.join("compare")),
        "--lang",
        "es",
        "--format",
        "svg",
        "-o",
        s(&out),
    ]);
    let svg = std::fs::read_to_string(out.join("comparison.svg")).expect("svg");
    assert!(svg.contains("Viajeros confiables") && svg.contains("Carril Ready"));
}

/// The golden SVG of the comparison chart; `GARITA_BLESS=1` rewrites it on purpose.
#[test]
fn golden_comparison_svg() {
    let golden = root().join("tests/golden/comparison_es.svg");
    let work = temp_dir("charts_golden");
    garita_ok(&[
        "plot",
        "tests/fixtures/charts/compare",
        "--lang",
        "es",
        "--format",
        "svg",
        "-o",
        s(&work),
    ]);
    let got = std::fs::read_to_string(work.join("comparison.svg")).expect("svg");
    // Structure and labels, stated so that a failure says what changed.
    assert!(got.starts_with("<svg width=\"1600\" height=\"900\" viewBox=\"0 0 1600 900\""));
    for label in [
        "Cambio en la espera respecto a la base (base)",
        "Cambio en la espera (minutos)",
        "ready-plus-1 · Carril Ready",
        "sentri-2x · Viajeros confiables",
        "Espera media (IC 95 %)",
        "Espera percentil 95 (IC 95 %)",
        "Escenario base · hash 0123456789ab · semilla 42 · 10 réplicas · garita 0.1.0",
        "−20",
    ] {
        assert!(got.contains(label), "missing label {label:?}");
    }
    // One marker per row and metric (10) and one per legend entry (2).
    assert_eq!(got.matches("<circle").count(), 12);
    if std::env::var_os("GARITA_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().expect("parent")).expect("mkdir");
        std::fs::write(&golden, &got).expect("bless golden");
        return;
    }
    let want = std::fs::read_to_string(&golden)
        .expect("tests/golden/comparison_es.svg (create it with GARITA_BLESS=1 after review)");
    assert!(
        got == want,
        "comparison.svg differs from tests/golden/comparison_es.svg; review {} and rerun with \
         GARITA_BLESS=1 if the change is intended",
        work.join("comparison.svg").display()
    );
}

#[test]
fn incomplete_output_folder_names_the_missing_file() {
    let work = temp_dir("charts_bad_folder");
    let out = work.join("run");
    short_run(&root().join("scenarios/mmc-example.toml"), &work, &out);
    std::fs::remove_file(out.join("hourly.csv")).expect("rm");
    let o = garita(&["plot", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("hourly.csv: missing"), "{e}");

    let empty = work.join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let o = garita(&["report", s(&empty)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no garita results found"),
        "{}",
        stderr(&o)
    );

    let o = garita(&["plot", s(&work.join("nope"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nope: no such folder"),
        "{}",
        stderr(&o)
    );

    // Orphan CSV without run.json.
    let orphan = work.join("orphan");
    std::fs::create_dir_all(&orphan).expect("mkdir");
    std::fs::copy(out.join("summary.csv"), orphan.join("summary.csv")).expect("cp");
    let o = garita(&["plot", s(&orphan)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("run.json: missing"), "{}", stderr(&o));

    // A malformed line is named with its file and line number.
    let bad = work.join("bad");
    std::fs::create_dir_all(&bad).expect("mkdir");
    std::fs::write(
        bad.join("comparison.csv"),
        "baseline,alternative,group,metric,baseline_mean,alternative_mean,diff_mean,diff_ci95,rel_change,significant\n\
         a,b,all,wait_mean_s,1,2,1,0.5,1,true\n\
         a,b,all,wait_p95_s,1,x2,1,0.5,1,true\n",
    )
    .expect("write");
    let o = garita(&["plot", s(&bad)]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("comparison.csv:3: `alternative_mean`: expected a number, got \"x2\""),
        "{e}"
    );
    // A missing column is named.
    std::fs::write(bad.join("comparison.csv"), "baseline,alternative\na,b\n").expect("write");
    let o = garita(&["plot", s(&bad)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing column `group`"),
        "{}",
        stderr(&o)
    );
}

// ---- The report in a real browser ----

/// Runs headless Chromium on `page` with `args`; returns its output (killed after 90 s).
fn chromium(exe: &Path, page: &Path, profile: &Path, args: &[&str]) -> Output {
    let url = format!("file://{}", page.display());
    let mut child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait chromium").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("chromium output")
}

/// Console messages Chromium logged (the report has no scripts, so any is a problem).
fn console_lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

/// Fraction of non-white pixels and the count of pixels in the charts' blue.
fn ink(png_path: &Path) -> (f64, usize) {
    let bytes = std::fs::read(png_path).expect("screenshot written");
    let dec = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = dec.read_info().expect("a valid PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("decode");
    let ch = info.color_type.samples();
    let px = &buf[..info.buffer_size()];
    let mut inked = 0usize;
    let mut blue = 0usize;
    let mut total = 0usize;
    for p in px.chunks(ch) {
        total += 1;
        let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
        if r < 240 || g < 240 || b < 240 {
            inked += 1;
        }
        if r < 40 && (g - 114).abs() < 40 && (b - 178).abs() < 40 {
            blue += 1;
        }
    }
    (inked as f64 / total.max(1) as f64, blue)
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(exe) = real_part(
        "report_renders_in_headless_chromium",
        &["chromium", "chromium-browser", "google-chrome"],
        "Debian: apt-get install -y chromium",
    ) else {
        return;
    };
    let work = temp_dir("charts_report_browser");
    // The console check itself works: a page with an error is caught.
    let bad = work.join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><p>x</p><script>console.error('marker');</script></body></html>",
    )
    .expect("write");
    let o = chromium(&exe, &bad, &work.join("profile-bad"), &["--dump-dom"]);
    assert!(
        console_lines(&o).iter().any(|l| l.contains("marker")),
        "chromium console messages are not captured: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    let out = work.join("run");
    short_run(&root().join("scenarios/mmc-example.toml"), &work, &out);
    let fx = root().join("tests/fixtures/charts/compare");
    let cmp = work.join("compare");
    for (dir, dest, lang) in [(&out, &out, "en"), (&fx, &cmp, "es")] {
        let o = garita_ok(&["report", s(dir), "--lang", lang, "-o", s(dest)]);
        assert!(stdout(&o).contains("report.html"));
        let page = dest.join("report.html");
        let html = std::fs::read_to_string(&page).expect("report.html");
        // Self-contained: no scripts, nothing fetched (the only URL is the SVG namespace).
        assert!(!html.contains("<script"));
        assert_eq!(
            html.matches("http").count(),
            html.matches("http://www.w3.org/2000/svg").count() + html.matches("http-equiv").count()
        );
        assert!(
            html.contains(
                "@font-face { font-family: \"DejaVu Sans\"; src: url(data:font/ttf;base64,"
            )
        );
        assert!(html.contains("@page"));

        let shot = work.join(format!("{lang}.png"));
        let o = chromium(
            &exe,
            &page,
            &work.join(format!("profile-{lang}")),
            &[
                "--window-size=1200,2000",
                &format!("--screenshot={}", shot.display()),
            ],
        );
        let console = console_lines(&o);
        assert!(console.is_empty(), "console messages: {console:#?}");
        let (inked, blue) = ink(&shot);
        assert!(inked > 0.03, "screenshot looks blank ({inked:.4} inked)");
        assert!(
            blue > 500,
            "no chart colours on screen ({blue} blue pixels)"
        );
    }

    // Prints to PDF on Letter (Chromium's default) and on A4.
    let page = out.join("report.html");
    let html = std::fs::read_to_string(&page).expect("report.html");
    let a4 = work.join("a4.html");
    std::fs::write(
        &a4,
        html.replacen("</head>", "<style>@page { size: A4; }</style></head>", 1),
    )
    .expect("write");
    for (src, name, width) in [(&page, "letter", 612.0), (&a4, "a4", 595.28)] {
        let pdf = work.join(format!("{name}.pdf"));
        let o = chromium(
            &exe,
            src,
            &work.join(format!("profile-{name}")),
            &[
                "--no-pdf-header-footer",
                &format!("--print-to-pdf={}", pdf.display()),
            ],
        );
        let console = console_lines(&o);
        assert!(console.is_empty(), "console messages: {console:#?}");
        let bytes = std::fs::read(&pdf).expect("pdf written");
        assert!(bytes.starts_with(b"%PDF"));
        let text = String::from_utf8_lossy(&bytes);
        let pages = text.matches("/MediaBox [0 0 ").count();
        assert!(pages >= 2, "{name}: {pages} pages");
        // Paper width in points: Letter 612, A4 595.28.
        let w: f64 = text
            .split("/MediaBox [0 0 ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|x| x.parse().ok())
            .expect("a MediaBox");
        assert!((w - width).abs() < 1.0, "{name}: page width {w} pt");
    }
}

#[test]
fn pilot_fixture_charts_and_report_in_both_languages() {
    let fx = root().join("tests/fixtures/charts/pilot");
    let work = temp_dir("charts_pilot");
    // English PNGs.
    let en = work.join("en");
    let o = garita_ok(&["plot", s(&fx), "-o", s(&en)]);
    for c in ["pilot_ranking", "pilot_tradeoff"] {
        let p = en.join(format!("{c}.png"));
        let bytes = std::fs::read(&p).unwrap_or_else(|_| panic!("missing {}", p.display()));
        assert_eq!(png_size(&bytes), (1600, 900), "{}", p.display());
        assert!(stdout(&o).contains(&format!("{c}.png")), "{}", stdout(&o));
    }
    // English SVGs: labels, legend and the footer from criteria.md.
    garita_ok(&["plot", s(&fx), "--format", "svg", "-o", s(&en)]);
    let rank = std::fs::read_to_string(en.join("pilot_ranking.svg")).expect("svg");
    assert!(rank.contains("Pilot candidates ranked by weighted score"));
    assert!(rank.contains("1. north · staff") && rank.contains("4. south · ready"));
    assert!(rank.contains("Rank stability: share of weightings in the top 2"));
    assert!(rank.contains("Helps one group of travellers, worsens the other"));
    assert!(
        rank.contains("Pilot fixture-pilot · weight-draw seed 42 · 5 replications · garita 0.1.0")
    );
    // Spanish SVGs.
    let es = work.join("es");
    garita_ok(&[
        "plot",
        s(&fx),
        "--lang",
        "es",
        "--format",
        "svg",
        "-o",
        s(&es),
    ]);
    let rank = std::fs::read_to_string(es.join("pilot_ranking.svg")).expect("svg");
    assert!(rank.contains("Candidatos a piloto ordenados por puntaje ponderado"));
    assert!(rank.contains("entre los 2 primeros") && rank.contains("conjunto de Pareto"));
    assert!(rank.contains("0,90"), "decimal comma in the score labels");
    assert!(rank.contains("Piloto fixture-pilot · semilla de los sorteos de pesos 42"));
    assert!(!rank.contains("Pilot candidates") && !rank.contains("replications"));
    let trade = std::fs::read_to_string(es.join("pilot_tradeoff.svg")).expect("svg");
    assert!(trade.contains("Demora ahorrada (horas-vehículo por día)"));
    assert!(trade.contains("Espera percentil 95 ahorrada (minutos)"));
    assert!(trade.contains("Conjunto de Pareto (IC 95 %)") && trade.contains("Otros candidatos"));
    assert!(trade.contains("2. north · ready"));
    // The report: ranking table, charts, reproducibility from criteria.md.
    garita_ok(&["report", s(&fx), "--lang", "es", "-o", s(&es)]);
    let html = std::fs::read_to_string(es.join("report.html")).expect("html");
    assert!(html.contains("Clasificación de sitios piloto: fixture-pilot"));
    assert!(html.contains("id=\"pilot_ranking\"") && html.contains("id=\"pilot_tradeoff\""));
    assert!(html.contains("Estabilidad (top 2)"));
    assert!(html.contains("garita pilot pilots/fixture.toml -o "));
    let row = html
        .split("<tr>")
        .find(|r| r.contains("south · ready"))
        .expect("a ranking row for south/ready");
    assert!(row.contains("⚑") && row.contains("−50,0 ± 30,0"), "{row}");
    garita_ok(&["report", s(&fx), "-o", s(&en)]);
    let html = std::fs::read_to_string(en.join("report.html")).expect("html");
    assert!(
        html.contains("Pilot-site ranking: fixture-pilot") && html.contains("Stability (top 2)")
    );
}

#[test]
fn pilot_csv_without_criteria_and_with_a_bad_flag() {
    let work = temp_dir("charts_pilot_bad");
    let fx = root().join("tests/fixtures/charts/pilot/pilot.csv");
    let text = std::fs::read_to_string(fx).expect("fixture");
    // Without criteria.md the footer falls back to the folder name.
    let bare = work.join("bare-pilot");
    std::fs::create_dir_all(&bare).expect("dir");
    std::fs::write(bare.join("pilot.csv"), &text).expect("write");
    garita_ok(&["plot", s(&bare), "--format", "svg"]);
    let svg = std::fs::read_to_string(bare.join("charts/pilot_ranking.svg")).expect("svg");
    assert!(svg.contains("Pilot bare-pilot · garita "), "footer");
    // A malformed true/false field names the file and line.
    let bad = work.join("bad");
    std::fs::create_dir_all(&bad).expect("dir");
    std::fs::write(bad.join("pilot.csv"), text.replacen(",true,", ",maybe,", 1)).expect("write");
    let o = garita(&["plot", s(&bad)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("pilot.csv:") && e.contains("expected true or false, got \"maybe\""),
        "{e}"
    );
}

/// An M/M/c scenario with `booths` booths (3-day horizon, 3 replications).
fn mmc(dir: &Path, name: &str, booths: u32) -> PathBuf {
    let text = format!(
        "name = \"{name}\"\nseed = 11\nhorizon = \"3d\"\nwarmup = \"1d\"\nreplications = 3\n\n[demand]\nrate = 200\n\n[[classes]]\nid = \"general\"\nshare = 1.0\nlanes = [\"main\"]\n\n[[lanes]]\nid = \"main\"\nbooths = {booths}\nservice = {{ dist = \"exponential\", mean = \"45s\" }}\n"
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, text).expect("write scenario");
    p
}

#[test]
fn compare_and_sweep_plot_flag_draws_the_charts() {
    let work = temp_dir("charts_batch_plot");
    let base = mmc(&work, "three", 3);
    let alt = mmc(&work, "four", 4);
    let out = work.join("cmp");
    let o = garita_ok(&["compare", s(&base), s(&alt), "-o", s(&out), "-q", "--plot"]);
    let p = out.join("charts/comparison.png");
    assert!(p.is_file(), "missing {}", p.display());
    assert!(stdout(&o).contains("comparison.png"), "{}", stdout(&o));
    let out = work.join("sweep");
    garita_ok(&[
        "sweep",
        s(&base),
        "--vary",
        "lanes.main.booths=3,4",
        "-o",
        s(&out),
        "-q",
        "--plot",
    ]);
    for c in ["sweep_wait_mean", "sweep_wait_p95"] {
        let p = out.join(format!("charts/{c}.png"));
        assert!(p.is_file(), "missing {}", p.display());
    }
}

/// A run with an approach and lane storage gets the spillback and lane-full charts, in English
/// and Spanish; a run without gets neither.
#[test]
fn spillback_charts_only_where_there_is_an_approach() {
    let work = temp_dir("charts_spillback");
    let out = work.join("run");
    garita_ok(&[
        "run",
        "scenarios/spillback-example.toml",
        "--replications",
        "2",
        "--plot",
        "-o",
        s(&out),
    ]);
    for c in ["spillback", "lane_full_by_hour"] {
        assert!(out.join("charts").join(format!("{c}.png")).exists(), "{c}");
    }
    let es = work.join("es");
    garita_ok(&[
        "plot",
        s(&out),
        "--lang",
        "es",
        "--format",
        "svg",
        "-o",
        s(&es),
    ]);
    let svg = std::fs::read_to_string(es.join("spillback.svg")).expect("svg");
    assert!(svg.contains("Desbordamiento") && svg.contains("Fuera del puerto"));
    let svg = std::fs::read_to_string(es.join("lane_full_by_hour.svg")).expect("svg");
    assert!(svg.contains("Proporción de la hora (%)"));
    let plain = work.join("plain");
    short_run(&root().join("scenarios/mmc-example.toml"), &work, &plain);
    assert!(!plain.join("charts").join("spillback.png").exists());
    assert!(!plain.join("charts").join("lane_full_by_hour.png").exists());
}
