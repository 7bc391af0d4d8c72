//! Exporters of `garita validate`: the comparison of the simulated posted wait with observed
//! readings, by hour, by lane kind and by month. Every function returns the file's bytes.

use std::fmt::Write as _;

use super::fmt_num;
use crate::analysis::observed::Validation;

/// `validation.csv`: one row per lane kind and hour of day.
pub fn validation_csv(v: &Validation) -> Vec<u8> {
    let mut out = String::from(
        "lane,hour,observed_mean_min,observed_p95_min,simulated_mean_min,simulated_ci95,simulated_p05_min,simulated_p95_min,error_min,n_observed\n",
    );
    for r in &v.by_hour {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            r.lane.as_str(),
            r.hour,
            fmt_num(r.observed_mean_min),
            fmt_num(r.observed_p95_min),
            fmt_num(r.simulated_mean_min),
            fmt_num(r.simulated_ci95),
            fmt_num(r.simulated_band_min.0),
            fmt_num(r.simulated_band_min.1),
            fmt_num(r.error_min),
            r.n_observed
        );
    }
    out.into_bytes()
}

/// `validation_summary.csv`: one row per lane kind.
pub fn validation_summary_csv(v: &Validation) -> Vec<u8> {
    let mut out =
        String::from("lane,mae_min,rmse_min,bias_min,coverage_5_95,naive_mae_min,n_observed\n");
    for s in &v.summary {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            s.lane.as_str(),
            fmt_num(s.model.mae_min),
            fmt_num(s.model.rmse_min),
            fmt_num(s.model.bias_min),
            fmt_num(s.coverage_5_95),
            fmt_num(s.naive.mae_min),
            s.model.n
        );
    }
    out.into_bytes()
}

/// `validation_by_month.csv`: one row per lane kind and month.
pub fn validation_by_month_csv(v: &Validation) -> Vec<u8> {
    let mut out = String::from("lane,month,mae_min,bias_min,naive_mae_min,n_observed\n");
    for m in &v.by_month {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            m.lane.as_str(),
            m.month,
            fmt_num(m.model.mae_min),
            fmt_num(m.model.bias_min),
            fmt_num(m.naive.mae_min),
            m.model.n
        );
    }
    out.into_bytes()
}

/// The console summary: one line per lane kind, then the months.
pub fn validation_table(v: &Validation) -> String {
    let f = |x: f64| {
        if x.is_finite() {
            // No "-0.0" for a value that rounds to zero.
            format!("{:.1}", if x.abs() < 0.05 { 0.0 } else { x })
        } else {
            "-".to_string()
        }
    };
    let mut out = format!(
        "{:<8} {:>8} {:>8} {:>8} {:>9} {:>10} {:>7}\n",
        "lane", "MAE min", "RMSE", "bias", "cover5-95", "naive MAE", "n"
    );
    for s in &v.summary {
        let _ = writeln!(
            out,
            "{:<8} {:>8} {:>8} {:>8} {:>8.0}% {:>10} {:>7}",
            s.lane.as_str(),
            f(s.model.mae_min),
            f(s.model.rmse_min),
            f(s.model.bias_min),
            100.0 * s.coverage_5_95,
            f(s.naive.mae_min),
            s.model.n
        );
    }
    let _ = writeln!(
        out,
        "\n{:<8} {:<8} {:>8} {:>8} {:>10} {:>7}",
        "lane", "month", "MAE min", "bias", "naive MAE", "n"
    );
    for m in &v.by_month {
        let _ = writeln!(
            out,
            "{:<8} {:<8} {:>8} {:>8} {:>10} {:>7}",
            m.lane.as_str(),
            m.month,
            f(m.model.mae_min),
            f(m.model.bias_min),
            f(m.naive.mae_min),
            m.model.n
        );
    }
    out
}
