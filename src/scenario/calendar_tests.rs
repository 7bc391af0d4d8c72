//! The calendar end to end: `start`, schedules by day type and special dates, from the file to
//! the simulation.

use super::parse_str;
use crate::port::{GroupRef, Metric, ReplicationResult, TraceRecord, TraceSink, simulate};

const HOUR_S: f64 = 3600.0;

fn scenario(head: &str, booths: &str, tail: &str) -> String {
    format!(
        "name = \"cal\"\nhorizon = \"14d\"\n{head}\n[demand]\nrate = 120\n\
         weekday_factors = [1, 1, 1, 1, 1, 1, 0]\n\
         [[classes]]\nid = \"g\"\nshare = 1\nlanes = [\"m\"]\n\
         [[lanes]]\nid = \"m\"\nbooths = {booths}\nservice = {{ dist = \"exponential\", mean = \"60s\" }}\n{tail}"
    )
}

fn run(text: &str) -> ReplicationResult {
    let s = parse_str(text, "cal.toml").unwrap_or_else(|e| panic!("{e}"));
    simulate(&s.config, 0, None)
}

struct Arrivals(Vec<f64>);
impl TraceSink for Arrivals {
    fn record(&mut self, r: &TraceRecord) {
        self.0.push(r.arrival.as_secs_f64());
    }
}

