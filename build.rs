//! Computes garita's build identity at compile time: the crate version and a SHA-256 of the
//! source that decides what a job computes (the engine, the port model, the statistics, the
//! scenario format, the experiment runner, the job-record format) and of Cargo.lock (the exact
//! versions of the libraries that draw and transform random numbers). Job records are keyed by
//! it, so a changed model never reuses records of another build. The library reads it with
//! `env!` at compile time; nothing reads the environment at run time.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// What a job's result depends on.
const MODEL_SOURCES: &[&str] = &[
    "src/engine",
    "src/port",
    "src/stats",
    "src/scenario",
    "src/experiment",
    "src/report/jobs.rs",
    "Cargo.lock",
];

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            files(&e, out);
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let mut all = Vec::new();
    for s in MODEL_SOURCES {
        println!("cargo:rerun-if-changed={s}");
        files(Path::new(s), &mut all);
    }
    let mut h = Sha256::new();
    for f in &all {
        // Path and contents, with separators, so that moving code between files counts.
        let name = f.to_string_lossy().replace('\\', "/");
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        let bytes = std::fs::read(f).unwrap_or_default();
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    let hex: String = h
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=GARITA_BUILD_ID={version}+model.{hex}");
}
