//! Helpers shared by the CLI tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the garita binary with `args` from the repository root, with no scheduler variables
/// in its environment (so tests behave the same inside a Slurm, Kubernetes or AWS Batch job).
pub fn garita(args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garita"));
    for v in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "JOB_COMPLETION_INDEX",
        "AWS_BATCH_JOB_ARRAY_INDEX",
    ] {
        c.env_remove(v);
    }
    c.args(args)
        .current_dir(root())
        .output()
        .expect("the garita binary runs")
}

/// A fresh empty folder under the target directory, unique to `name`.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the garita binary with `args` and asserts that it succeeded (showing its stderr if not).
#[track_caller]
pub fn garita_ok(args: &[&str]) -> Output {
    let o = garita(args);
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

/// Environment variable that makes a missing real part (a system program a test drives, such as
/// Chromium) a test failure. `.ci/run` sets it to `1`; without it such a test reports in one line
/// that it did not run and passes.
pub const REQUIRE_REAL_PARTS: &str = "GARITA_REQUIRE_REAL_PARTS";

/// The first of `names` found as a file on PATH. When none is, the test `test` cannot run: with
/// `GARITA_REQUIRE_REAL_PARTS=1` that is a failure; otherwise one line on the terminal says which
/// test did not run and how to run it, and the caller returns early (`None`).
pub fn real_part(test: &str, names: &[&str], install: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let required = std::env::var_os(REQUIRE_REAL_PARTS).is_some_and(|v| v == "1");
    assert!(
        !required,
        "{test}: {} not found on PATH and {REQUIRE_REAL_PARTS}=1 requires it ({install})",
        names[0]
    );
    // Written to the stderr handle directly, so the test harness does not capture it.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "note: real-part test `{test}` did not run: {} not found on PATH ({install}; \
         `bash .ci/run` installs it and runs every real-part test)",
        names[0]
    );
    None
}
