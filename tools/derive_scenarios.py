#!/usr/bin/env python3
"""Derive the numbers of the earlier, fixed-demand versions of the bundled port scenarios from public data.

The bundled port files are no longer made from these numbers: `garita calibrate` fits them
(tools/calibrate_bundled.sh --write; the monthly volumes it needs come from
tools/month_factors.py). This script remains because tools/derive_reacting.py (`--compare`, the
in-sample measure of tools/calibrate_bundled.sh) and tools/derive_region.py read the data
through it, and for the record of the derivation in docs/scenario-data.md, sections 1-9.

Standard library only. Reads the public data set that sits next to the repository
(``<repo>/../shared/data``; override with ``--data DIR``) and prints every derived
number that goes into the scenario files, plus the capacity arithmetic reported in
docs/scenario-data.md.

    python3 tools/derive_scenarios.py                       # print the derivation
    python3 tools/derive_scenarios.py --write DIR           # write the fixed-demand base versions
                                                            # into DIR, for reference (the bundled
                                                            # scenarios/*.toml are written by
                                                            # garita calibrate:
                                                            # tools/calibrate_bundled.sh --write)
    python3 tools/derive_scenarios.py --compare output      # compare `garita run` output
                                                            # (output/<scenario>/) with CBP waits

Method in short (docs/scenario-data.md has the full explanation):

* Daily volume: CBP bridge-level monthly counts (El Paso, calendar 2025 without June,
  whose figures duplicate May) or BTS port counts (San Ysidro, calendar 2024).
* Booths by hour of day: median number of lanes CBP reported open at each local hour
  (CBP Border Wait Times hourly archive, 2025-03-28 .. 2026-01-18). Hours with fewer than
  MIN_READINGS readings count as closed.
* Hourly arrivals (ASSUMPTION): a deterministic fluid-queue inversion of the observed
  hourly mean posted waits on the lanes that queue all day (general + Ready, standard +
  FAST).  While a lane has a queue it works at capacity, so arrivals(h) = capacity(h) +
  queue(h+1) - queue(h), with queue(h) = posted wait(h) x capacity(h).  These add up to
  exactly the daily capacity; a slack of (1 - rho) x capacity is taken out of the night
  hours just before the smallest observed queue, so that the simulated queue can empty.
* Service times: the general-lane mean is solved so that the daily volume equals rho x the
  daily capacity of the simulated booths; the other lanes follow fixed ratios.  SENTRI is a
  fixed share of every hour; what the SENTRI booths cannot take is counted as joining the
  Ready lanes.
"""

import argparse
import calendar
import datetime
import csv
import math
import os
import sys

MIN_READINGS = 30  # an hour with fewer valid readings for a lane counts as closed

# ---------------------------------------------------------------------------
# Scenario definitions: data filters, published figures and calibration knobs.
# ---------------------------------------------------------------------------

LANE_DISPLAY = {
    "general": {"en": "General lanes", "es": "Carriles generales"},
    "ready": {"en": "Ready Lane", "es": "Carril Ready"},
    "sentri": {"en": "SENTRI lanes", "es": "Carriles SENTRI"},
    "fast": {"en": "FAST lanes", "es": "Carriles FAST"},
    "general-truck": {"en": "Standard commercial lanes", "es": "Carriles comerciales estándar"},
}
CLASS_DISPLAY = {
    "general": {"en": "General", "es": "General"},
    "ready": {"en": "Ready Lane travellers", "es": "Usuarios de Ready Lane"},
    "sentri": {"en": "SENTRI members", "es": "Miembros de SENTRI"},
    "standard-truck": {"en": "Standard trucks", "es": "Camiones estándar"},
    "fast-truck": {"en": "FAST trucks", "es": "Camiones FAST"},
}

# CBP lane label in the wait-time feed for each scenario lane id
FEED_LANE = {"general": "STANDARD", "ready": "READY", "sentri": "SENTRI", "fast": "FAST"}

# Calibration knobs (docs/validation.md):
#   rho          daily demand / daily capacity of the queued lanes (general, Ready, FAST)
#   slack_window number of night hours from which the (1 - rho) slack is taken
#   gen_load     multiplier on the general-only class share (1.0 = the smallest hourly share
#                of the general lanes in the general + Ready/FAST capacity)
COMMON = {"rho": 0.98, "slack_window": 2, "gen_load": 1.0, "cv": 0.6}

SCENARIOS = [
    dict(COMMON, **{
        "name": "bota-pov",
        "title": "El Paso Bridge of the Americas (BOTA), northbound passenger vehicles",
        "title_es": "Puente de las Américas (BOTA), El Paso: vehículos de pasajeros hacia el norte",
        "port": "240201", "mode": "POV",
        "volume": ("tx", "Bridge of the Americas", "Passenger Vehicles"),
        "lanes": ["general", "ready"],
        "ratio": {"general": 1.0, "ready": 0.8},   # service-time ratio to general (ASSUMPTION)
        "classes": [
            ("general", ["general"]),
            ("ready", ["ready", "general"]),
        ],
    }),
    dict(COMMON, **{
        "name": "san-ysidro-pov",
        "title": "San Ysidro, northbound passenger vehicles",
        "title_es": "San Ysidro: vehículos de pasajeros hacia el norte",
        "port": "250401", "mode": "POV",
        "volume": ("bts", "2504", "Personal Vehicles"),
        "lanes": ["general", "ready", "sentri"],
        "ratio": {"general": 1.0, "ready": 0.8},
        # CBP (2011, Ready Lane announcement for San Ysidro): "approximately 30 percent of the
        # traffic ... already uses a dedicated SENTRI lane".
        "sentri_share": 0.30,
        # ASSUMPTION: SENTRI lanes saturated by day (posted 15-19 min with 10-12 lanes open):
        # SENTRI demand = 1.03 x SENTRI capacity over the hours with >= 3/4 of the peak booths
        "sentri_day_rho": 1.03,
        "classes": [
            ("general", ["general"]),
            ("ready", ["ready", "general"]),
            ("sentri", ["sentri", "ready", "general"]),
        ],
    }),
    dict(COMMON, **{
        "name": "pdn-pov",
        "title": "El Paso Paso del Norte (PDN), northbound passenger vehicles",
        "title_es": "Puente Paso del Norte (PDN), El Paso: vehículos de pasajeros hacia el norte",
        "port": "240202", "mode": "POV",
        "volume": ("tx", "Paso del Norte Bridge", "Passenger Vehicles"),
        "lanes": ["general", "ready", "sentri"],
        "ratio": {"general": 1.0, "ready": 0.8},
        "classes": [
            ("general", ["general"]),
            ("ready", ["ready", "general"]),
            ("sentri", ["sentri", "ready", "general"]),
        ],
    }),
    dict(COMMON, **{
        "name": "ysleta-pov",
        "title": "El Paso Ysleta-Zaragoza, northbound passenger vehicles",
        "title_es": "Puente Ysleta-Zaragoza, El Paso: vehículos de pasajeros hacia el norte",
        "port": "240203", "mode": "POV",
        "volume": ("tx", "Ysleta Bridge", "Passenger Vehicles"),
        "lanes": ["general", "ready", "sentri"],
        "ratio": {"general": 1.0, "ready": 0.8},
        "classes": [
            ("general", ["general"]),
            ("ready", ["ready", "general"]),
            ("sentri", ["sentri", "ready", "general"]),
        ],
    }),
    dict(COMMON, **{
        "name": "ysleta-cov",
        "title": "El Paso Ysleta-Zaragoza, northbound commercial trucks",
        "title_es": "Puente Ysleta-Zaragoza, El Paso: camiones comerciales hacia el norte",
        "port": "240203", "mode": "COV",
        "volume": ("tx", "Ysleta Bridge", "Commercial Trucks"),
        "lanes": ["general", "fast"],
        "ratio": {"general": 1.0, "fast": 0.7},
        "cv": 0.8,
        "trucks": True,
        "classes": [
            ("standard-truck", ["general"]),
            ("fast-truck", ["fast", "general"]),
        ],
    }),
]

