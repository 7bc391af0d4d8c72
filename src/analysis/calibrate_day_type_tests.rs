//! Latent demand by day type (`per_hour = "fit-by-day-type"`): a synthetic port whose Saturday
//! and Sunday demand is well below its weekday demand, calibrated with one profile and with one
//! per day type.
use super::tests::synthetic_config;
use super::*;
use crate::analysis::observed::parse_archive;
use crate::port::Date;
use crate::port::test_support::test_seed;

/// Replications of the synthetic truth.
const TRUTH_REPS: u32 = 6;
/// Days of the calibration period (four weeks: four of each weekend day).
const DAYS: i64 = 28;
/// Weekday latent demand; Saturday takes 0.85 and Sunday 0.7 of it (each still queues at its
/// peak, so that its posted waits carry its demand).
const WEEKDAY: [f64; 24] = [
    60.0, 45.0, 40.0, 40.0, 60.0, 150.0, 330.0, 420.0, 470.0, 450.0, 420.0, 400.0, 400.0, 420.0,
    450.0, 480.0, 470.0, 430.0, 380.0, 320.0, 250.0, 180.0, 120.0, 80.0,
];
const FACTOR: [f64; 3] = [1.0, 0.85, 0.7];

/// Everything but the demand: known inspection times and tolerance, the same booths every day.
fn fixed_part() -> String {
    "[[classes]]\nid = \"general\"\nshare = 0.3\nlanes = [\"general\"]\n\
     [[classes]]\nid = \"ready\"\nshare = 0.7\nlanes = [\"ready\", \"general\"]\n\
     [[lanes]]\nid = \"general\"\nkind = \"general\"\n\
     booths = [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1]\n\
     service = { dist = \"lognormal\", mean = \"60s\", sd = \"36s\" }\n\
     [[lanes]]\nid = \"ready\"\nkind = \"ready\"\n\
     booths = [1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1]\n\
     service = { dist = \"lognormal\", mean = \"45s\", sd = \"27s\" }\n\
     [response]\nposted_update = \"15m\"\nshift = 0.0\n\
     tolerance = { dist = \"lognormal\", mean = \"90m\", sd = \"60m\" }\n"
        .to_string()
}

fn profile(f: f64) -> String {
    let v: Vec<String> = WEEKDAY.iter().map(|x| format!("{:.1}", x * f)).collect();
    format!("[{}]", v.join(", "))
}

/// Posted wait (min) by lane, day-type cell and hour of `cfg`'s replications `reps`, over the
/// days from `WARMUP_DAYS` on: `[lane][cell][hour]`.
fn posted_by_day_type(cfg: &PortConfig, start: Date, reps: &[u32]) -> Vec<Vec<[f64; 24]>> {
    let mut sum = vec![vec![[(0.0, 0usize); 24]; 3]; cfg.lanes.len()];
    for &r in reps {
        let (_, p) = crate::port::simulate_posted(cfg, r, SimTime::from_secs_f64(900.0));
        for (l, days) in p.values.iter().enumerate() {
            for (d, day) in days.iter().enumerate().skip(WARMUP_DAYS as usize) {
                let t = DayType::of_weekday(start.plus_days(d as i64).weekday());
                let c = DayType::ALL
                    .iter()
                    .position(|x| *x == t)
                    .expect("a day type");
                for (h, v) in day.iter().enumerate() {
                    if let Some(v) = v {
                        sum[l][c][h].0 += v / 60.0;
                        sum[l][c][h].1 += 1;
                    }
                }
            }
        }
    }
    sum.iter()
        .map(|lane| {
            lane.iter()
                .map(|c| std::array::from_fn(|h| c[h].0 / c[h].1.max(1) as f64))
                .collect()
        })
        .collect()
}

