//! The files of `garita calibrate`: `fit.csv` and the booth series.

use crate::analysis::calibrate::FitRow;
use crate::port::Date;
use crate::stats::fmt_num;

/// `fit.csv`: `lane,hour,observed_mean_min,simulated_mean_min,ci95,error_min,n_observed`, one
/// row per lane kind and hour of day with readings.
pub fn fit_csv(rows: &[FitRow]) -> Vec<u8> {
    let mut s =
        String::from("lane,hour,observed_mean_min,simulated_mean_min,ci95,error_min,n_observed\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.lane.as_str(),
            r.hour,
            fmt_num(r.observed_mean_min),
            fmt_num(r.simulated_mean_min),
            fmt_num(r.ci95),
            fmt_num(r.error_min),
            r.n_observed
        ));
    }
    s.into_bytes()
}

/// A booth series file (`date,hour,booths`), day 0 = `start`.
pub fn booth_series_csv(start: Date, days: &[[u32; 24]]) -> Vec<u8> {
    let mut s = String::from("date,hour,booths\n");
    for (d, b) in days.iter().enumerate() {
        let date = start.plus_days(d as i64);
        for (h, n) in b.iter().enumerate() {
            s.push_str(&format!("{date},{h},{n}\n"));
        }
    }
    s.into_bytes()
}