# SENTRI effective service time for the non-saturated SENTRI lanes (PDN, Ysleta) is taken
# from the SENTRI-only Good Neighbor (Stanton Street) bridge, see stanton_sentri().
STANTON = {"port": "240204", "crossing": "Good Neighbor Bridge"}
# ASSUMPTION: El Paso-wide SENTRI share of northbound passenger vehicles, by analogy with the
# one published figure (San Ysidro, about 30 percent; CBP 2011).
EL_PASO_SENTRI_SHARE = 0.30


# ---------------------------------------------------------------------------
# Data loading
# ---------------------------------------------------------------------------

def data_dir(arg):
    if arg:
        return arg
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(os.path.dirname(repo), "shared", "data")


def load_tx(d):
    path = os.path.join(d, "cbp_tx_crossings_monthly", "tx_el_paso_laredo_monthly_by_crossing.csv")
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            key = (r["crossing"], r["mode"], int(r["year"]), int(r["month"]))
            out[key] = int(float(r["northbound_crossings"]))
    return out


def load_bts(d):
    path = os.path.join(d, "bts_border_crossing_entry", "bts_us_mexico_monthly.csv")
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            y, m = r["year_month"].split("-")
            out[(r["port_code"], r["measure"], int(y), int(m))] = int(r["value"])
    return out


def load_summary(d):
    path = os.path.join(d, "cbp_bwt_hourly_2025", "summary_by_hour_target_crossings.csv")
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            out[(r["port_number"], r["mode"], r["lane"], int(r["hour"]))] = r
    return out


def load_hourly(d):
    path = os.path.join(d, "cbp_bwt_hourly_2025", "bwt_hourly_el_paso_san_ysidro.csv")
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def tx_daily(tx, crossing, mode, year, skip_months=()):
    months = [m for m in range(1, 13) if m not in skip_months]
    total = sum(tx[(crossing, mode, year, m)] for m in months)
    days = sum(calendar.monthrange(year, m)[1] for m in months)
    return total, days, total / days


def bts_daily(bts, port, measure, year):
    months = [m for m in range(1, 13) if (port, measure, year, m) in bts]
    total = sum(bts[(port, measure, year, m)] for m in months)
    days = sum(calendar.monthrange(year, m)[1] for m in months)
    return total, days, total / days, len(months)


def lanes_by_hour(summ, port, mode, lane):
    out = []
    for h in range(24):
        r = summ.get((port, mode, lane, h))
        if r is None or int(r["n"]) < MIN_READINGS:
            out.append(0)
        else:
            out.append(int(math.floor(float(r["median_lanes_open"]) + 0.5)))
    return out


def waits_by_hour(summ, port, mode, lane, stat="mean_wait_min"):
    out = []
    for h in range(24):
        r = summ.get((port, mode, lane, h))
        if r is None or int(r["n"]) < MIN_READINGS:
            out.append(0.0)
        else:
            out.append(float(r[stat]))
    return out


def percentile(values, p):
    v = sorted(values)
    if not v:
        return 0
    k = (len(v) - 1) * p
    lo = int(math.floor(k))
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def erlang_c(c, a):
    if c <= 0:
        return 1.0
    if a >= c:
        return 1.0
    s, term = 0.0, 1.0
    for k in range(c):
        if k > 0:
            term *= a / k
        s += term
    term *= a / c
    top = term * c / (c - a)
    return top / (s + top)


def mgc_wait_s(lam_h, c, s_sec, cv):
    """Stationary M/G/c mean wait (Allen-Cunneen approximation), seconds."""
    if lam_h <= 0:
        return 0.0
    a = lam_h * s_sec / 3600.0
    if c <= 0 or a >= c:
        return float("inf")
    return erlang_c(c, a) * s_sec / (c - a) * (1 + cv * cv) / 2


def fluid_inversion(booths, waits, rel_svc):
    """Arrival shape from observed waits (unit service scale).

    booths[l][h], waits[l][h] (min), rel_svc[l]: service time relative to the
    general lane (general = 1 time unit of 1 h / 1 vehicle, i.e. capacity = booths/rel).
    Returns capacity C[h], queue Q[h] (vehicles at hour start) and inverted arrivals A[h],
    all in units of 'general-booth-hours'.
    """
    C = [sum(booths[l][h] / rel_svc[l] for l in booths) for h in range(24)]
    Q = [sum(waits[l][h] / 60.0 * booths[l][h] / rel_svc[l] for l in booths) for h in range(24)]
    A = [C[h] + Q[(h + 1) % 24] - Q[h] for h in range(24)]
    return C, Q, A