/// The truth (the fixed part with weekday, Saturday and Sunday demand), its mean posted waits
/// by lane, day type and hour, and its trips made per day.
fn truth_obs(from: Date) -> (PortConfig, Vec<Vec<[f64; 24]>>, f64) {
    let start = from.plus_days(-WARMUP_DAYS);
    let text = format!(
        "name = \"truth\"\nseed = {}\nstart = \"{start}\"\nhorizon = \"{}d\"\n\
         warmup = \"{WARMUP_DAYS}d\"\nreplications = {TRUTH_REPS}\n\
         [demand.per_hour]\nweekday = {}\nsaturday = {}\nsunday = {}\n{}",
        test_seed(5) & (i64::MAX as u64),
        DAYS + WARMUP_DAYS,
        profile(FACTOR[0]),
        profile(FACTOR[1]),
        profile(FACTOR[2]),
        fixed_part()
    );
    let cfg = scenario::parse_str(&text, "truth.toml")
        .expect("the synthetic truth is valid")
        .config;
    let reps: Vec<u32> = (0..TRUTH_REPS).collect();
    let obs = posted_by_day_type(&cfg, start, &reps);
    let volume = run_replications(std::slice::from_ref(&cfg), 0, None)
        .expect("runs")
        .remove(0)
        .iter()
        .filter_map(|r| r.group(GroupRef::All))
        .map(|g| g.metric(Metric::ArrivalsPerDay))
        .sum::<f64>()
        / f64::from(TRUTH_REPS);
    (cfg, obs, volume)
}

/// The archive of `obs`: one reading per lane, day and hour from `first_day` (days before
/// `from`, the warm-up, carry lanes open only, with a zero wait that is not compared) to the
/// end of the period, the wait the mean of that day's type; lanes open are `cfg`'s booths of
/// the day type plus `extra(lane, day, hour)`.
fn archive(
    cfg: &PortConfig,
    from: Date,
    first_day: i64,
    obs: &[Vec<[f64; 24]>],
    extra: impl Fn(usize, i64, usize) -> u32,
) -> Vec<Reading> {
    let mut csv = String::from("port_number,mode,lane,date,hour,tz,delay_min,lanes_open\n");
    for d in first_day..DAYS {
        let date = from.plus_days(d);
        let t = DayType::of_weekday(date.weekday());
        let c = DayType::ALL
            .iter()
            .position(|x| *x == t)
            .expect("a day type");
        for (l, name) in ["STANDARD", "READY"].iter().enumerate() {
            let booths = cfg.lanes[l].booths_on(t);
            for h in 0..24 {
                let open = booths[h] + extra(l, d, h);
                if d >= 0 {
                    csv.push_str(&format!(
                        "999901,POV,{name},{date},{h},MST,{:.4},{open}\n",
                        obs[l][c][h]
                    ));
                } else {
                    csv.push_str(&format!("999901,POV,{name},{date},{h},MST,0,{open}\n"));
                }
            }
        }
    }
    parse_archive(&csv, "synthetic.csv").expect("valid archive")
}

/// The truth's archive over the period, with its fixed booths as lanes open; the truth's mean
/// posted waits by lane, day type and hour; its trips made per day.
fn truth_archive(from: Date) -> (Vec<Reading>, Vec<Vec<[f64; 24]>>, f64) {
    let (cfg, obs, volume) = truth_obs(from);
    (archive(&cfg, from, 0, &obs, |_, _, _| 0), obs, volume)
}

fn calibrate_with(per_hour: &str, readings: &[Reading], from: Date, volume: f64) -> Calibration {
    calibrate_booths(per_hour, readings, from, volume, 24, BoothsOut::Series)
}

fn calibrate_booths(
    per_hour: &str,
    readings: &[Reading],
    from: Date,
    volume: f64,
    budget: usize,
    booths: BoothsOut,
) -> Calibration {
    let skeleton = format!(
        "name = \"synthetic\"\n[demand]\n{per_hour}\n{}",
        fixed_part()
    )
    // The skeleton leaves the booths to the replay.
    .lines()
    .filter(|l| !l.starts_with("booths ="))
    .collect::<Vec<_>>()
    .join("\n");
    calibrate(
        &CalibrateConfig {
            fit: vec!["demand.per_hour".into()],
            budget,
            booths,
            ..synthetic_config(
                skeleton,
                readings.to_vec(),
                from,
                from.plus_days(DAYS - 1),
                volume,
            )
        },
        &|_| {},
    )
    .expect("calibrates")
}