fn arrival_times(text: &str) -> Vec<f64> {
    let s = parse_str(text, "cal.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut sink = Arrivals(Vec::new());
    simulate(&s.config, 0, Some(&mut sink));
    sink.0
}

/// A start on a Monday, and schedules written as tables with only a weekday, are today's
/// numbers to the bit.
#[test]
fn a_monday_start_and_weekday_only_tables_change_nothing() {
    let plain = run(&scenario("", "3", ""));
    let monday = run(&scenario("start = \"2025-09-01\"", "3", ""));
    let table = run(&scenario("", "{ weekday = 3 }", ""));
    let text = |r: &ReplicationResult| format!("{:?}", r.groups);
    assert_eq!(text(&plain), text(&monday));
    assert_eq!(text(&plain), text(&table));
}

/// The start date decides the day of the week of day 0: with Sunday's factor 0, a run that
/// starts on a Sunday has no arrival in its first day, and one that starts on a Monday has none
/// in its seventh.
#[test]
fn the_start_date_sets_the_day_of_the_week() {
    let sunday = arrival_times(&scenario("start = 2025-08-31", "3", ""));
    assert!(sunday.iter().all(|&t| t >= 24.0 * HOUR_S));
    assert!(sunday.iter().any(|&t| t < 25.0 * HOUR_S));
    let monday = arrival_times(&scenario("start = 2025-09-01", "3", ""));
    assert!(monday.iter().any(|&t| t < HOUR_S));
    assert!(
        !monday
            .iter()
            .any(|&t| (6.0 * 24.0 * HOUR_S..7.0 * 24.0 * HOUR_S).contains(&t))
    );
}

/// Booths by day type, and a holiday that follows Sunday's booths: the booth-hours delivered
/// are the schedule's. Demand is tiny, so a closing booth hardly ever finishes a vehicle after
/// its hour (that would add at most one inspection to the count).
#[test]
fn booth_schedules_follow_the_day_type_and_the_holidays() {
    // 2025-12-20 is a Saturday; 14 days: 2 Saturdays, 2 Sundays, 10 weekdays, one of which
    // (Wednesday 24 December) follows Sunday's booths.
    let booths = "{ weekday = 3, saturday = 2, sunday = 1 }";
    let holiday = "[[dates]]\ndate = \"2025-12-24\"\nbooths = \"sunday\"\ndemand = 0\n";
    let text =
        scenario("start = \"2025-12-20\"", booths, holiday).replace("rate = 120", "rate = 0.0001");
    let r = run(&text);
    let lane = r.group(GroupRef::Lane(0)).expect("lane");
    let want = (9.0 * 3.0 + 2.0 * 2.0 + 3.0 * 1.0) * 24.0 / 14.0;
    let got = lane.metric(Metric::BoothHoursPerDay);
    assert!(got >= want - 1e-9 && got - want < 0.01, "{got} vs {want}");
}

/// A special date's demand factor: 0 empties its day; 3 triples it (a Poisson count, checked
/// within 4 standard deviations: a false failure about once in 16,000 runs).
#[test]
fn special_dates_scale_their_day() {
    let none = "[[dates]]\ndate = \"2025-09-03\"\ndemand = 0\n";
    let t = arrival_times(&scenario("start = \"2025-09-01\"", "3", none));
    let day2 = 2.0 * 24.0 * HOUR_S..3.0 * 24.0 * HOUR_S;
    assert!(!t.iter().any(|x| day2.contains(x)));
    assert!(
        t.iter()
            .any(|x| (3.0 * 24.0 * HOUR_S..4.0 * 24.0 * HOUR_S).contains(x))
    );
    let triple = "[[dates]]\ndate = \"2025-09-03\"\ndemand = 3\n";
    let t = arrival_times(
        &scenario("start = \"2025-09-01\"", "20", triple)
            .replace("horizon = \"14d\"", "horizon = \"4d\""),
    );
    let n = t.iter().filter(|x| day2.contains(x)).count() as f64;
    let mu = 3.0 * 120.0 * 24.0;
    assert!(
        (n - mu).abs() < 4.0 * mu.sqrt(),
        "{n} arrivals, expected about {mu}"
    );
}

#[test]
fn calendar_problems_are_all_reported() {
    let text = scenario(
        "start = \"2025-02-30\"",
        "{ saturday = 2 }",
        "[[dates]]\ndate = \"2025-13-01\"\ndemand = -1\nbooths = \"holiday\"\n",
    )
    .replace("rate = 120", "per_hour = { weekday = [1, 2], sundays = 3 }");
    let err = parse_str(&text, "cal.toml")
        .expect_err("invalid")
        .to_string();
    for want in [
        "cal.toml:3:9: start: invalid date (got \"2025-02-30\", expected an existing date as YYYY-MM-DD)",
        "demand.per_hour.weekday: expected 24 values",
        "demand.per_hour.sundays: unknown key (expected one of: weekday, saturday, sunday); did you mean `sunday`?",
        "lanes[0].booths.weekday: missing required key",
        "cal.toml:16:8: dates[0].date: invalid date (got \"2025-13-01\"",
        "dates[0].demand: must not be negative (a factor on the day's demand), got -1",
        "dates[0].booths: unknown day type (got \"holiday\", expected weekday, saturday or sunday)",
    ] {
        assert!(err.contains(want), "expected {want:?} in:\n{err}");
    }
    let no_start = scenario("", "3", "[[dates]]\ndate = \"2025-12-24\"\n");
    let err = parse_str(&no_start, "cal.toml")
        .expect_err("invalid")
        .to_string();
    assert!(
        err.contains("dates: special dates need a `start` date"),
        "{err}"
    );
    let early = scenario(
        "start = 2025-09-01",
        "3",
        "[[dates]]\ndate = 2025-08-01\n[[dates]]\ndate = 2025-09-05\n[[dates]]\ndate = 2025-09-05\n",
    );
    let err = parse_str(&early, "cal.toml")
        .expect_err("invalid")
        .to_string();
    assert!(
        err.contains("dates[0].date: is before the start date 2025-09-01, got 2025-08-01"),
        "{err}"
    );
    assert!(
        err.contains("dates[2].date: date 2025-09-05 listed twice"),
        "{err}"
    );
}

/// A scratch folder for a scenario and its booth series, removed at the end.
struct Scratch(std::path::PathBuf);
impl Scratch {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("garita-series-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("temp dir");
        Scratch(d)
    }
    fn write(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A booth series replays each day's own booths (here 1 to 4 booths on successive days, 24
/// hours each, with one day's hours missing and filled from the nearest day): the booth-hours
/// delivered are the series', and the filled hours are reported as a warning.
#[test]
fn a_booth_series_gives_each_day_its_own_booths() {
    let dir = Scratch::new("replay");
    let mut csv = String::from("date,hour,booths\n");
    // 2025-09-01 .. 2025-09-04: 1, 2, (missing: nearest earlier day 2), 4 booths.
    for (d, n) in [(1, Some(1)), (2, Some(2)), (3, None), (4, Some(4))] {
        for h in 0..24 {
            match n {
                Some(n) => csv.push_str(&format!("2025-09-0{d},{h},{n}\n")),
                None => csv.push_str(&format!("2025-09-0{d},{h},\n")),
            }
        }
    }
    dir.write("booths.csv", &csv);
    let text = scenario("start = \"2025-09-01\"", "{ series = \"booths.csv\" }", "")
        .replace("horizon = \"14d\"", "horizon = \"4d\"")
        .replace("rate = 120", "rate = 0.0001");
    let path = dir.write("s.toml", &text);
    let s = super::load_file(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    let lane = &s.config.lanes[0];
    let days: Vec<u32> = lane
        .booths_by_date
        .as_ref()
        .expect("series")
        .iter()
        .map(|d| d[0])
        .collect();
    assert_eq!(
        days,
        vec![1, 2, 2, 4],
        "the gap takes the earlier of two nearest days"
    );
    assert_eq!(lane.max_booths, 4);
    assert_eq!(lane.booths, [2; 24], "the median day");
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].contains("lanes[0].booths.series:")
            && s.warnings[0].contains("24 of 96 hours had no value and were filled (24 from the same hour of the nearest day, 0 from the hour's median)"),
        "{}",
        s.warnings[0]
    );
    let r = simulate(&s.config, 0, None);
    let got = r
        .group(GroupRef::Lane(0))
        .expect("lane")
        .metric(Metric::BoothHoursPerDay);
    let want = (1.0 + 2.0 + 2.0 + 4.0) * 24.0 / 4.0;
    assert!(got >= want - 1e-9 && got - want < 0.01, "{got} vs {want}");
}

#[test]
fn booth_series_problems_name_the_file_and_line() {
    let dir = Scratch::new("errors");
    dir.write(
        "short.csv",
        "date,hour,booths\n2025-09-01,0,2\n2025-09-02,0,x\n",
    );
    dir.write(
        "ok.csv",
        "date,hour,booths\n2025-09-01,0,2\n2025-09-02,0,5\n",
    );
    let with = |head: &str, file: &str, extra: &str| {
        let text = scenario(head, &format!("{{ series = \"{file}\" }}"), "")
            .replace("horizon = \"14d\"", "horizon = \"2d\"")
            .replace("service = {", &format!("{extra}service = {{"));
        let path = dir.write("s.toml", &text);
        super::load_file(std::path::Path::new(&path))
            .expect_err("invalid")
            .to_string()
    };
    let err = with("start = \"2025-09-01\"", "short.csv", "");
    assert!(
        err.contains("short.csv:3:14: booths: not a booth count (got \"x\""),
        "{err}"
    );
    let err = with("", "ok.csv", "");
    assert!(
        err.contains("lanes[0].booths.series: a booth series needs `start`"),
        "{err}"
    );
    let err = with("start = \"2025-09-02\"", "ok.csv", "");
    assert!(
        err.contains(
            "ok.csv covers 2025-09-01 to 2025-09-02, but the run needs 2025-09-02 to 2025-09-03"
        ),
        "{err}"
    );
    let err = with("start = \"2025-09-01\"", "ok.csv", "max_booths = 3\n");
    assert!(
        err.contains("opens up to 5 booths, more than the lane's max_booths (3)"),
        "{err}"
    );
    let err = with("start = \"2025-09-01\"", "missing.csv", "");
    assert!(err.contains("cannot read the booth series"), "{err}");
}