def remove_slack(C, Q, A, rho, window=8):
    """Take (1-rho)*sum(C) out of the night drain.

    The slack is spread, in proportion to capacity, over the `window` hours that end at
    the hour with the smallest observed queue (in vehicles), skipping hours without
    capacity.  In the simulation the queue can then empty overnight.
    """
    slack = (1.0 - rho) * sum(C)
    hmin = min(range(24), key=lambda h: (Q[h] if C[h] > 0 else float("inf")))
    hours = [(hmin - k) % 24 for k in range(1, window + 1)]
    hours = [h for h in hours if C[h] > 0 and A[h] > 0]
    wsum = sum(C[h] for h in hours)
    out = list(A)
    for h in hours:
        out[h] -= slack * C[h] / wsum
    return [max(0.0, x) for x in out], sorted(hours)


def fluid_forward(A, C, days=6):
    """Deterministic fluid queue, hourly steps; returns wait (min) at each hour start."""
    q = 0.0
    wait = [0.0] * 24
    for _ in range(days):
        for h in range(24):
            cap_next = C[h] if C[h] > 0 else C[(h + 1) % 24]
            wait[h] = 60.0 * q / cap_next if cap_next > 0 else 0.0
            q = max(0.0, q + A[h] - C[h])
    return wait


def round_shares(raw, ndigits=3):
    """Round shares so that they sum to exactly 1.0 in binary floating point."""
    names = list(raw)
    vals = [round(raw[n], ndigits) for n in names[:-1]]
    last = round(1.0 - sum(vals), ndigits)
    vals.append(last)
    if sum(vals) != 1.0:
        # nudge the largest share until the float sum is exact
        i = max(range(len(vals)), key=lambda k: vals[k])
        for step in (10 ** -ndigits, -(10 ** -ndigits)):
            trial = list(vals)
            trial[i] = round(trial[i] + step, ndigits)
            trial[-1] = round(1.0 - sum(trial[:-1]), ndigits)
            if sum(trial) == 1.0:
                vals = trial
                break
    return dict(zip(names, vals))


# ---------------------------------------------------------------------------
# Derivation
# ---------------------------------------------------------------------------

def stanton_sentri(tx, summ, out):
    """Effective SENTRI booth cycle at the SENTRI-only Good Neighbor bridge."""
    total, days, daily = tx_daily(tx, STANTON["crossing"], "Passenger Vehicles", 2025, (6,))
    b = lanes_by_hour(summ, STANTON["port"], "POV", "SENTRI")
    w = waits_by_hour(summ, STANTON["port"], "POV", "SENTRI")
    lh = sum(b)
    lam = [daily * x / lh for x in b]  # demand proportional to lanes open (ASSUMPTION)
    obs = sum(l * ww for l, ww in zip(lam, w)) / daily
    best = None
    for i in range(700, 1000):
        rho = i / 1000.0
        s = rho * 3600.0 * lh / daily
        sim = sum(l * mgc_wait_s(l, c, s, 0.6) for l, c in zip(lam, b)) / daily / 60.0
        if best is None or abs(sim - obs) < abs(best[2] - obs):
            best = (rho, s, sim)
    out.append("Good Neighbor (Stanton) SENTRI-only bridge, 2025 w/o June: %d vehicles / %d days"
               " = %.0f per day" % (total, days, daily))
    out.append("  SENTRI lanes open by hour (median): %s  -> %d lane-hours/day, %.1f vehicles per"
               " open lane-hour" % (b, lh, daily / lh))
    out.append("  demand-weighted mean posted wait %.2f min; M/G/c (cv 0.6) reproduces it at"
               " rho=%.3f, i.e. an effective SENTRI booth cycle of %.1f s" % (obs, best[0], best[1]))
    return best[1]


def el_paso_sentri(tx, summ, out):
    """SENTRI vehicles a day at PDN and Ysleta (ASSUMPTION, see docs/scenario-data.md).

    The only published SENTRI share is San Ysidro's (about 30 percent of traffic, CBP 2011).
    Applied to all El Paso passenger vehicles, minus the SENTRI-only Good Neighbor bridge,
    the remainder is split between PDN and Ysleta in proportion to their SENTRI lane-hours.
    """
    daily = {}
    for c in ("Bridge of the Americas", "Paso del Norte Bridge", "Ysleta Bridge", "Good Neighbor Bridge"):
        daily[c] = tx_daily(tx, c, "Passenger Vehicles", 2025, (6,))[2]
    total = sum(daily.values())
    rest = EL_PASO_SENTRI_SHARE * total - daily["Good Neighbor Bridge"]
    lh = {"240202": sum(lanes_by_hour(summ, "240202", "POV", "SENTRI")),
          "240203": sum(lanes_by_hour(summ, "240203", "POV", "SENTRI"))}
    res = {p: rest * lh[p] / sum(lh.values()) for p in lh}
    out.append("El Paso passenger vehicles a day (2025 w/o June): %s, total %.0f" %
               ({k: round(v) for k, v in daily.items()}, total))
    out.append("  ASSUMPTION SENTRI share %.2f of all -> %.0f; minus Good Neighbor %.0f = %.0f for PDN+Ysleta,"
               " split by SENTRI lane-hours %s -> %s" % (EL_PASO_SENTRI_SHARE, EL_PASO_SENTRI_SHARE * total,
                                                        daily["Good Neighbor Bridge"], rest, lh,
                                                        {k: round(v) for k, v in res.items()}))
    return res


