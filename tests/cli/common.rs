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
