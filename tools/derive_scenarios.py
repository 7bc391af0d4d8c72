#!/usr/bin/env python3
"""Derive the numbers of the bundled port scenarios (scenarios/*.toml) from public data.

Standard library only. Reads the public data set that sits next to the repository
(``<repo>/../shared/data``; override with ``--data DIR``) and prints every derived
number that goes into the scenario files, plus the capacity arithmetic that
docs/scenario-data.md reports.

    python3 tools/derive_scenarios.py                 # print the derivation
    python3 tools/derive_scenarios.py --write scenarios   # also (re)write the TOML files

Method in short (docs/scenario-data.md has the full explanation):

* Daily volume: CBP bridge-level monthly counts (El Paso, calendar 2025 without June,
  whose figures duplicate May) or BTS port counts (San Ysidro, calendar 2024).
* Booths by hour of day: median number of lanes CBP reported open at each local hour
  (CBP Border Wait Times hourly archive, 2025-03-28 .. 2026-01-18). Hours with fewer than
  MIN_READINGS readings count as closed.
* Hourly arrival shape (ASSUMPTION): a deterministic fluid-queue inversion of the
  observed hourly mean posted waits.  While a lane has a queue it works at capacity, so
  arrivals in hour h = capacity in hour h + (queue at h+1) - (queue at h), with
  queue(h) = posted wait(h) x capacity rate(h).  The inverted arrivals add up exactly to
  the daily capacity; a daily slack of (1 - rho) x capacity is then taken out of the
  hours in which the observed queue shrinks (the night drain), so that the daily
  demand stays below the daily capacity and the simulated queue can empty.
* Service times: the effective booth cycle that makes the counted daily volume equal to
  rho x the daily capacity of the reported open lanes.  rho (target daily utilisation)
  is the calibration knob (docs/validation.md).
"""

import argparse
import calendar
import csv
import gzip  # noqa: F401  (the all-ports archive is gzip; not needed for these ports)
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

SCENARIOS = [
    {
        "name": "bota-pov",
        "title": "El Paso Bridge of the Americas (BOTA), northbound passenger vehicles",
        "port": "240201", "mode": "POV",
        "volume": ("tx", "Bridge of the Americas", "Passenger Vehicles"),
        "lanes": ["general", "ready"],
        # service-time ratio to the general lane (ASSUMPTION, see docs)
        "ratio": {"general": 1.0, "ready": 0.8},
        "rho": 0.97,          # calibration knob: daily demand / daily capacity
        "cv": 0.6,            # ASSUMPTION: service-time coefficient of variation
        "classes": [
            ("general", ["general"]),
            ("ready", ["ready", "general"]),
        ],
    },
    {
        "name": "san-ysidro-pov",
        "title": "San Ysidro, northbound passenger vehicles",
        "port": "250401", "mode": "POV",
        "volume": ("bts", "2504", "Personal Vehicles"),
        "lanes": ["general", "ready", "sentri"],
        "ratio": {"general": 1.0, "ready": 0.8},
        "rho": 0.97,
        "cv": 0.6,
        # SENTRI share of traffic: CBP, Ready Lane announcement for San Ysidro (2011):
        # "approximately 30 percent of the traffic ... already uses a dedicated SENTRI lane".
        "sentri_share": 0.30,
        "sentri_saturated": True,   # SENTRI lanes carry a standing queue (posted 6-19 min)
        "rho_sentri": 0.97,
        "classes": [
            ("general", ["general"]),
            ("ready", ["ready", "general"]),
            ("sentri", ["sentri", "ready", "general"]),
        ],
    },
    {
        "name": "pdn-pov",
        "title": "El Paso Paso del Norte (PDN), northbound passenger vehicles",
        "port": "240202", "mode": "POV",
        "volume": ("tx", "Paso del Norte Bridge", "Passenger Vehicles"),
        "lanes": ["general", "ready", "sentri"],
        "ratio": {"general": 1.0, "ready": 0.8},
        "rho": 0.97,
        "cv": 0.6,
        "sentri_saturated": False,  # SENTRI lane posted 1-5 min: not saturated
        "sentri_peak_rho": 0.85,    # ASSUMPTION: SENTRI lane utilisation in the busiest hour
        "classes": [
            ("general", ["general"]),
            ("ready", ["ready", "general"]),
            ("sentri", ["sentri", "ready", "general"]),
        ],
    },
    {
        "name": "ysleta-pov",
        "title": "El Paso Ysleta-Zaragoza, northbound passenger vehicles",
        "port": "240203", "mode": "POV",
        "volume": ("tx", "Ysleta Bridge", "Passenger Vehicles"),
        "lanes": ["general", "ready", "sentri"],
        "ratio": {"general": 1.0, "ready": 0.8},
        "rho": 0.97,
        "cv": 0.6,
        "sentri_saturated": False,
        "sentri_peak_rho": 0.85,
        "classes": [
            ("general", ["general"]),
            ("ready", ["ready", "general"]),
            ("sentri", ["sentri", "ready", "general"]),
        ],
    },
    {
        "name": "ysleta-cov",
        "title": "El Paso Ysleta-Zaragoza, northbound commercial trucks",
        "port": "240203", "mode": "COV",
        "volume": ("tx", "Ysleta Bridge", "Commercial Trucks"),
        "lanes": ["general", "fast"],
        "ratio": {"general": 1.0, "fast": 0.7},
        "rho": 0.97,
        "cv": 0.8,
        "trucks": True,
        "classes": [
            ("standard-truck", ["general"]),
            ("fast-truck", ["fast", "general"]),
        ],
    },
]