def derive(sc, tx, bts, summ, hourly, s_sentri_stanton, ep_sentri):
    out = []
    res = {"sc": sc}
    port, mode = sc["port"], sc["mode"]
    trucks = bool(sc.get("trucks"))
    # ---- daily volume
    src = sc["volume"]
    if src[0] == "tx":
        total, days, daily = tx_daily(tx, src[1], src[2], 2025, (6,))
        t24, d24, daily24 = tx_daily(tx, src[1], src[2], 2024)
        may, jun = tx[(src[1], src[2], 2025, 5)], tx[(src[1], src[2], 2025, 6)]
        out.append("volume: cbp_tx_crossings_monthly, crossing=%r, mode=%r, 2025 without June"
                   " (June %d == May %d): %d / %d days = %.1f per day  [2024: %d / %d = %.1f]"
                   % (src[1], src[2], jun, may, total, days, daily, t24, d24, daily24))
        res["volume_src"] = ("cbp_tx_crossings_monthly/tx_el_paso_laredo_monthly_by_crossing.csv,"
                             " crossing = \"%s\", mode = \"%s\", year 2025 without June (a copy of May):"
                             " %d / %d days = %.0f a day (2024: %.0f a day)"
                             % (src[1], src[2], total, days, daily, daily24))
    else:
        total, days, daily, nm = bts_daily(bts, src[1], src[2], 2024)
        t23, d23, daily23, _ = bts_daily(bts, src[1], src[2], 2023)
        jf24 = bts[(src[1], src[2], 2024, 1)] + bts[(src[1], src[2], 2024, 2)]
        jf25 = bts[(src[1], src[2], 2025, 1)] + bts[(src[1], src[2], 2025, 2)]
        out.append("volume: BTS port %s %r, calendar 2024: %d / %d days = %.1f per day"
                   "  [2023: %.1f; Jan+Feb 2025 vs 2024: %d vs %d = %+.1f%%]"
                   % (src[1], src[2], total, days, daily, daily23, jf25, jf24, 100.0 * (jf25 / jf24 - 1)))
        res["volume_src"] = ("bts_border_crossing_entry/bts_us_mexico_monthly.csv, port_code = %s,"
                             " measure = \"%s\", calendar 2024 (latest full year): %d / %d days = %.0f a day"
                             " (2023: %.0f a day)" % (src[1], src[2], total, days, daily, daily23))
    res["daily"] = daily

    # ---- lanes
    lanes = sc["lanes"]
    booths = {l: lanes_by_hour(summ, port, mode, FEED_LANE[l]) for l in lanes}
    waits = {l: waits_by_hour(summ, port, mode, FEED_LANE[l]) for l in lanes}
    p95 = {l: waits_by_hour(summ, port, mode, FEED_LANE[l], "p95_wait_min") for l in lanes}
    res["obs_wait"], res["obs_p95"] = waits, p95
    closed = [h for h in range(24) if all(booths[l][h] == 0 for l in lanes)]
    if trucks:
        # ASSUMPTION: trucks already in line at midnight are cleared: the 23h booths stay
        # open through hours 0 and 1 (no new arrivals then), so that (nearly) nobody waits
        # through the night closure.
        for l in lanes:
            booths[l][0] = booths[l][1] = booths[l][23]
        closed = sorted(set(closed) | {0, 1})   # no arrivals in these hours
    res["booths"], res["closed_hours"] = booths, closed
    out.append("booths (median lanes open, hours with < %d readings = 0):" % MIN_READINGS)
    for l in lanes:
        out.append("  %-8s %s  lane-hours/day %d" % (l, booths[l], sum(booths[l])))

    # ---- max booths: 99th percentile of reported lanes open over the archive
    maxb = {}
    for l in lanes:
        vals = [int(r["lanes_open"]) for r in hourly
                if r["port_number"] == port and r["mode"] == mode and r["lane"] == FEED_LANE[l]]
        p99 = int(math.ceil(percentile(vals, 0.99)))
        maxb[l] = max(p99, max(booths[l]))
        out.append("  %-8s lanes open p10/p50/p90/p99/max = %d/%d/%d/%d/%d -> max_booths %d"
                   % (l, percentile(vals, .1), percentile(vals, .5), percentile(vals, .9), p99, max(vals), maxb[l]))
    res["max_booths"] = maxb

    rho = sc["rho"]
    rel = dict(sc["ratio"])
    gr = [l for l in lanes if l != "sentri"]   # lanes with a standing queue all day

    # ---- weekday factors (trucks: Ysleta cargo runs Monday-Friday and Saturday mornings)
    if trucks:

        cnt = {k: 0 for k in range(1, 8)}
        for r in hourly:
            if r["port_number"] == port and r["mode"] == mode and r["lane"] == "STANDARD":
                cnt[datetime.date.fromisoformat(r["date"]).isoweekday()] += 1
        res["weekday_readings"] = cnt
        res["sat_frac_readings"] = cnt[6] / (sum(cnt[k] for k in range(1, 6)) / 5.0)

    # ---- SENTRI share
    share_s = 0.0
    if "sentri" in lanes:
        share_s = sc["sentri_share"] if "sentri_share" in sc else ep_sentri[port] / daily
    res["share_sentri"] = share_s

    # ---- fluid inversion on the queued lanes (units: general-booth-hours)
    C, Q, X = fluid_inversion({l: booths[l] for l in gr}, {l: waits[l] for l in gr}, rel)
    X2, slack_hours = remove_slack(C, Q, X, rho, sc.get("slack_window", 2))
    for h in closed:
        X2[h] = 0.0
    res["inv"], res["slack_hours"] = (C, Q, X, X2), slack_hours

    shape0 = [x / sum(X2) for x in X2]
    if trucks:
        # Saturday is open about 06-14h (reading counts), so it carries the part of the
        # daily shape that falls in 06..13h (ASSUMPTION); Sunday closed.
        sat_frac = sum(shape0[h] for h in range(6, 14))
        f = 7.0 / (5.0 + sat_frac)
        wf = [round(f, 3)] * 5 + [round(f * sat_frac, 3), 0.0]
        res["sat_frac_shape"] = sat_frac
    else:
        wf = None
    fmax = max(wf) if wf else 1.0
    day_demand = daily * fmax          # demand of the busiest (operating) day
    res["weekday_factors"], res["day_demand"] = wf, day_demand

    # ---- arrivals per hour for a given general service time, with SENTRI overflow
    bS = booths.get("sentri", [0] * 24)

    def arrivals(s_gen, s_s):
        A = []
        for h in range(24):
            x = X2[h] * 3600.0 / s_gen                 # vehicles the queued lanes take in hour h
            cs = bS[h] * 3600.0 / s_s if s_s else 0.0  # SENTRI lane capacity in hour h
            if share_s == 0.0:
                A.append(x)
            elif share_s * x / (1 - share_s) <= cs:
                A.append(x / (1 - share_s))
            else:                                       # SENTRI lane full: its overflow joins Ready
                A.append(x + cs)
        return A

    def solve_gen(s_s):
        lo, hi = 1.0, 5000.0
        for _ in range(200):
            mid = (lo + hi) / 2
            if sum(arrivals(mid, s_s)) > day_demand:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    s_s = None
    if "sentri" in lanes:
        if sc.get("sentri_day_rho"):
            # SENTRI booth cycle such that the SENTRI lanes run at sentri_day_rho over the
            # hours when at least 3/4 of their peak booths are open (ASSUMPTION)
            day_h = [h for h in range(24) if bS[h] >= 0.75 * max(bS)]
            s_s = 30.0
            for _ in range(50):
                s_gen = solve_gen(s_s)
                A = arrivals(s_gen, s_s)
                s_s = sc["sentri_day_rho"] * 3600.0 * sum(bS[h] for h in day_h) / sum(share_s * A[h] for h in day_h)
            res["sentri_day_hours"] = day_h
        else:
            s_s = s_sentri_stanton
    s_gen = solve_gen(s_s)
    A = arrivals(s_gen, s_s)
    svc_exact = {l: s_gen * rel[l] for l in gr}
    if s_s:
        svc_exact["sentri"] = s_s
    res["svc_exact"] = svc_exact
    svc = {l: float(round(v)) for l, v in svc_exact.items()}   # whole seconds go into the TOML
    res["svc"] = svc

    # per_hour is the average day; weekday_factors scale it up on operating days
    per_hour = [int(round(a * daily / day_demand)) for a in A]
    res["per_hour"] = per_hour
    busy = [x * fmax for x in per_hour]            # arrivals per hour on the busiest day
    res["busy_per_hour"] = busy

    # ---- class shares.  The general-only class (standard trucks) gets gen_load x the
    # smallest hourly share of the general lanes in the capacity of the general + Ready
    # (FAST) lanes, over the hours with arrivals: it then never needs more than the general
    # lanes give it in any hour, and the Ready (FAST) class fills the rest, using the general
    # lanes whenever they are the shorter queue (ASSUMPTION; no split is published).
    cap_day = {l: sum(booths[l]) * 3600.0 / svc[l] for l in lanes}
    res["cap_day"] = cap_day
    other = "fast" if trucks else "ready"
    hs = [h for h in range(24) if per_hour[h] > 0 and booths["general"][h] + booths[other][h] > 0]
    gshare_h = [booths["general"][h] / svc["general"] /
                (booths["general"][h] / svc["general"] + booths[other][h] / svc[other]) for h in hs]
    gmin = min(gshare_h)
    res["gen_cap_share_min"] = gmin
    res["gen_cap_share_day"] = cap_day["general"] / (cap_day["general"] + cap_day[other])
    raw = {}
    g = sc.get("gen_load", 1.0)
    if trucks:
        raw["standard-truck"] = g * gmin
        raw["fast-truck"] = 1 - raw["standard-truck"]
    else:
        raw["general"] = g * (1.0 - share_s) * gmin
        raw["ready"] = (1.0 - share_s) - raw["general"]
        if "sentri" in lanes:
            raw["sentri"] = share_s
    shares = round_shares(raw)
    res["shares"] = shares

    demand_day = sum(busy)
    res["demand_day"] = demand_day
    res["class_checks"] = [(cid, cl, shares[cid] * demand_day) for cid, cl in sc["classes"]]

    # ---- SENTRI lane by hour: utilisation, overflow into the Ready lane, stationary M/G/c wait
    over = [0.0] * 24
    if "sentri" in lanes:
        lam = [shares["sentri"] * busy[h] for h in range(24)]
        capS = [bS[h] * 3600.0 / svc["sentri"] for h in range(24)]
        res["sentri_rho_by_hour"] = [lam[h] / capS[h] if capS[h] else 0.0 for h in range(24)]
        res["sentri_mgc_wait_min"] = [mgc_wait_s(lam[h], bS[h], svc["sentri"], sc["cv"]) / 60.0 for h in range(24)]
        over = [max(0.0, lam[h] - capS[h]) for h in range(24)]
        res["sentri_overflow"] = over

    # ---- fluid forward check on the queued lanes (hourly, vehicles)
    Cveh = [sum(booths[l][h] * 3600.0 / svc[l] for l in gr) for h in range(24)]
    Aveh = [busy[h] * (1.0 - shares.get("sentri", 0.0)) + over[h] for h in range(24)]
    res["fluid_wait"] = fluid_forward(Aveh, Cveh)
    res["Cveh"], res["Aveh"] = Cveh, Aveh
    res["gr_ratio"] = sum(Aveh) / sum(Cveh)
    wq = [sum(waits[l][h] * booths[l][h] / svc[l] for l in gr) for h in range(24)]
    wc = [sum(booths[l][h] / svc[l] for l in gr) for h in range(24)]
    res["obs_wait_sat"] = [wq[h] / wc[h] if wc[h] else 0.0 for h in range(24)]
    res["out"] = out
    return res


