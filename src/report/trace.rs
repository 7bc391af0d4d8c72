//! Per-vehicle trace rows, streamed to CSV as the simulation runs.

use std::io::Write;

use super::fmt_num;
use super::fs::AtomicFile;
use crate::port::{PortConfig, TraceRecord, TraceSink};

/// Writes `trace.csv` rows as they come; the file appears only when the sink is closed.
pub struct CsvTraceSink {
    out: AtomicFile,
    class_ids: Vec<String>,
    lane_ids: Vec<String>,
    /// With an approach: two more columns, `lane_entry_s` and `approach_wait_s`.
    approach: bool,
    /// With secondary inspection: `referred,secondary_start_s,secondary_end_s`.
    secondary: bool,
    error: Option<std::io::Error>,
}

/// The trace's header row.
pub const TRACE_HEADER: &str =
    "vehicle,class,lane,counted,arrival_s,wait_s,service_start_s,service_s,departure_s,booth\n";

/// Columns added to the header when the scenario has an approach: when the vehicle passed the
/// lane split and how long after its arrival (empty, with the lane, for a vehicle still before
/// the split at the horizon).
pub const TRACE_APPROACH_COLUMNS: &str = ",lane_entry_s,approach_wait_s";

/// Columns added when the scenario has secondary inspection: whether primary referred the
/// vehicle, and when its secondary inspection started and ended (empty when not referred or not
/// yet at the horizon). A referred vehicle's row is written when its secondary inspection ends.
pub const TRACE_SECONDARY_COLUMNS: &str = ",referred,secondary_start_s,secondary_end_s";

impl CsvTraceSink {
    /// Starts a trace into `out`.
    pub fn new(cfg: &PortConfig, mut out: AtomicFile) -> Self {
        let approach = cfg.has_approach();
        let secondary = cfg.secondary.is_some();
        let mut header = TRACE_HEADER.trim_end_matches('\n').to_string();
        if approach {
            header.push_str(TRACE_APPROACH_COLUMNS);
        }
        if secondary {
            header.push_str(TRACE_SECONDARY_COLUMNS);
        }
        header.push('\n');
        let error = out.write_all(header.as_bytes()).err();
        CsvTraceSink {
            out,
            class_ids: cfg.classes.iter().map(|c| c.id.clone()).collect(),
            lane_ids: cfg.lanes.iter().map(|l| l.id.clone()).collect(),
            approach,
            secondary,
            error,
        }
    }
}

impl TraceSink for CsvTraceSink {
    fn record(&mut self, r: &TraceRecord) {
        if self.error.is_some() {
            return;
        }
        let arrival = r.arrival.as_secs_f64();
        let opt = |x: Option<f64>| x.map(fmt_num).unwrap_or_default();
        let start = r.service_start.map(|t| t.as_secs_f64());
        let dep = r.departure.map(|t| t.as_secs_f64());
        let lane = match r.lane_entry {
            Some(_) => self.lane_ids.get(r.lane).map_or("", String::as_str),
            None => "",
        };
        let res = write!(
            self.out,
            "{},{},{},{},{},{},{},{},{},{}",
            r.id,
            self.class_ids[r.class],
            lane,
            u8::from(r.counted),
            fmt_num(arrival),
            opt(start.map(|s| s - arrival)),
            opt(start),
            opt(start.zip(dep).map(|(s, d)| d - s)),
            opt(dep),
            r.booth.map(|b| (b + 1).to_string()).unwrap_or_default(),
        )
        .and_then(|()| {
            if self.approach {
                let entry = r.lane_entry.map(|t| t.as_secs_f64());
                write!(
                    self.out,
                    ",{},{}",
                    opt(entry),
                    opt(entry.map(|e| e - arrival))
                )?;
            }
            if self.secondary {
                write!(
                    self.out,
                    ",{},{},{}",
                    u8::from(r.referred),
                    opt(r.secondary_start.map(|t| t.as_secs_f64())),
                    opt(r.secondary_end.map(|t| t.as_secs_f64()))
                )?;
            }
            writeln!(self.out)
        });
        if let Err(e) = res {
            self.error = Some(e);
        }
    }

    /// Finishes the file (or reports the first write error); the file appears only now.
    fn close(self: Box<Self>) -> Result<(), String> {
        if let Some(e) = self.error {
            return Err(e.to_string());
        }
        self.out.commit().map_err(|e| e.to_string())
    }
}