# SENTRI effective service time for the non-saturated SENTRI lanes (PDN, Ysleta) is taken
# from the SENTRI-only Good Neighbor (Stanton Street) bridge, see stanton_sentri().
STANTON = {"port": "240204", "crossing": "Good Neighbor Bridge"}


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


def derive(sc, tx, bts, summ, hourly, s_sentri_stanton):
    out = []
    res = {"sc": sc}
    port, mode = sc["port"], sc["mode"]
    # ---- daily volume
    src = sc["volume"]
    if src[0] == "tx":
        total, days, daily = tx_daily(tx, src[1], src[2], 2025, (6,))
        t24, d24, daily24 = tx_daily(tx, src[1], src[2], 2024)
        may, jun = tx[(src[1], src[2], 2025, 5)], tx[(src[1], src[2], 2025, 6)]
        out.append("volume: cbp_tx_crossings_monthly, crossing=%r, mode=%r, 2025 without June"
                   " (June %d == May %d): %d / %d days = %.1f per day  [2024: %d / %d = %.1f]"
                   % (src[1], src[2], jun, may, total, days, daily, t24, d24, daily24))
        res["volume_text"] = ("CBP bridge counts (cbp_tx_crossings_monthly), %s, %s, calendar 2025"
                              " without June (June duplicates May): %d vehicles / %d days = %.0f a day"
                              " (2024: %.0f a day)" % (src[1], src[2], total, days, daily, daily24))
    else:
        total, days, daily, nm = bts_daily(bts, src[1], src[2], 2024)
        t23, d23, daily23, _ = bts_daily(bts, src[1], src[2], 2023)
        jf24 = bts[(src[1], src[2], 2024, 1)] + bts[(src[1], src[2], 2024, 2)]
        jf25 = bts[(src[1], src[2], 2025, 1)] + bts[(src[1], src[2], 2025, 2)]
        out.append("volume: BTS port %s %r, calendar 2024: %d / %d days = %.1f per day"
                   "  [2023: %.1f; Jan+Feb 2025 vs 2024: %d vs %d = %+.1f%%]"
                   % (src[1], src[2], total, days, daily, daily23, jf25, jf24, 100.0 * (jf25 / jf24 - 1)))
        res["volume_text"] = ("BTS port counts (bts_border_crossing_entry), port %s, %s, calendar 2024:"
                              " %d vehicles / %d days = %.0f a day (2023: %.0f a day)"
                              % (src[1], src[2], total, days, daily, daily23))
    res["daily"] = daily

    # ---- weekday factors (trucks only: Ysleta cargo runs Mon-Fri and Saturday mornings)
    lanes = sc["lanes"]
    booths = {l: lanes_by_hour(summ, port, mode, FEED_LANE[l]) for l in lanes}
    waits = {l: waits_by_hour(summ, port, mode, FEED_LANE[l]) for l in lanes}
    p95 = {l: waits_by_hour(summ, port, mode, FEED_LANE[l], "p95_wait_min") for l in lanes}
    res["booths"], res["obs_wait"], res["obs_p95"] = booths, waits, p95
    wf = None
    if sc.get("trucks"):
        # ASSUMPTION: trucks already queued at midnight are cleared: keep the 23h booths open
        # for hour 0 (no new arrivals) so that nobody waits through the night closure.
        for l in lanes:
            booths[l][0] = booths[l][23]
        # readings by weekday: Saturday share of weekday readings
        import datetime
        cnt = {d: 0 for d in range(1, 8)}
        for r in hourly:
            if r["port_number"] == port and r["mode"] == mode and r["lane"] == "STANDARD":
                cnt[datetime.date.fromisoformat(r["date"]).isoweekday()] += 1
        wk = sum(cnt[d] for d in range(1, 6)) / 5.0
        sat = cnt[6] / wk
        res["weekday_readings"] = cnt
        res["sat_frac_readings"] = sat
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
        out.append("  %-8s lanes open p50/p90/p99/max = %d/%d/%d/%d -> max_booths %d"
                   % (l, percentile(vals, .5), percentile(vals, .9), p99, max(vals), maxb[l]))
    res["max_booths"] = maxb

    # ---- which lanes form the saturated (always-queued) group
    sat_lanes = [l for l in lanes if l != "sentri" or sc.get("sentri_saturated")]
    rho = sc["rho"]

    # ---- SENTRI share
    share_s = 0.0
    if "sentri" in lanes:
        if sc.get("sentri_saturated"):
            share_s = sc["sentri_share"]
        # non-saturated SENTRI is sized after the shape is known (below)

    # ---- fluid inversion on the saturated lanes (general+ready[+sentri at SY], general+fast)
    rel = dict(sc["ratio"])
    if "sentri" in sat_lanes:
        rel["sentri"] = 1.0  # placeholder; SENTRI gets its own scale below
        # SENTRI lanes have their own service scale: compute the relative factor so that the
        # SENTRI lanes run at rho_sentri with share_s of the volume, and general+ready at rho.
        gr = [l for l in sat_lanes if l != "sentri"]
        cap_units_gr = sum(sum(booths[l]) / rel[l] for l in gr)
        s_gen = rho * 3600.0 * cap_units_gr / (daily * (1 - share_s))
        s_sen = sc["rho_sentri"] * 3600.0 * sum(booths["sentri"]) / (daily * share_s)
        rel["sentri"] = s_sen / s_gen
    C, Q, A = fluid_inversion({l: booths[l] for l in sat_lanes},
                              {l: waits[l] for l in sat_lanes}, rel)
    if "sentri" in sat_lanes:
        rho_eff = (daily) / (sum(C) * 3600.0 / s_gen)
    else:
        rho_eff = rho
    A2, drain = remove_slack(C, Q, A, rho_eff)
    if sc.get("trucks"):
        # closed hours: no arrivals; hour 0 only clears the queue
        for h in range(24):
            if h == 0 or all(booths[l][h] == 0 for l in lanes):
                A2[h] = 0.0
    shape = [a / sum(A2) for a in A2]

    # ---- daily demand per operating day and weekday factors
    if sc.get("trucks"):
        # Saturday: open 06-14h (readings), so it carries the share of the daily shape
        # that falls in 06..13h (ASSUMPTION); Sunday closed.
        sat_frac = sum(shape[h] for h in range(6, 14))
        f = 7.0 / (5.0 + sat_frac)
        wf = [round(f, 3)] * 5 + [round(f * sat_frac, 3), 0.0]
        day_demand = daily * f  # Mon-Fri volume
        res["sat_frac_shape"] = sat_frac
    else:
        day_demand = daily
    res["weekday_factors"] = wf
    res["day_demand"] = day_demand

    # demand that goes through the saturated group
    if "sentri" in lanes and not sc.get("sentri_saturated"):
        gr_share_placeholder = None
    # ---- service times
    svc = {}
    if "sentri" in sat_lanes:
        svc["general"] = s_gen
        for l in sat_lanes:
            svc[l] = s_gen * rel[l]
    else:
        # non-saturated SENTRI (PDN, Ysleta): size the SENTRI share first
        if "sentri" in lanes:
            s_s = s_sentri_stanton
            bS = booths["sentri"]
            # share such that the busiest hour runs the SENTRI lane at sentri_peak_rho
            peak = max(shape[h] * day_demand / (bS[h] * 3600.0 / s_s) for h in range(24) if bS[h] > 0)
            share_s = sc["sentri_peak_rho"] / peak
            svc["sentri"] = s_s
            res["sentri_rho_by_hour"] = [share_s * shape[h] * day_demand / (bS[h] * 3600.0 / s_s)
                                         if bS[h] else 0.0 for h in range(24)]
            # stationary M/G/c check of the SENTRI lane wait by hour
            lam = [share_s * shape[h] * day_demand for h in range(24)]
            res["sentri_mgc_wait_min"] = [mgc_wait_s(lam[h], bS[h], s_s, sc["cv"]) / 60.0 for h in range(24)]
        gr_demand = day_demand * (1 - share_s)
        cap_units = sum(sum(booths[l]) / rel[l] for l in sat_lanes)
        s_gen = rho * 3600.0 * cap_units / gr_demand
        for l in sat_lanes:
            svc[l] = s_gen * rel[l]
    res["share_sentri"] = share_s
    res["svc"] = svc

    # ---- per_hour
    per_hour = [int(round(x * day_demand)) for x in shape]
    res["per_hour"] = per_hour
    res["shape"] = shape
    res["drain_hours"] = drain

    # ---- class shares
    cap_day = {l: sum(booths[l]) * 3600.0 / svc[l] for l in lanes}
    res["cap_day"] = cap_day
    raw = {}
    first = sc["classes"][0][0]
    nonsent = 1.0 - share_s
    if sc.get("trucks"):
        raw[first] = cap_day["general"] / (cap_day["general"] + cap_day["fast"])
        raw["fast-truck"] = 1 - raw[first]
    else:
        raw["general"] = nonsent * cap_day["general"] / (cap_day["general"] + cap_day["ready"])
        raw["ready"] = nonsent - raw["general"]
        if "sentri" in lanes:
            raw["sentri"] = share_s
    shares = round_shares(raw)
    res["shares"] = shares

    # ---- capacity arithmetic per lane and per class (daily, per operating day)
    demand_day = sum(per_hour)
    res["demand_day"] = demand_day
    checks = []
    for cid, cl in sc["classes"]:
        d = shares[cid] * demand_day
        checks.append((cid, cl, d))
    res["class_checks"] = checks

    # ---- fluid forward check (hourly, in vehicles)
    Cveh = [sum(booths[l][h] * 3600.0 / svc[l] for l in sat_lanes) for h in range(24)]
    sat_share = 1.0 - (share_s if "sentri" not in sat_lanes else 0.0)
    Aveh = [per_hour[h] * sat_share for h in range(24)]
    res["fluid_wait"] = fluid_forward(Aveh, Cveh)
    res["Cveh"], res["Aveh"] = Cveh, Aveh
    obs_q = [sum(waits[l][h] * booths[l][h] / svc[l] * 60 for l in sat_lanes) for h in range(24)]
    res["obs_wait_sat"] = [obs_q[h] / Cveh[h] * 60 if Cveh[h] else 0.0 for h in range(24)]
    res["out"] = out
    return res