def capacity_checks(res):
    """For each class's lane set L: demand of every class restricted to lanes within L
    versus the capacity of L (vehicles per busiest day).  All ratios must be below 1."""
    sc = res["sc"]
    rows = []
    seen = set()
    for cid, cl in sc["classes"]:
        key = frozenset(cl)
        if key in seen:
            continue
        seen.add(key)
        who = [c2 for c2, l2 in sc["classes"] if set(l2) <= key]
        dem = sum(d for c2, _, d in res["class_checks"] if c2 in who)
        cap = sum(res["cap_day"][l] for l in cl)
        rows.append((who, sorted(key, key=sc["lanes"].index), dem, cap))
    return rows


def report(res):
    sc = res["sc"]
    o = list(res["out"])
    o.append("daily demand: %.0f (average day); busiest day %.0f" % (res["daily"], res["day_demand"]))
    if res["weekday_factors"]:
        o.append("weekday readings Mon..Sun %s; Saturday readings / weekday = %.2f;"
                 " share of the daily shape in 06-13h = %.3f" %
                 ([res["weekday_readings"][d] for d in range(1, 8)], res["sat_frac_readings"], res["sat_frac_shape"]))
        o.append("weekday_factors = %s  (mean %.3f)" % (res["weekday_factors"], sum(res["weekday_factors"]) / 7))
    o.append("slack hours (night hours before the smallest observed queue): %s" % res["slack_hours"])
    o.append("per_hour = %s  (sum %d)" % (res["per_hour"], sum(res["per_hour"])))
    for l in res["svc"]:
        o.append("service %-8s mean %.1f s -> %.0f s" % (l, res["svc_exact"][l], res["svc"][l]))
    if res["share_sentri"]:
        o.append("SENTRI share %.3f (%.0f vehicles a day)" % (res["share_sentri"], res["share_sentri"] * res["daily"]))
    if "sentri_rho_by_hour" in res:
        o.append("  SENTRI lane utilisation by hour: %s" % [round(x, 2) for x in res["sentri_rho_by_hour"]])
        o.append("  SENTRI overflow to other lanes (veh/h): %s  (%.0f a day)"
                 % ([round(x) for x in res["sentri_overflow"]], sum(res["sentri_overflow"])))
        o.append("  SENTRI stationary M/G/c wait (min): %s" % [round(x, 1) for x in res["sentri_mgc_wait_min"]])
        o.append("  observed SENTRI mean wait (min):   %s" % [round(x, 1) for x in res["obs_wait"]["sentri"]])
    o.append("general-lane share of general+%s capacity: whole day %.3f, smallest hour %.3f"
             % ("fast" if sc.get("trucks") else "ready", res["gen_cap_share_day"], res["gen_cap_share_min"]))
    o.append("shares %s" % res["shares"])
    o.append("capacity per day by lane: %s" % {l: round(c) for l, c in res["cap_day"].items()})
    for who, lanes, dem, cap in capacity_checks(res):
        o.append("  classes %-28s demand %7.0f/day  lanes %-24s capacity %7.0f/day  ratio %.3f"
                 % ("+".join(who), dem, "+".join(lanes), cap, dem / cap))
    o.append("  queued lanes (%s)%s: demand/capacity %.3f"
             % ("+".join(l for l in sc["lanes"] if l != "sentri"),
                " incl. SENTRI overflow" if "sentri" in sc["lanes"] else "", res["gr_ratio"]))
    o.append("hour | arrivals | capacity (queued lanes) | fluid wait | observed wait (capacity-weighted)")
    for h in range(24):
        o.append("  %2d  %6.0f  %6.0f  %6.1f  %6.1f" % (h, res["Aveh"][h], res["Cveh"][h],
                                                      res["fluid_wait"][h], res["obs_wait_sat"][h]))
    return "\n".join(o)


