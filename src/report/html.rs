//! The self-contained HTML report.

use crate::report::charts::{ChartKind, ChartOptions};
use crate::report::read::OutputData;

/// report.html.
pub fn report_html(
    _data: &OutputData,
    svgs: &[(ChartKind, String)],
    _opts: &ChartOptions,
) -> String {
    svgs.iter().map(|s| s.1.clone()).collect()
}
