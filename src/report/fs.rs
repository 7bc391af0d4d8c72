//! Atomic file writes.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}

/// A file written under a temporary name and renamed into place by [`AtomicFile::commit`];
/// dropped without a commit, the temporary file is removed.
pub struct AtomicFile {
    out: Option<BufWriter<File>>,
    tmp: PathBuf,
    path: PathBuf,
}

impl AtomicFile {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> io::Result<Self> {
        let tmp = temp_path(path);
        let file = File::create(&tmp)?;
        Ok(AtomicFile {
            out: Some(BufWriter::with_capacity(1 << 16, file)),
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> io::Result<()> {
        let out = self
            .out
            .take()
            .expect("an uncommitted AtomicFile has a writer");
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&self.tmp, &self.path)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.out.as_mut() {
            Some(o) => o.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self.out.as_mut() {
            Some(o) => o.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Creates the folder `dir` and its parents where missing.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Removes the files `names` from `dir` where they exist (missing ones are fine).
pub fn remove_files(dir: &Path, names: &[&str]) -> io::Result<()> {
    for name in names {
        match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

fn is_partial(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".partial")
}

/// Removes the temporary files (`.NAME.partial`) that an interrupted process left in `dir` and
/// in the job-record folders `dir/.jobs/*/`; returns how many. Only for a folder that no other
/// process is writing (not one shared by running shards).
pub fn remove_partials(dir: &Path) -> io::Result<usize> {
    fn sweep(dir: &Path, n: &mut usize) -> io::Result<()> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut names: Vec<PathBuf> = Vec::new();
        for e in entries {
            let e = e?;
            if e.file_type()?.is_file() && is_partial(&e.file_name().to_string_lossy()) {
                names.push(e.path());
            }
        }
        for p in names {
            std::fs::remove_file(&p)?;
            *n += 1;
        }
        Ok(())
    }
    let mut n = 0;
    sweep(dir, &mut n)?;
    let jobs = dir.join(".jobs");
    if jobs.is_dir() {
        for e in std::fs::read_dir(&jobs)? {
            let e = e?;
            if e.file_type()?.is_dir() {
                sweep(&e.path(), &mut n)?;
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_partials_are_removed() {
        let dir = std::env::temp_dir().join(format!("garita-partials-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let job = dir.join(".jobs").join("abc");
        std::fs::create_dir_all(&job).expect("mkdir");
        for p in [
            dir.join(".summary.csv.partial"),
            job.join(".0.bin.partial"),
            dir.join("summary.csv"),
            job.join("0.bin"),
        ] {
            std::fs::write(&p, b"x").expect("write");
        }
        assert_eq!(remove_partials(&dir).expect("clean"), 2);
        assert!(dir.join("summary.csv").is_file() && job.join("0.bin").is_file());
        assert!(!job.join(".0.bin.partial").exists());
        remove_files(&dir, &["summary.csv", "absent.csv"]).expect("remove");
        assert!(!dir.join("summary.csv").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn uncommitted_files_leave_nothing() {
        let dir = std::env::temp_dir().join(format!("garita-fs-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let p = dir.join("a.csv");
        {
            let mut f = AtomicFile::create(&p).expect("create");
            f.write_all(b"half").expect("write");
        }
        assert!(!p.exists());
        assert!(!temp_path(&p).exists());
        write_atomic(&p, b"whole").expect("write");
        assert_eq!(std::fs::read(&p).expect("read"), b"whole");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
