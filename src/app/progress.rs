//! The progress display on standard error (jobs done, vehicles simulated per second, ETA) and
//! the one-line summary at the end, drawn with `indicatif`. Wall-clock time appears only here,
//! never in result files.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::experiment::Progress;

/// What the display knows in advance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The number of jobs is known at the start (run, compare, sweep): a bar with an ETA.
    Bar,
    /// Jobs come in rounds whose number is not known (staff, pilot): a running count.
    Open,
}

/// How often a plain progress line is written when standard error is not a terminal.
const LINE_EVERY_S: u64 = 30;

/// Progress of one command on stderr; draws nothing unless `enabled` (the command line enables
/// it only on a terminal and without `--quiet`), or, with [`StderrProgress::with_lines`], writes
/// a plain line at most every 30 s and the summary line at the end (for long commands whose
/// standard error is a file or a pipe).
pub struct StderrProgress {
    enabled: bool,
    lines: AtomicBool,
    /// Whole seconds since the start when the last plain line was written.
    last_line_s: AtomicU64,
    label: String,
    bar: ProgressBar,
    vehicles: AtomicU64,
    loaded: AtomicU64,
    started: Instant,
}

impl StderrProgress {
    /// A display for the command `label` (`run`, `staff`, `sweep shard 1/4`, ...).
    pub fn new(enabled: bool, label: &str, shape: Shape) -> Self {
        let bar = if enabled {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(5));
            let template = match shape {
                Shape::Bar => "{prefix} [{bar:24}] {pos}/{len} jobs  {msg}  ETA {eta}",
                Shape::Open => "{prefix} {spinner} {pos} jobs  {msg}  {elapsed}",
            };
            let style = ProgressStyle::with_template(template)
                .expect("the progress templates are valid")
                .progress_chars("#>-");
            bar.set_style(style);
            bar.set_prefix(label.to_string());
            if shape == Shape::Open {
                bar.enable_steady_tick(Duration::from_millis(200));
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        StderrProgress {
            enabled,
            lines: AtomicBool::new(false),
            last_line_s: AtomicU64::new(0),
            label: label.to_string(),
            bar,
            vehicles: AtomicU64::new(0),
            loaded: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// Also writes plain lines (jobs done so far, at most one every 30 s) and the summary line
    /// when the bar is not drawn; `staff` and `pilot` use it off a terminal, where a long search
    /// would otherwise print nothing until it ends.
    pub fn with_lines(self, lines: bool) -> Self {
        self.lines.store(lines && !self.enabled, Ordering::Relaxed);
        self
    }

    /// The one-line summary: jobs, resumed jobs, wall time, vehicles and their rate.
    pub fn summary(&self) -> String {
        let jobs = self.bar.position();
        let loaded = self.loaded.load(Ordering::Relaxed);
        let vehicles = self.vehicles.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            vehicles as f64 / secs
        } else {
            0.0
        };
        format!(
            "{}: {jobs} jobs{} in {}, {} vehicles simulated ({}/s)",
            self.label,
            if loaded > 0 {
                format!(" ({loaded} resumed)")
            } else {
                String::new()
            },
            format_duration(secs),
            human(vehicles as f64),
            human(rate)
        )
    }
}

fn human(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.1}G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

fn format_duration(s: f64) -> String {
    if s < 10.0 {
        return format!("{s:.1}s");
    }
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
        // Accumulates: commands that run several batches (staff rounds) keep one count.
        self.bar.inc_length(jobs as u64);
    }

    fn job_done(&self, vehicles: u64, loaded: bool) {
        let total = self.vehicles.fetch_add(vehicles, Ordering::Relaxed) + vehicles;
        let resumed =
            self.loaded.fetch_add(u64::from(loaded), Ordering::Relaxed) + u64::from(loaded);
        self.bar.inc(1);
        if self.enabled {
            let secs = self.started.elapsed().as_secs_f64();
            let rate = if secs > 0.0 { total as f64 / secs } else { 0.0 };
            let resumed = if resumed > 0 {
                format!("{resumed} resumed  ")
            } else {
                String::new()
            };
            self.bar
                .set_message(format!("{resumed}{} vehicles/s", human(rate)));
        } else if self.lines.load(Ordering::Relaxed) {
            let now = self.started.elapsed().as_secs();
            let last = self.last_line_s.load(Ordering::Relaxed);
            if now >= last + LINE_EVERY_S
                && self
                    .last_line_s
                    .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                eprintln!("{} (running)", self.summary());
            }
        }
    }

    /// Clears the bar and prints the summary line (only when enabled).
    fn finish(&self) {
        if self.enabled && !self.bar.is_finished() {
            self.bar.finish_and_clear();
            eprintln!("{}", self.summary());
        } else if self.lines.swap(false, Ordering::Relaxed) {
            eprintln!("{}", self.summary());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_jobs_and_resumed_ones() {
        let p = StderrProgress::new(false, "sweep", Shape::Bar);
        p.start(3);
        p.job_done(1_500_000, false);
        p.job_done(0, true);
        p.job_done(2_000, false);
        p.finish();
        let s = p.summary();
        assert!(s.starts_with("sweep: 3 jobs (1 resumed) in "), "{s}");
        assert!(s.contains(" 1.5M vehicles simulated ("), "{s}");
        assert_eq!(human(999.0), "999");
        assert_eq!(format_duration(75.0), "1m15s");
        assert_eq!(format_duration(3.21), "3.2s");
    }
}
