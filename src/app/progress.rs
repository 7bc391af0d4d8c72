//! A one-line progress display on standard error: jobs done, vehicles simulated per second, ETA.
//! Wall-clock time appears only here, never in result files.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::experiment::Progress;

/// Draws progress on stderr when `enabled`, at most five times a second.
pub struct StderrProgress {
    enabled: bool,
    label: String,
    total: AtomicUsize,
    done: AtomicUsize,
    loaded: AtomicUsize,
    vehicles: AtomicU64,
    started: Mutex<Option<Instant>>,
    last_draw: Mutex<Option<Instant>>,
}

impl StderrProgress {
    /// A display titled `label`; draws nothing unless `enabled`.
    pub fn new(enabled: bool, label: &str) -> Self {
        StderrProgress {
            enabled,
            label: label.to_string(),
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            loaded: AtomicUsize::new(0),
            vehicles: AtomicU64::new(0),
            started: Mutex::new(None),
            last_draw: Mutex::new(None),
        }
    }

    fn line(&self) -> String {
        let total = self.total.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed);
        let loaded = self.loaded.load(Ordering::Relaxed);
        let vehicles = self.vehicles.load(Ordering::Relaxed);
        let elapsed = self
            .started
            .lock()
            .ok()
            .and_then(|s| *s)
            .map_or(Duration::ZERO, |s| s.elapsed())
            .as_secs_f64();
        let simulated = done.saturating_sub(loaded);
        let rate = if elapsed > 0.0 {
            vehicles as f64 / elapsed
        } else {
            0.0
        };
        let eta = if simulated > 0 && done < total {
            let per_job = elapsed / simulated as f64;
            format_duration(per_job * (total - done) as f64)
        } else {
            "-".to_string()
        };
        let width = 24;
        let filled = (done * width).checked_div(total).unwrap_or(width);
        let label = if self.label.is_empty() {
            String::new()
        } else {
            format!("{} ", self.label)
        };
        format!(
            "{label}[{}{}] {done}/{total} jobs{}  {}/s vehicles  ETA {eta}",
            "#".repeat(filled),
            " ".repeat(width - filled),
            if loaded > 0 {
                format!(" ({loaded} resumed)")
            } else {
                String::new()
            },
            human(rate)
        )
    }

    fn draw(&self, last: bool) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}\x1b[K", self.line());
        if last {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

fn human(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

fn format_duration(s: f64) -> String {
    let s = s.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

impl Progress for StderrProgress {
    fn start(&self, jobs: usize) {
        self.total.store(jobs, Ordering::Relaxed);
        if let Ok(mut s) = self.started.lock() {
            *s = Some(Instant::now());
        }
    }

    fn job_done(&self, vehicles: u64, loaded: bool) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.vehicles.fetch_add(vehicles, Ordering::Relaxed);
        if loaded {
            self.loaded.fetch_add(1, Ordering::Relaxed);
        }
        if !self.enabled {
            return;
        }
        let due = match self.last_draw.try_lock() {
            Ok(mut last) => {
                let now = Instant::now();
                let due = last.is_none_or(|t| now.duration_since(t) >= Duration::from_millis(200));
                if due {
                    *last = Some(now);
                }
                due
            }
            Err(_) => false,
        };
        if due {
            self.draw(false);
        }
    }

    fn finish(&self) {
        if self.enabled {
            self.draw(true);
        }
    }
}
