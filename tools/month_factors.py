#!/usr/bin/env python3
"""Monthly demand factors and the volume per day of a calibration period, from observed monthly
crossings, for `[demand] month_factors` and `garita calibrate --volume-per-day`.

    tools/month_factors.py CROSSING MODE [--from 2025-03-28] [--to 2025-08-31] [--data ../shared/data]

CROSSING: bota, pdn, ysleta (El Paso; CBP counts by bridge through 2025-12,
cbp_tx_crossings_monthly) or san-ysidro (BTS port 2504, bts_border_crossing_entry, through
2025-02). MODE: POV (passenger / personal vehicles) or COV (commercial trucks).

Prints two lines: `month_factors = [12 values, January first]` and `volume_per_day = V`.
Each month's factor is its mean trips per day over the mean trips per day of the period
--from..--to (days weighted), so the period's mean factor is 1 and the latent profile fitted
on that period keeps its level. Which year each month comes from (the runs cover
2025-03 to 2026-01, one of each month):
- El Paso: every month of 2025. June 2025 equals May 2025 at every crossing in the source (a
  duplicated page, see the data README), so June is taken as the mean of May and July
  (ASSUMPTION). January 2026 is not in the data: January takes 2025's (ASSUMPTION: the same
  January).
- San Ysidro: BTS ends 2025-02, so March-December take 2024's counts and January-February
  2025's (ASSUMPTION: 2025's seasonality and level as 2024's); the volume per day of a 2025
  period is 2024's for the same months.
"""
import argparse
import calendar
import csv
import datetime as dt
import sys

EL_PASO = {"bota": "Bridge of the Americas", "pdn": "Paso del Norte Bridge", "ysleta": "Ysleta Bridge"}
TX_MODE = {"POV": "Passenger Vehicles", "COV": "Commercial Trucks"}
BTS_MODE = {"POV": "Personal Vehicles", "COV": "Trucks"}


def el_paso(data, crossing, mode):
    vol = {}
    with open(f"{data}/cbp_tx_crossings_monthly/tx_el_paso_laredo_monthly_by_crossing.csv") as f:
        for r in csv.DictReader(f):
            if r["region"] == "El Paso" and r["crossing"] == EL_PASO[crossing] and r["mode"] == TX_MODE[mode]:
                vol[(int(r["year"]), int(r["month"]))] = float(r["northbound_crossings"])
    if (2025, 5) in vol and vol.get((2025, 6)) == vol[(2025, 5)] and (2025, 7) in vol:
        vol[(2025, 6)] = (vol[(2025, 5)] + vol[(2025, 7)]) / 2
    return {m: (2025, vol[(2025, m)]) for m in range(1, 13)}


def san_ysidro(data, mode):
    vol = {}
    with open(f"{data}/bts_border_crossing_entry/bts_us_mexico_monthly.csv") as f:
        for r in csv.DictReader(f):
            if r["port_code"] == "2504" and r["measure"] == BTS_MODE[mode]:
                y, m = map(int, r["year_month"].split("-"))
                vol[(y, m)] = float(r["value"])
    out = {}
    for m in range(1, 13):
        y = 2025 if m <= 2 else 2024
        out[m] = (y, vol[(y, m)])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("crossing", choices=["bota", "pdn", "ysleta", "san-ysidro"])
    ap.add_argument("mode", choices=["POV", "COV"])
    ap.add_argument("--from", dest="frm", default="2025-03-28")
    ap.add_argument("--to", default="2025-08-31")
    ap.add_argument("--data", default="../shared/data")
    a = ap.parse_args()
    months = san_ysidro(a.data, a.mode) if a.crossing == "san-ysidro" else el_paso(a.data, a.crossing, a.mode)
    per_day = {m: v / calendar.monthrange(y, m)[1] for m, (y, v) in months.items()}
    d, end = dt.date.fromisoformat(a.frm), dt.date.fromisoformat(a.to)
    days = []
    while d <= end:
        days.append(per_day[d.month])
        d += dt.timedelta(days=1)
    if not days:
        sys.exit("month_factors: --to is before --from")
    base = sum(days) / len(days)
    factors = [round(per_day[m] / base, 4) for m in range(1, 13)]
    print("month_factors = [" + ", ".join(f"{x:g}" for x in factors) + "]")
    print(f"volume_per_day = {round(base)}")


if __name__ == "__main__":
    main()