def fmt_list(v, w=5):
    return "[" + ", ".join(("%d" % x).rjust(1) for x in v) + "]"


def report(res):
    sc = res["sc"]
    o = list(res["out"])
    o.append("daily demand used: %.0f per %s day" % (res["day_demand"], "operating (Mon-Fri)" if sc.get("trucks") else "average"))
    if res["weekday_factors"]:
        o.append("weekday readings Mon..Sun %s; Saturday readings / weekday = %.2f;"
                 " Saturday share of daily shape in 06-13h = %.3f" %
                 ([res["weekday_readings"][d] for d in range(1, 8)], res["sat_frac_readings"], res["sat_frac_shape"]))
        o.append("weekday_factors = %s  (mean %.3f)" % (res["weekday_factors"], sum(res["weekday_factors"]) / 7))
    o.append("drain hours (observed queue shrinking; slack removed there): %s" % res["drain_hours"])
    o.append("per_hour = %s  (sum %d)" % (res["per_hour"], sum(res["per_hour"])))
    for l, s in res["svc"].items():
        o.append("service %-8s mean %.1f s" % (l, s))
    if res["share_sentri"]:
        o.append("SENTRI share %.3f" % res["share_sentri"])
    if "sentri_rho_by_hour" in res:
        o.append("  SENTRI lane utilisation by hour: %s" % [round(x, 2) for x in res["sentri_rho_by_hour"]])
        o.append("  SENTRI stationary M/G/c wait (min): %s" % [round(x, 1) for x in res["sentri_mgc_wait_min"]])
        o.append("  observed SENTRI mean wait (min):   %s" % [round(x, 1) for x in res["obs_wait"]["sentri"]])
    o.append("shares %s" % res["shares"])
    o.append("capacity per day by lane: %s" % {l: round(c) for l, c in res["cap_day"].items()})
    for cid, cl, d in res["class_checks"]:
        cap = sum(res["cap_day"][l] for l in cl)
        o.append("  class %-14s demand %7.0f/day  lanes %-28s capacity %7.0f/day  ratio %.3f"
                 % (cid, d, cl, cap, d / cap))
    lanes = sc["lanes"]
    for l in lanes:
        own = sum(d for cid, cl, d in res["class_checks"] if cl[0] == l)
        o.append("  lane  %-8s first-choice demand %7.0f/day  capacity %7.0f/day  ratio %.3f"
                 % (l, own, res["cap_day"][l], own / res["cap_day"][l]))
    tot_d = sum(d for _, _, d in res["class_checks"])
    tot_c = sum(res["cap_day"].values())
    o.append("  all lanes demand %.0f capacity %.0f ratio %.3f" % (tot_d, tot_c, tot_d / tot_c))
    o.append("hour | arrivals | capacity(saturated lanes) | fluid wait | observed wait (cap-weighted)")
    for h in range(24):
        o.append("  %2d  %6.0f  %6.0f  %6.1f  %6.1f" % (h, res["Aveh"][h], res["Cveh"][h],
                                                      res["fluid_wait"][h], res["obs_wait_sat"][h]))
    return "\n".join(o)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="data folder (default: <repo>/../shared/data)")
    ap.add_argument("--write", metavar="DIR", help="write the scenario TOML files into DIR")
    args = ap.parse_args()
    d = data_dir(args.data)
    tx, bts, summ, hourly = load_tx(d), load_bts(d), load_summary(d), load_hourly(d)
    out = []
    s_sentri = stanton_sentri(tx, summ, out)
    print("\n".join(out))
    results = []
    for sc in SCENARIOS:
        res = derive(sc, tx, bts, summ, hourly, s_sentri)
        results.append(res)
        print("\n=== %s: %s" % (sc["name"], sc["title"]))
        print(report(res))
    if args.write:
        import scenario_toml
        scenario_toml.write_all(results, args.write, s_sentri)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
