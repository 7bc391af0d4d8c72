#!/usr/bin/env python3
"""How close can any forecast of mean waits get to CBP's hourly readings? (docs/validation.md)

    tools/forecast_bound.py [ARCHIVE]     (default ../shared/data/cbp_bwt_hourly_2025/bwt_hourly_el_paso_san_ysidro.csv)

For each bundled lane series and each held-out month (2025-09-01..2026-01-18), the mean
absolute error of three forecasts of the readings (`delay_min`):
  naive       each hour of day as it was on average in 2025-03-28..2025-08-31 (garita validate's
              naive_mae_min);
  hindsight   each hour of day at the median of that same month's readings (known only
              afterwards);
  + day type  each (day type, hour of day) at the median of that same month's readings: weekday,
              Saturday, Sunday.
The last two are bounds, not forecasts: they know the held-out month's own readings, and the
median is, of all values constant over a cell, the one of least absolute error. So a forecast
that gives one value for each (month, day type, hour) (as a scenario's demand by day type,
booth tables by day type and month factors give, when the scenario is run to its mean) cannot
do better than `+ day type` against these readings, whatever its parameters: what is left is the
scatter of single days and hours about their cell.
Prints a markdown table: the range over the five months, and in how many months each is at
most 10 minutes. Standard library only.
"""
import collections
import csv
import datetime
import statistics
import sys

ARCHIVE = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/cbp_bwt_hourly_2025/bwt_hourly_el_paso_san_ysidro.csv"
SERIES = {
    (240201, "POV", "STANDARD"): "bota-pov general",
    (240201, "POV", "READY"): "bota-pov ready",
    (240202, "POV", "STANDARD"): "pdn-pov general",
    (240202, "POV", "READY"): "pdn-pov ready",
    (240202, "POV", "SENTRI"): "pdn-pov sentri",
    (240203, "POV", "STANDARD"): "ysleta-pov general",
    (240203, "POV", "READY"): "ysleta-pov ready",
    (240203, "POV", "SENTRI"): "ysleta-pov sentri",
    (240203, "COV", "STANDARD"): "ysleta-cov general",
    (240203, "COV", "FAST"): "ysleta-cov fast",
    (250401, "POV", "STANDARD"): "san-ysidro-pov general",
    (250401, "POV", "READY"): "san-ysidro-pov ready",
    (250401, "POV", "SENTRI"): "san-ysidro-pov sentri",
}
FIT = (datetime.date(2025, 3, 28), datetime.date(2025, 8, 31))
HELD = (datetime.date(2025, 9, 1), datetime.date(2026, 1, 18))


def day_type(d):
    return {5: "saturday", 6: "sunday"}.get(d.weekday(), "weekday")


def main():
    fit = collections.defaultdict(list)
    held = collections.defaultdict(list)
    with open(ARCHIVE, newline="") as f:
        for r in csv.DictReader(f):
            name = SERIES.get((int(r["port_number"]), r["mode"], r["lane"]))
            if name is None or r["delay_min"] == "":
                continue
            d = datetime.date.fromisoformat(r["date"])
            row = (d, int(r["hour"]), float(r["delay_min"]))
            if FIT[0] <= d <= FIT[1]:
                fit[name].append(row)
            elif HELD[0] <= d <= HELD[1]:
                held[name].append(row)
    print("| lane | naive | hindsight: month x hour | + day type | months at most 10 min (naive / hindsight / + day type) | readings |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in SERIES.values():
        base = collections.defaultdict(list)
        for _, h, v in fit[name]:
            base[h].append(v)
        naive = {h: statistics.fmean(v) for h, v in base.items()}
        keys = (
            lambda d, h: h,
            lambda d, h: (d.strftime("%Y-%m"), h),
            lambda d, h: (d.strftime("%Y-%m"), day_type(d), h),
        )
        cols = []
        for i, key in enumerate(keys):
            if i == 0:
                means = naive
            else:
                g = collections.defaultdict(list)
                for d, h, v in held[name]:
                    g[key(d, h)].append(v)
                # The median: of all values constant over a cell, the one of least absolute
                # error, so that the bound holds for any such forecast.
                means = {k: statistics.median(v) for k, v in g.items()}
            by_month = collections.defaultdict(list)
            for d, h, v in held[name]:
                k = key(d, h)
                if k in means:
                    by_month[d.strftime("%Y-%m")].append(abs(v - means[k]))
            cols.append([statistics.fmean(v) for _, v in sorted(by_month.items())])
        rng = " | ".join(f"{min(c):.1f}-{max(c):.1f}" for c in cols)
        ok = " / ".join(str(sum(x <= 10.0 for x in c)) for c in cols)
        print(f"| {name} | {rng} | {ok} of {len(cols[0])} | {len(held[name])} |")


if __name__ == "__main__":
    main()