# ---------------------------------------------------------------------------
# TOML output
# ---------------------------------------------------------------------------

def toml_display(d):
    return '{ en = "%s", es = "%s" }' % (d["en"], d["es"])


def toml_int_list(v):
    return "[" + ", ".join("%d" % x for x in v) + "]"


def wrap_comment(text, first="# - ", rest="#   ", width=98):
    import textwrap
    lines = textwrap.wrap(text, width=width - len(first), break_on_hyphens=False)
    return [(first if i == 0 else rest) + ln for i, ln in enumerate(lines)]


def scenario_toml(res, s_sentri):
    sc = res["sc"]
    port, mode = sc["port"], sc["mode"]
    trucks = bool(sc.get("trucks"))
    gr = [l for l in sc["lanes"] if l != "sentri"]
    L = []
    c = L.append
    w = lambda text, first="# - ", rest="#   ": L.extend(wrap_comment(text, first, rest))
    c("# %s" % sc["title"])
    c("#")
    w("Generated by tools/derive_scenarios.py from the public CBP and BTS data (not needed at run "
      "time). docs/scenario-data.md explains every number; docs/validation.md compares the simulated "
      "waits with CBP's posted waits. Every choice that is not read directly from the data is marked "
      "ASSUMPTION.", "# ", "# ")
    c("#")
    c("# DEMAND")
    w("Daily volume: %s." % res["volume_src"])
    if trucks:
        w("Cargo runs Monday-Friday and Saturday mornings (no readings on Sundays; Saturday readings "
          "stop about 14h), so Monday-Friday carry daily x 7 / (5 + %.3f) = %.0f trucks."
          % (res["sat_frac_shape"], res["day_demand"]), "#   ", "#   ")
    w("per_hour (ASSUMPTION: no data set has hourly volumes): fluid inversion of the observed waits. "
      "A lane with a queue works at capacity, so arrivals(h) = capacity(h) + queue(h+1) - queue(h), "
      "with queue(h) = mean posted wait(h) x capacity(h), for the %s lanes (mean_wait_min and the "
      "booths below, cbp_bwt_hourly_2025/summary_by_hour_target_crossings.csv, port_number = %s, "
      "mode = %s). %.0f%% of the daily capacity is then taken out of hours %s, the hours just before "
      "the smallest observed queue, so that the queue can empty at night (a stable queue needs "
      "demand below capacity), and the profile is scaled to the daily volume."
      % ("/".join(FEED_LANE[l] for l in gr), port, mode, 100 * (1 - sc["rho"]),
         ", ".join("%02dh" % h for h in res["slack_hours"])))
    if "sentri" in sc["lanes"]:
        w("SENTRI lanes are not part of the inversion: the SENTRI class is a fixed share of every hour "
          "(the format has one class mix for all hours); in hours when the SENTRI booths cannot take "
          "it, the excess is counted as joining the Ready lanes (%.0f vehicles a day)."
          % sum(res["sentri_overflow"]), "#   ", "#   ")
    if trucks:
        w("Hours 01-05 have no readings (closed): no arrivals. Hour 0 has none either. The 23h booths "
          "stay open through hours 0-1 to clear trucks already in line (ASSUMPTION).", "#   ", "#   ")
        w("weekday_factors: Monday-Friday %.3f, Saturday %.3f (the part of the daily profile that falls "
          "in 06-13h; ASSUMPTION), Sunday 0 (closed). Their mean is 1, so the annual volume is kept. "
          "The booths do not change by weekday, so a Saturday here is a light full day."
          % (res["weekday_factors"][0], res["weekday_factors"][5]))
    else:
        w("weekday_factors: omitted. No data set has volumes by day of week; the posted waits differ "
          "by about +-10% between weekdays, which does not give a volume factor.")
    c("#")
    c("# CLASSES")
    if "sentri" in sc["lanes"]:
        if "sentri_share" in sc:
            w("sentri share %.3f: about 30 percent of San Ysidro traffic uses the SENTRI lanes (CBP, "
              "2011 news release announcing the San Ysidro Ready Lane). ASSUMPTION: still true in 2024."
              % res["shares"]["sentri"])
        else:
            w("sentri share %.3f (%.0f vehicles a day). ASSUMPTION: 30%% of all El Paso passenger "
              "vehicles are SENTRI (the San Ysidro figure, CBP 2011); after the SENTRI-only Good Neighbor "
              "(Stanton) bridge, 4,808 a day in 2025, the remaining SENTRI traffic is split between PDN "
              "and Ysleta by SENTRI lane-hours." % (res["shares"]["sentri"], res["share_sentri"] * res["daily"]))
        w("SENTRI members may also use the Ready and general lanes (a SENTRI card is Ready-Lane "
          "eligible); with the shortest-expected-wait rule they keep to the SENTRI lanes unless those "
          "have the longer wait.", "#   ", "#   ")
    other = "FAST" if trucks else "Ready"
    first = "standard-truck" if trucks else "general"
    w("%s share %.3f = the smallest hourly share of the %s lanes in the %s + %s capacity (%.3f; "
      "%.3f over the whole day)%s. The %s-only class then never needs more than its lanes give in any "
      "hour, and the %s class fills the rest, also using the %s lanes when they are shorter "
      "(ASSUMPTION: no %s/%s split is published)."
      % (first, res["shares"][first], "standard" if trucks else "general", "standard" if trucks else "general",
         other, res["gen_cap_share_min"], res["gen_cap_share_day"],
         "" if trucks else " x the non-SENTRI share", "standard" if trucks else "general",
         other, "standard" if trucks else "general", other, "standard" if trucks else "general"))
    c("#")
    c("# LANES")
    w("booths: median lanes open at each local hour, same summary file (median_lanes_open; hours with "
      "fewer than %d readings count as closed). max_booths: 99th percentile of lanes_open for that lane "
      "type in cbp_bwt_hourly_2025/bwt_hourly_el_paso_san_ysidro.csv." % MIN_READINGS)
    ratio_txt = ", ".join("%s/general = %.2f" % (l, r) for l, r in sc["ratio"].items() if l != "general")
    w("service: effective booth cycle (inspection plus move-up and idle gaps), lognormal with "
      "sd = %.1f x mean (ASSUMPTION). The general mean is set so that the queued lanes' daily demand "
      "%sis %.0f%% of their daily capacity with the booths below (calibrated, docs/validation.md). "
      "Ratio of means %s (ASSUMPTION)."
      % (sc["cv"], "(with the SENTRI overflow) " if "sentri" in sc["lanes"] else "", 100 * sc["rho"], ratio_txt))
    if "sentri" in sc["lanes"]:
        if sc.get("sentri_day_rho"):
            w("SENTRI %.0f s: set so that SENTRI demand is %.2f x the SENTRI capacity over hours %s, when "
              "at least 3/4 of the peak SENTRI booths are open (ASSUMPTION: posted SENTRI waits of 15-19 "
              "min with 10-12 lanes open mean the lanes are saturated by day)."
              % (res["svc"]["sentri"], sc["sentri_day_rho"],
                 "%02d-%02dh" % (min(res["sentri_day_hours"]), max(res["sentri_day_hours"]))), "#   ", "#   ")
        else:
            w("SENTRI %.0f s: effective SENTRI booth cycle of the SENTRI-only Good Neighbor bridge (2025 "
              "volume over its lane-hours, at the utilisation that reproduces its posted waits)."
              % res["svc"]["sentri"], "#   ", "#   ")
    if trucks:
        w("Published truck figures are only qualitative (minutes per truck; FAST faster).", "#   ", "#   ")
    else:
        w("Published primary-inspection times are shorter (about 34 s at El Paso, TRR 1942, 2006; "
          "Ready Lane 20-30 s, CBP in El Paso Times, 2015): with them the reported lanes would have "
          "almost no queue (docs/scenario-data.md, 'Service times').", "#   ", "#   ")
    c("#")
    c("# CAPACITY CHECK (vehicles per %s day; every ratio must stay below 1)"
      % ("Monday-Friday" if trucks else "average"))
    for who, lanes, dem, cap in capacity_checks(res):
        c("#   classes %-24s %6.0f  vs lanes %-22s %6.0f  (%.2f)" % ("+".join(who), dem, "+".join(lanes), cap, dem / cap))
    if "sentri" in sc["lanes"]:
        c("#   queued lanes (%s), including SENTRI overflow: demand / capacity = %.2f"
          % ("+".join(gr), res["gr_ratio"]))
    if trucks:
        c("#   (the capacity includes the clearing hours 00-01h, which have no arrivals)")
    c("")
    c('name = "%s"' % sc["name"])
    c('description = { en = "%s. Demand and booths derived from CBP/BTS public data (see header).", '
      'es = "%s. Demanda y casetas derivadas de datos públicos de CBP y BTS (ver el encabezado)." }'
      % (sc["title"], sc["title_es"]))
    c('display = { en = "%s", es = "%s" }' % (sc["title"], sc["title_es"]))
    c("seed = %d" % sc.get("seed", 1))
    c('horizon = "28d"')
    c('warmup = "2d"')
    c("replications = 10")
    c("")
    c("[demand]")
    c("per_hour = %s" % toml_int_list(res["per_hour"]))
    if res["weekday_factors"]:
        c("weekday_factors = [%s]" % ", ".join(("%.3f" % x).rstrip("0").rstrip(".") if x else "0"
                                               for x in res["weekday_factors"]))
    for cid, cl in sc["classes"]:
        c("")
        c("[[classes]]")
        c('id = "%s"' % cid)
        c("share = %s" % repr(res["shares"][cid]))
        c("lanes = [%s]" % ", ".join('"%s"' % l for l in cl))
        c("display = %s" % toml_display(CLASS_DISPLAY[cid]))
        if cid in ("sentri", "fast-truck"):
            c("trusted = true")
        if trucks:
            c('mode = "truck"')
    for l in sc["lanes"]:
        c("")
        c("[[lanes]]")
        c('id = "%s"' % l)
        c('kind = "%s"' % l)
        c("display = %s" % toml_display(LANE_DISPLAY["general-truck" if (trucks and l == "general") else l]))
        c("booths = %s" % toml_int_list(res["booths"][l]))
        c("max_booths = %d" % res["max_booths"][l])
        m = res["svc"][l]
        sd = round(sc["cv"] * m)
        c('service = { dist = "lognormal", mean = "%ds", sd = "%ds" }' % (m, sd))
    return "\n".join(L) + "\n"


