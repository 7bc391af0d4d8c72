//! `garita plot` and `garita report`: charts and the HTML report from an output folder.

use std::path::{Path, PathBuf};

use super::AppError;
use crate::report::charts::{self, ChartOptions, Format};
use crate::report::read::{OutputData, read_output_dir};
use crate::report::{html, write_atomic};

/// Options of `garita plot`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotConfig {
    /// The output folder of a run, compare, sweep or pilot.
    pub dir: PathBuf,
    /// Where charts go (default `<dir>/charts`).
    pub out: Option<PathBuf>,
    /// Image format.
    pub format: Format,
    /// Language and target.
    pub chart: ChartOptions,
}

impl PlotConfig {
    /// Default options (English PNG, 20-minute target) for `dir`.
    pub fn for_dir(dir: &Path) -> PlotConfig {
        PlotConfig {
            dir: dir.to_path_buf(),
            out: None,
            format: Format::Png,
            chart: ChartOptions::default(),
        }
    }
}

/// Options of `garita report`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportConfig {
    /// The output folder of a run, compare, sweep or pilot.
    pub dir: PathBuf,
    /// Where report.html goes (default `<dir>`).
    pub out: Option<PathBuf>,
    /// Language and target.
    pub chart: ChartOptions,
}

fn read(dir: &Path) -> Result<OutputData, AppError> {
    Ok(read_output_dir(dir)?)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    write_atomic(path, bytes).map_err(|source| AppError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn create_dir(dir: &Path) -> Result<(), AppError> {
    crate::report::create_dir(dir).map_err(|source| AppError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// `garita plot`: draws every chart that applies; returns one line per file written.
pub fn plot(cfg: &PlotConfig) -> Result<String, AppError> {
    let data = read(&cfg.dir)?;
    let out = cfg.out.clone().unwrap_or_else(|| cfg.dir.join("charts"));
    create_dir(&out)?;
    let mut text = String::new();
    for kind in charts::applicable(&data) {
        let bytes = charts::render(kind, &data, &cfg.chart, cfg.format)?;
        let path = out.join(format!("{}.{}", kind.file_stem(), cfg.format.ext()));
        write(&path, &bytes)?;
        text.push_str(&format!("chart: {}\n", path.display()));
    }
    Ok(text)
}

/// Where the report goes: `-o NAME.html` is the file itself; any other `-o` is a folder that
/// gets `report.html`, as does the results folder without `-o`.
fn report_path(dir: &Path, out: Option<&Path>) -> PathBuf {
    match out {
        Some(o)
            if o.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("html"))
                && !o.is_dir() =>
        {
            o.to_path_buf()
        }
        Some(o) => o.join("report.html"),
        None => dir.join("report.html"),
    }
}

/// `garita report`: writes one self-contained report.html; returns its path.
pub fn report(cfg: &ReportConfig) -> Result<String, AppError> {
    let data = read(&cfg.dir)?;
    let mut svgs = Vec::new();
    for kind in charts::applicable(&data) {
        let bytes = charts::render(kind, &data, &cfg.chart, Format::Svg)?;
        svgs.push((kind, String::from_utf8_lossy(&bytes).into_owned()));
    }
    let html = html::report_html(&data, &svgs, &cfg.chart);
    let path = report_path(&cfg.dir, cfg.out.as_deref());
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir(parent)?;
    }
    write(&path, html.as_bytes())?;
    Ok(format!("report: {}\n", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_goes_to_a_file_or_into_a_folder() {
        let d = Path::new("out/run");
        assert_eq!(report_path(d, None), Path::new("out/run/report.html"));
        let f = Path::new("slides/my-report.html");
        assert_eq!(report_path(d, Some(f)), f);
        assert_eq!(
            report_path(d, Some(Path::new("x.HTML"))),
            Path::new("x.HTML")
        );
        assert_eq!(
            report_path(d, Some(Path::new("slides"))),
            Path::new("slides/report.html")
        );
    }
}