/// With `per_hour = "fit-by-day-type"` the fitted latent demand follows the truth's order of
/// day types (weekday above Saturday above Sunday; the truth's ratios are 1, 0.85 and 0.7, far
/// apart for a fluid step that moves each cell by its own wait error), and the calibrated
/// scenario's posted waits by day type and hour are closer to the truth's than those of one
/// profile for every day, measured on the same replications (common random numbers). With one
/// profile the skeleton's demand is written as one array, as before.
#[test]
fn demand_by_day_type_follows_the_day_types_and_fits_them_better() {
    let from = Date::parse("2025-03-03").expect("valid");
    let start = from.plus_days(-WARMUP_DAYS);
    let (readings, obs, volume) = truth_archive(from);
    let by_type = calibrate_with(
        &format!("per_hour = \"{FIT_BY_DAY_TYPE}\""),
        &readings,
        from,
        volume,
    );
    let pooled = calibrate_with("", &readings, from, volume);
    assert!(
        by_type.fitted[0] == "demand.per_hour (by day type)",
        "{:?}",
        by_type.fitted
    );
    assert!(pooled.fitted[0] == "demand.per_hour", "{:?}", pooled.fitted);
    let totals: Vec<f64> = DayType::ALL
        .iter()
        .map(|t| by_type.config.demand.per_hour_on(*t).iter().sum())
        .collect();
    assert!(
        totals[0] > totals[1] && totals[1] > totals[2],
        "latent trips a day by day type (weekday, Saturday, Sunday): {totals:?}"
    );
    let pooled_days = pooled.config.demand.per_hour_on(DayType::Weekday);
    assert!(
        DayType::ALL
            .iter()
            .all(|t| pooled.config.demand.per_hour_on(*t) == pooled_days),
        "one profile for every day"
    );
    let reps = [0, 1];
    let err = |c: &Calibration| -> f64 {
        let sim = posted_by_day_type(&c.config, start, &reps);
        let mut sq = 0.0;
        for (s, o) in sim.iter().zip(&obs) {
            for (sc, oc) in s.iter().zip(o) {
                for h in 0..24 {
                    sq += (sc[h] - oc[h]).powi(2);
                }
            }
        }
        (sq / (2.0 * 3.0 * 24.0)).sqrt()
    };
    let (e_type, e_pooled) = (err(&by_type), err(&pooled));
    assert!(
        e_type < e_pooled,
        "RMSE by day type and hour: {e_type:.2} min by day type, {e_pooled:.2} min with one profile"
    );
}

/// The truth's archive with the general lanes open at night (00-04h) raised from 1 to 2 on
/// every third day: the replayed series then differs from its median by day type (1), as CBP's
/// does at night.
fn archive_with_night_varying_booths(from: Date) -> (Vec<Reading>, f64) {
    let (cfg, obs, volume) = truth_obs(from);
    let night = |l: usize, d: i64, h: usize| u32::from(l == 0 && h < 5 && d.rem_euclid(3) == 0);
    (archive(&cfg, from, -WARMUP_DAYS, &obs, night), volume)
}

/// With `BoothsOut::Tables` every simulation of the fit runs the day-type booth tables that the
/// written scenario runs: the final run (the source of `fit.csv`) is, replication for
/// replication, the run of the written file, and its configuration is the file's. With
/// `BoothsOut::Series` (the replay) the same file's run differs from the fit's: the gap that
/// `Tables` closes (the series has two general lanes at night on every third day, the tables
/// the median, one).
#[test]
fn booth_tables_are_what_the_fit_runs() {
    let from = Date::parse("2025-03-03").expect("valid");
    let (readings, volume) = archive_with_night_varying_booths(from);
    let per_hour = format!("per_hour = \"{FIT_BY_DAY_TYPE}\"");
    let file_run = |c: &Calibration| {
        let (_, text) = c.with_booth_tables().expect("written");
        let cfg = scenario::parse_str(&text, "calibrated.toml")
            .expect("the written scenario is valid")
            .config;
        let run = run_replications(std::slice::from_ref(&cfg), 0, None)
            .expect("runs")
            .remove(0);
        (cfg, run)
    };
    let tables = calibrate_booths(&per_hour, &readings, from, volume, 8, BoothsOut::Tables);
    assert!(
        tables
            .config
            .lanes
            .iter()
            .all(|l| l.booths_by_date.is_none()),
        "the fit ran the replayed series instead of the tables"
    );
    let (cfg, run) = file_run(&tables);
    assert!(
        cfg == tables.config,
        "the fit's scenario is not the written one"
    );
    // Compared as text: a closed hour's metrics are NaN, which `==` never equals.
    let same =
        |a: &[ReplicationResult], b: &[ReplicationResult]| format!("{a:?}") == format!("{b:?}");
    assert!(
        same(&run, &tables.final_run),
        "the written scenario's run differs from the fit's final run"
    );
    let series = calibrate_booths(&per_hour, &readings, from, volume, 8, BoothsOut::Series);
    assert!(series.config.lanes[0].booths_by_date.is_some());
    let (cfg, run) = file_run(&series);
    assert!(cfg != series.config && !same(&run, &series.final_run));
}