MMC_EXAMPLE = """# A plain M/M/c example: Poisson arrivals at 408 an hour, 6 booths, exponential service with a
# 45 s mean.  Utilisation = 408 x 45 / 3600 / 6 = 0.85.  Not a real port: use it to check the
# simulator against the exact M/M/c formulas (Erlang C gives a mean wait of 31.2 s here).

name = "mmc-example"
description = "A plain M/M/c queue: 408 arrivals per hour, 6 booths, exponential 45 s inspections (utilization 0.85)"
seed = 7
horizon = "30d"
warmup = "1d"
replications = 8

[demand]
rate = 408

[[classes]]
id = "general"
share = 1.0
lanes = ["main"]

[[lanes]]
id = "main"
booths = 6
service = { dist = "exponential", mean = "45s" }
"""


def write_all(results, outdir, s_sentri):
    os.makedirs(outdir, exist_ok=True)
    for res in results:
        path = os.path.join(outdir, res["sc"]["name"] + ".toml")
        with open(path, "w") as f:
            f.write(scenario_toml(res, s_sentri))
        print("wrote", path)
    path = os.path.join(outdir, "mmc-example.toml")
    with open(path, "w") as f:
        f.write(MMC_EXAMPLE)
    print("wrote", path)


# ---------------------------------------------------------------------------
# Comparison with simulator output (docs/validation.md)
# ---------------------------------------------------------------------------

def load_typical(d):
    """CBP 'historical' average wait by hour (mean over month x weekday cells)."""
    out = {}
    path = os.path.join(d, "cbp_bwt_typical_el_paso", "typical_wait_by_month_dow_hour.csv")
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            out.setdefault((r["port_number"], r["mode"], r["lane"], int(r["hour"])), []).append(float(r["avg_wait_min"]))
    path = os.path.join(d, "cbp_bwt_typical_san_ysidro", "typical_wait_by_month_dow_hour.csv")
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["source"] == "crosswise_2025fetch":   # likely the 2024 averages
                out.setdefault(("250401", r["mode"], r["lane"], int(r["hour"])), []).append(float(r["avg_wait_min"]))
    return {k: sum(v) / len(v) for k, v in out.items()}


def load_run(folder):
    summ, hourly = {}, {}
    with open(os.path.join(folder, "summary.csv"), newline="") as f:
        for r in csv.DictReader(f):
            summ[(r["group"], r["metric"])] = (float(r["mean"]), float(r["ci95"]))
    with open(os.path.join(folder, "hourly.csv"), newline="") as f:
        for r in csv.DictReader(f):
            hourly[(int(r["hour"]), r["group"], r["metric"])] = (float(r["mean"]), float(r["ci95"]))
    return summ, hourly


def compare(results, outroot, d):
    """Markdown tables: observed posted waits vs simulated waits, per lane and by hour."""
    hourly_obs = load_hourly(d)
    typical = load_typical(d)
    for res in results:
        sc = res["sc"]
        folder = os.path.join(outroot, sc["name"])
        if not os.path.exists(os.path.join(folder, "summary.csv")):
            print("\n(no simulator output in %s)" % folder)
            continue
        S, H = load_run(folder)
        port, mode = sc["port"], sc["mode"]
        print("\n### %s\n" % sc["name"])
        print("| lane | observed mean | observed mean, arrival-weighted | observed p50 | observed p95 "
              "| simulated mean ± CI | simulated mean of hourly means | simulated p50 | simulated p95 ± CI "
              "| simulated utilisation |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for l in sc["lanes"]:
            vals = [float(r["delay_min"]) for r in hourly_obs if r["port_number"] == port
                    and r["mode"] == mode and r["lane"] == FEED_LANE[l]]
            om, op, o50 = sum(vals) / len(vals), percentile(vals, 0.95), percentile(vals, 0.5)
            ow = res["obs_wait"][l]
            arr = [H.get((h, "lane:" + l, "arrivals"), (0, 0))[0] for h in range(24)]
            hs = [h for h in range(24) if ow[h] > 0 or res["booths"][l][h] > 0]
            oaw = sum(arr[h] * ow[h] for h in hs) / max(1e-9, sum(arr[h] for h in hs))
            g = "lane:" + l
            sm, sp, su = S[(g, "wait_mean_s")], S[(g, "wait_p95_s")], S[(g, "utilization")]
            hm = [H[(h, g, "wait_mean_s")][0] / 60 for h in range(24) if (h, g, "wait_mean_s") in H and arr[h] > 0]
            s50 = S[(g, "wait_p50_s")]
            print("| %s | %.1f | %.1f | %.0f | %.0f | %.1f ± %.1f | %.1f | %.1f | %.1f ± %.1f | %.2f |"
                  % (l, om, oaw, o50, op, sm[0] / 60, sm[1] / 60, sum(hm) / len(hm), s50[0] / 60,
                     sp[0] / 60, sp[1] / 60, su[0]))
        print()
        hours = [2, 6, 10, 14, 16, 18, 20, 22] if not sc.get("trucks") else [6, 8, 10, 12, 14, 16, 18, 20, 22]
        print("| lane | hour | observed mean (p95) | CBP historical average | simulated mean ± CI | simulated p95 ± CI |")
        print("|---|---|---|---|---|---|")
        for l in sc["lanes"]:
            g = "lane:" + l
            for h in hours:
                if (h, g, "wait_mean_s") not in H:
                    continue
                t = typical.get((port, mode, FEED_LANE[l], h))
                m, p = H[(h, g, "wait_mean_s")], H[(h, g, "wait_p95_s")]
                print("| %s | %02dh | %.0f (%.0f) | %s | %.0f ± %.0f | %.0f ± %.0f |"
                      % (l, h, res["obs_wait"][l][h], res["obs_p95"][l][h],
                         "%.0f" % t if t is not None else "-", m[0] / 60, m[1] / 60, p[0] / 60, p[1] / 60))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="data folder (default: <repo>/../shared/data)")
    ap.add_argument("--write", metavar="DIR", help="write the scenario TOML files into DIR")
    ap.add_argument("--compare", metavar="DIR", help="compare simulator output in DIR/<scenario>/ "
                    "(garita run scenarios/X.toml -o DIR/X) with the observed waits")
    args = ap.parse_args()
    d = data_dir(args.data)
    tx, bts, summ, hourly = load_tx(d), load_bts(d), load_summary(d), load_hourly(d)
    out = []
    s_sentri = stanton_sentri(tx, summ, out)
    ep_sentri = el_paso_sentri(tx, summ, out)
    print("\n".join(out))
    results = []
    for sc in SCENARIOS:
        res = derive(sc, tx, bts, summ, hourly, s_sentri, ep_sentri)
        results.append(res)
        print("\n=== %s: %s" % (sc["name"], sc["title"]))
        print(report(res))
    if args.write:
        write_all(results, args.write, s_sentri)
    if args.compare:
        compare(results, args.compare, d)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
