#!/usr/bin/env python3
"""The earlier derivation of the bundled port scenarios, with latent demand and travellers who react.

NOT how the bundled port files are made now: scenarios/{bota,pdn,ysleta,san-ysidro}-pov.toml and
ysleta-cov.toml are written by `garita calibrate` (tools/calibrate_bundled.sh --write, fitted on
2025-03-28..2025-08-31; docs/scenario-data.md), and `--write` here is refused so that it cannot
overwrite them. What this script still does: `--compare` (the in-sample posted-wait error that
tools/calibrate_bundled.sh and tools/derive_region.py print), `--day-sd` and `--layout-queues`
(measurements), and the functions tools/derive_region.py uses. The method below is that of the
files it wrote until then (in git history).

Standard library only. Starts from the derivation of tools/derive_scenarios.py (daily volumes,
booths, effective booth cycles, class shares, the fluid inversion of CBP's posted waits) and
writes the bundled port scenarios IN PLACE with:

* a calendar: start = START (a Monday), and booth and latent-demand tables by day type
  (weekday / saturday / sunday), read from the hourly archive by day type;
* latent demand: the trips made in hour h of a day type are the fluid inversion of that day
  type's posted waits (no night slack: with a response the queue need not empty each night);
  latent(h) = made(h) / (1 - F(posted wait(h))) per class, F the tolerance CDF, with the
  smallest posted wait among the class's lanes;
* a response: tolerance log-normal with F(45 min) = 8/60 (SANDAG 2006), sd of its log SIGMA
  (ASSUMPTION); shift = 0; posted wait refreshed every POSTED_UPDATE;
* day_sd measured from the day-to-day swings of the posted waits (day_sd_from_waits());
* a correction of the latent demand by hour of day, found by simulation: ROUNDS rounds of
  `garita run` (fewer replications) comparing the simulated posted wait by lane and hour with
  CBP's, each round multiplying the latent demand of the hour when the vehicles served in hour h
  joined by exp(-error(h) / slope), the slope
  being the minutes of posted wait that one unit of log latent demand moves at that wait
  ((1 - F) / f, from the tolerance), damped by GAIN; and the general-only class's share by
  exp(-GAIN x (mean error of the general lanes - that of the Ready / FAST lanes) / slope). The
  round whose largest hourly error is smallest is written;
* for the scenarios in SHARES_BY_HOUR (San Ysidro, Paso del Norte), class shares by hour
  (`share_by_hour`): each class's trips made by hour are the fluid inversion of its own lane
  type (class_made()), and the correction is one factor per class and hour
  (class_correction_round(), ROUNDS_BY_HOUR rounds, run with the file's layout).

The port's layout ([approach], lane storage, class approach: lines and tables marked LAYOUT) is
not derived here: --write keeps it from the file it rewrites (preserve_layout()), so that
rerunning the script rewrites the bundled files unchanged.

    python3 tools/derive_reacting.py --write                    # refused (see above)
    python3 tools/derive_reacting.py --compare output/bundled   # after garita run of each
    python3 tools/derive_reacting.py --day-sd                   # the day_sd measurement
"""

import argparse
import collections
import csv
import datetime
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import derive_scenarios as ds  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOST_AT_45_MIN = 8.0 / 60.0    # SANDAG 2006: 8 of 60 million potential trips at about 45 min
SIGMA = 1.0                    # ASSUMPTION: sd of the log of the tolerance
POSTED_UPDATE = "15m"          # ASSUMPTION: phone apps and radio refresh faster than CBP's hourly feed
START = "2025-09-01"           # a Monday: the first day of the held-out validation period
# ASSUMPTION, see latent(): where CBP posts a general wait far above the Ready wait
GENERAL_FILLS_ITS_LANES = {"san-ysidro-pov"}
# ASSUMPTION: SENTRI members, who pay for a short wait, tolerate this fraction of what other
# drivers tolerate (same spread); no published figure.
SENTRI_TOLERANCE_SCALE = 0.25
# Stacked booths (San Ysidro since 2014: 25 lanes, 46 double-stacked booths, GSA 2014; 34 lanes,
# 62 booths since 2019): one CBP "lane open" is a stacked booth of two inspection points, which
# gives STACK_GAIN times the throughput of a single point with the bundled log-normal inspection
# times (sd = 0.6 x mean; docs/scenario-format.md, "Stacked booths").
STACKED = {"san-ysidro-pov"}
STACK_GAIN = 1.53
NAMES = ["bota-pov", "pdn-pov", "ysleta-pov", "san-ysidro-pov", "ysleta-cov"]
DAY_TYPES = ["weekday", "saturday", "sunday"]
MIN_READINGS_DAY = 5           # an hour of a day type with fewer readings counts as closed
ROUNDS = 5                     # correction rounds by simulation
ROUND_REPS = 4                 # replications per correction round
GAIN = 0.7                     # damping of each correction round
FEED = {"general": "STANDARD", "ready": "READY", "sentri": "SENTRI", "fast": "FAST"}
# Class shares by hour of the day (`share_by_hour`), from the lanes open and the posted waits of
# each lane type (see class_made()): the scenarios whose posted waits miss by more than 15 minutes
# in some hour with one share for every hour.
SHARES_BY_HOUR = {"san-ysidro-pov", "pdn-pov"}
# ASSUMPTION: a SENTRI lane type that posts at least this wait (min) in every open hour of every
# day type holds a queue all day, so it works at capacity and its trips by hour follow from its own
# fluid inversion; one below it (SENTRI at the El Paso bridges) takes a fixed share of each hour.
QUEUED_MIN = 5.0
ROUNDS_BY_HOUR = 6             # correction rounds with a correction by class and hour


def norm_cdf(z):
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def norm_pdf(z):
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def norm_inv(p):
    lo, hi = -10.0, 10.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if norm_cdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


MU = math.log(45.0) - SIGMA * norm_inv(LOST_AT_45_MIN)   # log-minutes
TOL_MEAN = math.exp(MU + SIGMA * SIGMA / 2)
TOL_SD = TOL_MEAN * math.sqrt(math.exp(SIGMA * SIGMA) - 1)


def tol_cdf(w_min, scale=1.0):
    if w_min <= 0:
        return 0.0
    return norm_cdf((math.log(w_min) - MU - math.log(scale)) / SIGMA)


def slope_min(w_min, scale=1.0):
    """Minutes of posted wait per unit of log latent demand at a saturated lane: (1 - F) / f."""
    w = max(w_min, 5.0)
    z = (math.log(w) - MU - math.log(scale)) / SIGMA
    f = norm_pdf(z) / (SIGMA * w)
    return (1.0 - norm_cdf(z)) / f


def day_type(date):
    w = datetime.date.fromisoformat(date).weekday()
    return DAY_TYPES[0] if w < 5 else DAY_TYPES[w - 4]


def by_day_type(hourly, port, mode):
    """Median lanes open and mean posted wait by (lane, day type, hour); n readings."""
    lanes, waits = collections.defaultdict(list), collections.defaultdict(list)
    for r in hourly:
        if r["port_number"] == port and r["mode"] == mode:
            k = (r["lane"], day_type(r["date"]), int(r["hour"]))
            lanes[k].append(int(r["lanes_open"]))
            waits[k].append(float(r["delay_min"]))
    booths, wait = {}, {}
    for lane in FEED.values():
        for t in DAY_TYPES:
            b, w = [], []
            for h in range(24):
                v = lanes.get((lane, t, h), [])
                ok = len(v) >= MIN_READINGS_DAY
                b.append(int(math.floor(statistics.median(v) + 0.5)) if ok else 0)
                w.append(statistics.mean(waits[(lane, t, h)]) if ok else 0.0)
            booths[(lane, t)], wait[(lane, t)] = b, w
    return booths, wait


def day_sd_from_waits(hourly, port, mode, lanes, out=None):
    """Day-to-day swing of latent demand implied by the posted waits (log sd).

    For each day, the mean posted wait of the queued lanes over 08-19h (at least 8 of those 12
    readings present, else the day is skipped) is turned into log latent demand relative to
    capacity, -ln(1 - F(W)) (saturated lanes: latent x (1 - F(W)) = capacity). Its day-to-day
    variance, around the mean of its month and day type (seasons and weekends are not day-to-day
    swings), less the part that the hourly reading noise alone gives (the within-day variance of
    the readings' own -ln(1 - F) around their hour-of-day means, / readings a day), is day_sd^2.
    """
    hours = range(8, 20)
    per = collections.defaultdict(dict)
    for r in hourly:
        if r["port_number"] == port and r["mode"] == mode and r["lane"] in lanes and int(r["hour"]) in hours:
            per[(r["date"], r["lane"])][int(r["hour"])] = float(r["delay_min"])
    g = lambda w: -math.log(1.0 - tol_cdf(w))
    hour_means = collections.defaultdict(list)
    for (date, lane), hv in per.items():
        for h, w in hv.items():
            hour_means[(lane, h)].append(g(w))
    hour_means = {k: statistics.mean(v) for k, v in hour_means.items()}
    days = collections.defaultdict(list)
    noise = []
    for (date, lane), hv in per.items():
        if len(hv) < 8:
            continue
        x = [g(w) - hour_means[(lane, h)] for h, w in hv.items()]
        days[(date, lane)] = statistics.mean(x)
        noise.append(statistics.variance(x) / len(x))
    cells = collections.defaultdict(list)
    for (date, lane), m in days.items():
        cells[(date[:7], day_type(date), lane)].append(m)
    resid = []
    for v in cells.values():
        if len(v) >= 2:
            mu = statistics.mean(v)
            resid.extend((x - mu) ** 2 * len(v) / (len(v) - 1) for x in v)
    var = statistics.mean(resid) - statistics.mean(noise)
    sd = math.sqrt(max(0.0, var))
    if out is not None:
        out.append("day_sd %s %s %s: %d lane-days, total var %.5f, reading noise %.5f -> sd %.3f"
                   % (port, mode, "+".join(lanes), len(days), statistics.mean(resid), statistics.mean(noise), sd))
    return sd


def fluid_made(booths, waits, rel, s_gen):
    """Trips made by hour (vehicles) of the queued lanes: the fluid inversion, without slack."""
    C, Q, X = ds.fluid_inversion(booths, waits, rel)
    return [max(0.0, x) * 3600.0 / s_gen for x in X]


def lane_made(booths, waits, svc_s):
    """Trips made by hour (vehicles) in one lane type: its own fluid inversion, without slack."""
    cap = [b * 3600.0 / svc_s for b in booths]
    q = [waits[h] / 60.0 * cap[h] for h in range(24)]
    return [max(0.0, cap[h] + q[(h + 1) % 24] - q[h]) for h in range(24)]


def queued_lanes(sc, waits, booths):
    """The lane types taken to hold a queue all day: the general and Ready (standard and FAST) lanes,
    as in the fluid inversion of tools/derive_scenarios.py, and a SENTRI lane type that posts at
    least QUEUED_MIN minutes in every open hour of every day type."""
    return [l for l in sc["lanes"] if l != "sentri"
            or all(waits[l][t][h] >= QUEUED_MIN for t in DAY_TYPES for h in range(24) if booths[l][t][h] > 0)]


def class_made(sc, svc, booths, waits, t, share):
    """Trips made by class and hour on days of type t (ASSUMPTION: each class crosses in the first
    lane type it lists, its own). A class whose lane type holds a queue (queued_lanes()) makes what
    that lane type's own fluid inversion gives: the lanes open and the posted wait of each lane
    type, hour by hour, are what set the mix (CBP's archive has no volumes by class and hour). A
    class whose lane type holds no queue (SENTRI at the El Paso bridges) takes its fixed share of
    each hour's trips, as without shares by hour."""
    classes = dict(sc["classes"])
    queued = queued_lanes(sc, waits, booths)
    own = {c: classes[c][0] for c in share}
    made = {c: lane_made(booths[own[c]][t], waits[own[c]][t], svc[own[c]])
            for c in share if own[c] in queued}
    fixed = [c for c in share if c not in made]
    f = sum(share[c] for c in fixed)
    base = [sum(made[c][h] for c in made) for h in range(24)]
    for c in fixed:
        made[c] = [share[c] / (1.0 - f) * base[h] for h in range(24)]
    return made, queued


def derive_one(res, hourly, gen_scale=1.0, class_corr=None):
    """Latent demand tables, class shares and booth tables of one scenario; the general-only
    class's share is multiplied by gen_scale (the other queued class takes the difference).
    With class_corr ({class: 24 factors}, scenarios in SHARES_BY_HOUR) the trips made by class and
    hour come from class_made() and each class's latent demand is multiplied by its own factor by
    hour of day; the result then carries each class's share by hour ("share_by_hour")."""
    sc = res["sc"]
    port, mode = sc["port"], sc["mode"]
    trucks = bool(sc.get("trucks"))
    lanes = sc["lanes"]
    gr = [l for l in lanes if l != "sentri"]
    rel = dict(sc["ratio"])
    svc = res["svc"]
    share = dict(res["shares"])
    if sc["name"] in GENERAL_FILLS_ITS_LANES:
        # The general-only class fills the general lanes' daily capacity (so that they hold their
        # own, longer queue), the Ready class the rest of the queued trips.
        cap = res["cap_day"]
        rest = 1.0 - share.get("sentri", 0.0)
        share["general"] = rest * cap["general"] / (cap["general"] + cap["ready"])
        share["ready"] = rest - share["general"]
    first, other = ("standard-truck", "fast-truck") if trucks else ("general", "ready")
    delta = share[first] * (gen_scale - 1.0)
    share[first] += delta
    share[other] -= delta
    bt, wt = by_day_type(hourly, port, mode)
    booths = {l: {t: list(bt[(FEED[l], t)]) for t in DAY_TYPES} for l in lanes}
    waits = {l: {t: wt[(FEED[l], t)] for t in DAY_TYPES} for l in lanes}
    clear = {}
    if trucks:
        # ASSUMPTION: trucks in line when the cargo lanes close are cleared: the last hour's
        # booths stay open two more hours, without arrivals.
        for t in DAY_TYPES:
            open_h = [h for h in range(24) if any(booths[l][t][h] for l in lanes)]
            if not open_h:
                continue
            last = max(open_h)
            clear[t] = [(last + 1) % 24, (last + 2) % 24]
            for l in lanes:
                for h in clear[t]:
                    booths[l][t][h] = booths[l][t][last]
    s_gen = svc["general"]
    classes = dict(sc["classes"])
    latent, made = {}, {}
    for t in DAY_TYPES:
        m = fluid_made({l: booths[l][t] for l in gr}, {l: waits[l][t] for l in gr},
                       {l: rel[l] for l in gr}, s_gen)
        for h in clear.get(t, []):
            m[h] = 0.0
        for h in range(24):
            if not any(booths[l][t][h] for l in lanes):
                m[h] = 0.0
        # SENTRI: a fixed share of every hour's trips
        s_share = share.get("sentri", 0.0)
        m = [x / (1.0 - s_share) for x in m]
        if class_corr is not None:
            by_class, queued = class_made(sc, svc, booths, waits, t, share)
            m = [sum(by_class[c][h] for c in share) for h in range(24)]
        made[t] = m
        lat = {c: [0.0] * 24 for c in share}
        for h in range(24):
            for c, s in share.items():
                ws = [waits[l][t][h] for l in classes[c] if booths[l][t][h] > 0]
                w = min(ws) if ws else 0.0
                k = SENTRI_TOLERANCE_SCALE if c == "sentri" else 1.0
                if class_corr is None:
                    lat[c][h] = s * m[h] / (1.0 - tol_cdf(w, k))
                else:
                    lat[c][h] = by_class[c][h] / (1.0 - tol_cdf(w, k)) * class_corr[c][h]
        latent[t] = lat
    tot = {c: sum(sum(latent[t][c]) * (5 if t == "weekday" else 1) for t in DAY_TYPES) for c in share}
    allt = sum(tot.values())
    shares = ds.round_shares({c: tot[c] / allt for c in share})
    per_hour = {t: [sum(latent[t][c][h] for c in share) for h in range(24)] for t in DAY_TYPES}
    out = {"per_hour": per_hour, "shares": shares, "booths": booths, "waits": waits, "made": made,
           "clear": clear}
    if class_corr is not None:
        out["queued"] = queued
        out["share_by_hour"] = {
            c: {t: [latent[t][c][h] / per_hour[t][h] if per_hour[t][h] > 0 else shares[c]
                    for h in range(24)] for t in DAY_TYPES} for c in share}
        out["class_corr"] = class_corr
    return out


def toml_table(tables, fmt=lambda v: "%d" % round(v)):
    if all(tables[t] == tables["weekday"] for t in DAY_TYPES):
        return "[" + ", ".join(fmt(v) for v in tables["weekday"]) + "]"
    inner = ", ".join("%s = [%s]" % (t, ", ".join(fmt(v) for v in tables[t])) for t in DAY_TYPES)
    return "{ %s }" % inner


def scenario_text(res, d, day_sd, corr, s_sentri, gen_scale=1.0):
    """The scenario file: the base derivation's body with the reacting parts."""
    sc = res["sc"]
    name = sc["name"]
    trucks = bool(sc.get("trucks"))
    stacked = name in STACKED
    base = ds.scenario_toml(res, s_sentri)
    body = base[base.index('name = "'):]
    per_hour = {t: [d["per_hour"][t][h] * corr[h] for h in range(24)] for t in DAY_TYPES}
    lat_day = (5 * sum(per_hour["weekday"]) + sum(per_hour["saturday"]) + sum(per_hour["sunday"])) / 7
    made_day = (5 * sum(d["made"]["weekday"]) + sum(d["made"]["saturday"]) + sum(d["made"]["sunday"])) / 7
    demand = "per_hour = %s\nday_sd = %.2f" % (toml_table(per_hour), day_sd)
    body = re.sub(r"per_hour = \[[^\]]*\]\n(weekday_factors = \[[^\]]*\]\n)?", demand + "\n", body)
    for cid, s in d["shares"].items():
        body = re.sub(r'(id = "%s"\nshare = )[0-9.]+' % re.escape(cid), r"\g<1>%s" % s, body)
        if "share_by_hour" in d:
            sbh = toml_table(d["share_by_hour"][cid], fmt=lambda v: "%.3f" % v)
            body = re.sub(r'(id = "%s"\nshare = [0-9.]+\n)' % re.escape(cid),
                          lambda m: m.group(1) + "share_by_hour = %s\n" % sbh, body)
    for l in sc["lanes"]:
        tb = toml_table(d["booths"][l])
        body = re.sub(r'(id = "%s"\nkind = "[^"]*"\ndisplay = [^\n]*\n)booths = [^\n]*\n' % l,
                      lambda m: m.group(1) + "booths = %s\n" % tb, body)
        mx = max(max(d["booths"][l][t]) for t in DAY_TYPES)
        body = re.sub(r'(id = "%s"\nkind = [^\n]*\ndisplay = [^\n]*\nbooths = [^\n]*\nmax_booths = )(\d+)' % l,
                      lambda m: m.group(1) + str(max(int(m.group(2)), mx)), body)
        if stacked:
            m_s = round(res["svc"][l] * STACK_GAIN)
            body = re.sub(r'(id = "%s"\nkind = [^\n]*\ndisplay = [^\n]*\nbooths = [^\n]*\nmax_booths = \d+\n)'
                          r'service = [^\n]*' % l,
                          lambda m: m.group(1) + 'stacked = 2\nservice = { dist = "lognormal", mean = "%ds", sd = "%ds" }'
                          % (m_s, round(0.6 * m_s)), body)
    if "sentri" in d["shares"]:
        k = SENTRI_TOLERANCE_SCALE
        body = body.replace('id = "sentri"\nshare', 'id = "sentri"\ntolerance = { dist = "lognormal", mean = "%.0fm", sd = "%.0fm" }\nshare'
                            % (k * TOL_MEAN, k * TOL_SD))
    body = body.replace("Demand and booths derived", "Latent demand, travellers who react to the posted wait; booths derived")
    body = body.replace("Demanda y casetas derivadas", "Demanda latente, viajeros que reaccionan a la espera publicada; casetas derivadas")
    body = body.replace('replications = 10\n', 'replications = 10\nstart = "%s"\n' % START)
    body += ("\n[response]\n"
             "posted_update = \"%s\"\n"
             "tolerance = { dist = \"lognormal\", mean = \"%.0fm\", sd = \"%.0fm\" }\n"
             "shift = 0.0\n" % (POSTED_UPDATE, TOL_MEAN, TOL_SD))
    H = []
    w = lambda text, first="# - ", rest="#   ": H.extend(ds.wrap_comment(text, first, rest))
    c = H.append
    c("# %s" % sc["title"])
    c("#")
    w("Written by tools/derive_reacting.py (which reuses tools/derive_scenarios.py) from public CBP and "
      "BTS data, not needed at run time. docs/scenario-data.md explains every number and its source; "
      "docs/validation.md compares the simulated posted waits with CBP's. Every number not read from "
      "the data or a publication is marked ASSUMPTION.", "# ", "# ")
    c("#")
    c("# DEMAND (latent: the trips that would come with no wait; travellers react, [response])")
    w("Daily volume (trips made): %s." % res["volume_src"])
    w("Trips made by hour and day type: fluid inversion of CBP's mean posted waits (a lane with a "
      "queue works at capacity: arrivals(h) = capacity(h) + queue(h+1) - queue(h), queue(h) = posted "
      "wait(h) x capacity(h)) on the %s lanes, by day type (cbp_bwt_hourly_2025/"
      "bwt_hourly_el_paso_san_ysidro.csv, port_number = %s, mode = %s, 2025-03-28..2026-01-18). No "
      "night slack: with a response the queue need not empty each night, so the booths run at the "
      "utilisation the data gives (saturated while CBP posts a queue)."
      % ("/".join(FEED[l] for l in sc["lanes"] if l != "sentri"), sc["port"], sc["mode"]))
    if "share_by_hour" in d:
        cc = [x for v in d["class_corr"].values() for x in v]
        w("latent(h) = made(h) / (1 - F(posted(h))) per class, F the tolerance CDF, with the smallest "
          "posted wait among the class's lanes; then x a correction by class and hour of day found by "
          "simulation (the best of %d rounds, tools/derive_reacting.py; factors %.2f-%.2f). Latent "
          "trips a day %.0f, made %.0f." % (ROUNDS_BY_HOUR, min(cc), max(cc), lat_day, made_day))
    else:
        w("latent(h) = made(h) / (1 - F(posted(h))) per class, F the tolerance CDF, with the smallest "
          "posted wait among the class's lanes; then x a correction by hour of day found by simulation "
          "(the best of %d rounds, tools/derive_reacting.py; factors %s). Latent trips a day %.0f, made %.0f."
          % (ROUNDS, "%.2f-%.2f" % (min(corr), max(corr)), lat_day, made_day))
    w("day_sd %.2f: measured day-to-day swing of the posted waits, turned into log latent demand "
      "through the tolerance (tools/derive_reacting.py --day-sd; docs/scenario-data.md)." % day_sd)
    w("start %s (a Monday) and tables by day type (weekday / saturday / sunday): booths = median "
      "lanes open in that hour on days of that type; hours with fewer than %d readings are closed."
      % (START, MIN_READINGS_DAY))
    if trucks:
        w("Cargo: no readings on Sundays and on Saturday afternoons (closed); the last open hour's "
          "booths stay open two more hours, without arrivals, to clear trucks in line (ASSUMPTION).")
    c("#")
    c("# RESPONSE")
    w("tolerance: log-normal with F(45 min) = 8/60 (SANDAG 2006: about 8 of 60 million potential "
      "trips a year lost at an average delay of about 45 minutes); sd of its log %.1f (ASSUMPTION): "
      "mean %.0f min, sd %.0f min%s." % (SIGMA, TOL_MEAN, TOL_SD,
                                        "; trucks use it too (ASSUMPTION: no published truck figure; a "
                                        "truck that gives up here crosses at another cargo bridge)"
                                        if trucks else ""))
    if "sentri" in d["shares"]:
        w("SENTRI members tolerate %.2f of that (ASSUMPTION: they pay for a short wait)."
          % SENTRI_TOLERANCE_SCALE)
    w("shift = 0 (ASSUMPTION: SANDAG counts trips lost, not moved); posted wait refreshed every %s "
      "(ASSUMPTION: phone apps and radio refresh faster than CBP's hourly feed)." % POSTED_UPDATE)
    c("#")
    c("# CLASSES")
    if "sentri" in d.get("queued", []):
        w("sentri: about 30 percent of San Ysidro traffic uses the SENTRI lanes (CBP, 2011); that "
          "figure sets the SENTRI booth cycle (docs/scenario-data.md, section 3), and the SENTRI "
          "class's share by hour follows its own lanes (below).")
    elif "sentri" in d["shares"]:
        w("sentri: %s" % ("about 30 percent of San Ysidro traffic uses the SENTRI lanes (CBP, 2011)"
                          if "sentri_share" in sc else
                          "ASSUMPTION: 30% of El Paso passenger vehicles are SENTRI (the San Ysidro "
                          "figure, CBP 2011), less the SENTRI-only Good Neighbor bridge, split by "
                          "SENTRI lane-hours"))
    if name in GENERAL_FILLS_ITS_LANES:
        w("The general-only class fills the general lanes' daily capacity (ASSUMPTION: CBP posts a "
          "general wait about 20 minutes above the Ready wait here).")
    else:
        w("The general-only (standard) class is the smallest hourly share of its lanes in the capacity "
          "(ASSUMPTION: no split is published); the other class fills the rest.")
    if "share_by_hour" in d:
        q = d["queued"]
        w("share_by_hour: each class's share of the latent trips in each hour and day type, from the "
          "trips made by class: a class whose own lane type holds a queue (%s; SENTRI when it posts "
          "at least %.0f min in every open hour) is taken to keep it at capacity (ASSUMPTION), so its "
          "trips made by hour are that lane type's own fluid inversion (lanes open and posted wait by lane type and hour, the archive "
          "above; CBP publishes no volumes by class and hour)%s. share = the class's share of the "
          "latent trips over a week." % ("/".join(FEED[l] for l in q), QUEUED_MIN,
                                          "" if len(q) == len(sc["lanes"]) else
                                          "; %s take their fixed share of every hour"
                                          % "/".join(FEED[l] for l in sc["lanes"] if l not in q)))
    else:
        w("Shares are those of the latent trips over a week, with the general-only class's share x "
          "%.2f, found by simulation with the hourly correction (it sets the gap between the general "
          "and the %s posted waits)." % (gen_scale, "FAST" if trucks else "Ready"))
    c("#")
    c("# LANES")
    w("service: effective booth cycle (inspection plus move-up and idle gaps), log-normal with sd = "
      "%.1f x mean (ASSUMPTION), such that the booths' daily capacity equals the daily volume; ratio "
      "to the general lane %s (ASSUMPTION). Published primary inspections are shorter (about 34 s at "
      "El Paso, TRR 1942, 2006; Ready Lane 20-30 s, CBP 2015)."
      % (sc["cv"], ", ".join("%s %.2f" % (l, r) for l, r in sc["ratio"].items() if l != "general")))
    if stacked:
        w("stacked = 2: since 2014 every San Ysidro lane has two inspection points in tandem (25 lanes, "
          "46 booths in 2014, GSA; 34 lanes, 62 booths since 2019). CBP's lanes open count stacked "
          "booths; each point's mean inspection is %.2f x the effective cycle, the throughput gain of a "
          "stacked booth with these inspection times (docs/scenario-format.md)." % STACK_GAIN)
    c("")
    return "\n".join(H) + "\n" + body


def run_garita(path, out, reps):
    exe = os.path.join(REPO, "target", "release", "garita")
    cmd = [exe, "run", path, "-o", out, "-q"]
    if reps:
        cmd += ["--replications", str(reps)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def posted_by_hour(folder):
    out = {}
    with open(os.path.join(folder, "hourly.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["metric"] == "posted_wait_mean_s" and r["group"].startswith("lane:") and r["mean"] not in ("", "NaN", "nan"):
                out[(r["group"][5:], int(r["hour"]))] = float(r["mean"]) / 60.0
    return out


def observed_by_hour(res):
    return res["obs_wait"]


def errors(res, sim):
    """(lane, hour, observed, simulated, error) for the open hours of each lane."""
    rows = []
    for l in res["sc"]["lanes"]:
        for h in range(24):
            obs = res["obs_wait"][l][h]
            if (res["booths"][l][h] == 0 or h in res["closed_hours"] or (l, h) not in sim
                    or obs is None):
                continue
            rows.append((l, h, obs, sim[(l, h)], sim[(l, h)] - obs))
    return rows


def period_waits(hourly, sc, date_from, date_to):
    """CBP's mean posted wait by lane and hour over the readings dated date_from..date_to
    (inclusive); None for an hour without readings (errors() skips it). Over the whole archive
    these are the summary's means (res["obs_wait"])."""
    sums = collections.defaultdict(lambda: [0.0, 0])
    for r in hourly:
        if (r["port_number"] == sc["port"] and r["mode"] == sc["mode"]
                and date_from <= r["date"] <= date_to):
            s = sums[(r["lane"], int(r["hour"]))]
            s[0] += float(r["delay_min"])
            s[1] += 1
    out = {}
    for l in sc["lanes"]:
        out[l] = []
        for h in range(24):
            s = sums.get((FEED[l], h))
            out[l].append(s[0] / s[1] if s else None)
    return out


def lane_mean_errors(res, sim):
    """Mean posted-wait error (min) of each lane over its open hours."""
    out = {}
    for l in res["sc"]["lanes"]:
        le = [e[4] for e in errors(res, sim) if e[0] == l]
        if le:
            out[l] = sum(le) / len(le)
    return out


def gen_scale_round(res, gen_scale, sim):
    """Moves the general-only class's share by exp(-GAIN x (mean error of its lanes - mean error
    of the other queued lanes) / slope): the share, not the hourly profile, sets the gap between
    the general and the Ready (FAST) posted waits."""
    sc = res["sc"]
    other = "fast" if sc.get("trucks") else "ready"
    m = lane_mean_errors(res, sim)
    if "general" not in m or other not in m:
        return gen_scale
    obs = [res["obs_wait"]["general"][h] for h in range(24) if res["booths"]["general"][h] > 0]
    w = sum(obs) / len(obs)
    return gen_scale * math.exp(-GAIN * (m["general"] - m[other]) / slope_min(w))


def lanes_error(res, sim, lanes, h, cycle):
    """The capacity-weighted posted-wait error (simulated - observed) of `lanes` in hour h and
    their capacity-weighted observed wait, capacity = booths / cycle[lane]; None when none of
    them is open with a simulated value in that hour."""
    num = den = obs_w = 0.0
    for l in lanes:
        b = res["booths"][l][h]
        if b == 0 or h in res["closed_hours"] or (l, h) not in sim:
            continue
        cap = b / cycle[l]
        num += cap * (sim[(l, h)] - res["obs_wait"][l][h])
        obs_w += cap * res["obs_wait"][l][h]
        den += cap
    if den == 0:
        return None
    return num / den, obs_w / den


def correction_round(res, d, corr, sim):
    """Multiplies the latent demand of the hour when the vehicles served in hour h joined (h less
    the posted wait, rounded to hours) by exp(-GAIN x error / slope), error the capacity-weighted
    posted-wait error of the queued lanes in hour h."""
    sc = res["sc"]
    gr = [l for l in sc["lanes"] if l != "sentri"]
    new = list(corr)
    for h in range(24):
        ew = lanes_error(res, sim, gr, h, sc["ratio"])
        if ew is None:
            continue
        e, w = ew
        # The wait posted in hour h is that of vehicles that joined about w minutes earlier.
        j = (h - int(round(w / 60.0))) % 24
        new[j] *= math.exp(-GAIN * e / slope_min(w))
    return new


def class_correction_round(res, d, sim):
    """With shares by hour: multiplies each class's latent demand of the hour when the vehicles
    served in hour h joined (h less the posted wait, rounded to hours) by exp(-GAIN x error /
    slope), error the posted-wait error of the class's own lane type in hour h (slope with the
    class's tolerance)."""
    sc = res["sc"]
    classes = dict(sc["classes"])
    new = {c: list(v) for c, v in d["class_corr"].items()}
    for c in new:
        # Its own lane type, and for a non-SENTRI class the other queued lanes it may use (a
        # Ready traveller also joins a general lane): capacity-weighted, as in correction_round().
        own = classes[c][0]
        ls = [own] + ([l for l in classes[c][1:] if l != "sentri"] if own != "sentri" else [])
        k = SENTRI_TOLERANCE_SCALE if c == "sentri" else 1.0
        for h in range(24):
            ew = lanes_error(res, sim, ls, h, res["svc"])
            if ew is None:
                continue
            e, w = ew
            j = (h - int(round(w / 60.0))) % 24
            new[c][j] *= math.exp(-GAIN * e / slope_min(w, k))
    return new


# San Ysidro before its 2014 expansion (ASSUMPTIONS from the published layout): 24 northbound
# lanes with 30 single booths (San Diego Union-Tribune, 2011-02-24, CBP table), against 25 lanes
# with 46 double-stacked booths after (GSA, 2014-11-10). The variant keeps everything of the
# bundled scenario (latent demand, response, inspection times) but opens, in each hour, 30/24
# single booths for each stacked booth CBP reports open today, not stacked.
PRE_2014_BOOTHS_PER_LANE = 30.0 / 24.0


def before_2014(path_in, path_out):
    with open(path_in) as f:
        text = f.read()
    body = text[text.index('name = "'):]
    scale = lambda m: "[" + ", ".join("%d" % round(int(x) * PRE_2014_BOOTHS_PER_LANE)
                                      for x in m.group(1).split(",")) + "]"
    out = []
    for ln in body.splitlines():
        if ln.startswith("booths = "):
            ln = re.sub(r"\[([0-9, ]+)\]", scale, ln)
        elif ln.startswith("max_booths = "):
            ln = "max_booths = %d" % math.ceil(int(ln.split("=")[1]) * PRE_2014_BOOTHS_PER_LANE)
        elif ln == "stacked = 2":
            continue
        elif ln.startswith('name = '):
            ln = 'name = "san-ysidro-pov-before-2014"'
        elif ln.startswith("description = "):
            ln = ('description = { en = "San Ysidro as before its 2014 expansion: 30 single booths for 24 lanes '
                  'instead of stacked booths, with today\'s latent demand and response.", es = "San Ysidro como antes '
                  'de su ampliación de 2014: 30 casetas sencillas para 24 carriles en lugar de casetas dobles, con la '
                  'demanda latente y la respuesta de hoy." }')
        elif ln.startswith("display = ") and "San Ysidro" in ln:
            ln = ('display = { en = "San Ysidro before the 2014 expansion (model)", es = "San Ysidro antes de la '
                  'ampliación de 2014 (modelo)" }')
        out.append(ln)
    head = [
        "# San Ysidro, northbound passenger vehicles, as before the 2014 expansion (a what-if on the",
        "# bundled scenarios/san-ysidro-pov.toml, written by tools/derive_reacting.py --write).",
        "#",
        "# Everything but the booths is the bundled scenario's (latent demand, response, inspection",
        "# times). Before Phase 1B the port had 24 northbound lanes with 30 booths (San Diego",
        "# Union-Tribune, 2011-02-24, CBP table), not stacked; since then 25 lanes with 46 double-stacked",
        "# booths (GSA, 2014-11-10), today 34 lanes with 62. ASSUMPTION: each stacked booth CBP reports",
        "# open today stands for %.2f single booths of the old layout (30/24), rounded, hour by hour;" % PRE_2014_BOOTHS_PER_LANE,
        "# the inspection time per vehicle is the same.",
        "#",
        "#   garita compare scenarios/alternatives/san-ysidro-pov-before-2014.toml scenarios/san-ysidro-pov.toml",
        "#",
        "# measures the expansion under common random numbers (docs/validation.md, 'San Ysidro 2014').",
        "",
    ]
    with open(path_out, "w") as f:
        f.write("\n".join(head) + "\n".join(out) + "\n")


# The port's layout (`[approach]`, lane `storage`, class `approach`; docs/scenario-data.md,
# section 11) is not derived here: it is kept from the file being rewritten. Its key lines carry a
# "# LAYOUT" comment, and its tables follow a comment line that starts with "# LAYOUT" after the
# body.
def _layout_tail_start(lines):
    body = next((i for i, ln in enumerate(lines) if ln.startswith('name = "')), len(lines))
    return next((i for i in range(body, len(lines)) if lines[i].startswith("# LAYOUT")), None)


def _entry_of(lines, i):
    """(table header, id) of the [[...]] entry that holds line i, or None."""
    head = None
    for k in range(i, -1, -1):
        if lines[k].startswith("["):
            head = k
            break
    if head is None or not lines[head].startswith("[["):
        return None
    for k in range(head + 1, len(lines)):
        if lines[k].startswith("["):
            break
        m = re.match(r'id = "([^"]*)"', lines[k])
        if m:
            return lines[head], m.group(1)
    return None


def strip_layout(text):
    """The text without its layout lines and tables."""
    lines = text.split("\n")
    t = _layout_tail_start(lines)
    if t is not None:
        lines = lines[:t]
        while lines and lines[-1] == "":
            lines.pop()
        lines.append("")
    return "\n".join(ln for ln in lines if not (not ln.startswith("#") and "# LAYOUT" in ln))


def preserve_layout(old, new):
    """new with old's layout: each "# LAYOUT" key line goes back into the entry of the same table
    and id, after the key that preceded it in old (at the entry's end if that key is gone), and
    old's layout tables are appended."""
    o = old.split("\n")
    lines = strip_layout(new).split("\n")
    for i, ln in enumerate(o):
        if ln.startswith("#") or "# LAYOUT" not in ln:
            continue
        entry = _entry_of(o, i)
        prev = o[i - 1].split("=")[0].strip()
        # the same entry in the new text
        at = None
        for k in range(len(lines)):
            if _entry_of(lines, k) == entry and not lines[k].startswith("["):
                if lines[k].split("=")[0].strip() == prev:
                    at = k + 1
                    break
                if lines[k].strip():
                    at = k + 1
        if at is None:
            raise SystemExit("cannot place layout line %r: no entry %r" % (ln, entry))
        lines.insert(at, ln)
    t = _layout_tail_start(o)
    out = "\n".join(lines)
    if t is not None:
        out = out.rstrip("\n") + "\n\n" + "\n".join(o[t:])
    return out


def write_keeping_layout(path, text, old):
    """Writes text to path, with the layout of old (the file as it was before --write)."""
    with open(path, "w") as f:
        f.write(preserve_layout(old, text) if old is not None else text)


def staffed_alternative(path_in, path_alt):
    """Rewrites an alternative that differs from its base only in name, description and booths
    (scenarios/alternatives/bota-pov-staffed.toml) on the new base, keeping those lines."""
    with open(path_alt) as f:
        old = f.read()
    head = old[:old.index('name = "')]
    name_desc = re.search(r'name = "[^"]*"\ndescription = [^\n]*\n', old).group(0)
    booths = re.findall(r"^booths = .*$", old, re.M)
    with open(path_in) as f:
        new = strip_layout(f.read())
    body = new[new.index('name = "'):]
    body = re.sub(r'name = "[^"]*"\ndescription = [^\n]*\n', lambda m: name_desc, body, count=1)
    lines, k = body.split("\n"), 0
    for i, ln in enumerate(lines):
        if ln.startswith("booths = "):
            lines[i] = booths[k]
            k += 1
    write_keeping_layout(path_alt, head + "\n".join(lines), old)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="data folder (default: <repo>/../shared/data)")
    ap.add_argument("--write", action="store_true", help="rewrite scenarios/<name>.toml")
    ap.add_argument("--only", action="append", help="only this scenario (repeatable)")
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--rounds-by-hour", type=int, default=ROUNDS_BY_HOUR)
    ap.add_argument("--compare", metavar="DIR", help="compare DIR/<name>/hourly.csv with CBP's posted waits")
    ap.add_argument("--period", nargs=2, metavar=("FROM", "TO"),
                    help="with --compare: CBP's hourly means over FROM..TO (dates, inclusive) instead "
                         "of the whole archive (2025-03-28..2026-01-18), e.g. a calibration period")
    ap.add_argument("--day-sd", action="store_true", help="print the day_sd measurement")
    ap.add_argument("--layout-queues", action="store_true",
                    help="print the lane queues CBP's posted waits imply (sources of lane storage)")
    args = ap.parse_args()
    if args.write:
        sys.exit("derive_reacting: --write is refused: the bundled port scenarios are written by "
                 "garita calibrate (tools/calibrate_bundled.sh --write; docs/scenario-data.md)")
    dd = ds.data_dir(args.data)
    tx, bts, summ, hourly = ds.load_tx(dd), ds.load_bts(dd), ds.load_summary(dd), ds.load_hourly(dd)
    out = []
    s_sentri = ds.stanton_sentri(tx, summ, out)
    ep_sentri = ds.el_paso_sentri(tx, summ, out)
    print("tolerance: log-normal, mu %.3f, sigma %.2f (log-minutes): mean %.1f min, sd %.1f min,"
          " F(45) = %.3f" % (MU, SIGMA, TOL_MEAN, TOL_SD, tol_cdf(45.0)))
    names = args.only or NAMES
    for sc in ds.SCENARIOS:
        if sc["name"] not in names:
            continue
        res = ds.derive(dict(sc, rho=1.0), tx, bts, summ, hourly, s_sentri, ep_sentri)
        queued = [FEED[l] for l in sc["lanes"] if l != "sentri"]
        msg = []
        day_sd = round(day_sd_from_waits(hourly, sc["port"], sc["mode"], queued, msg), 2)
        if args.day_sd:
            print("\n".join(msg))
        if args.layout_queues:
            layout_queues(res, hourly)
        d = derive_one(res, hourly)
        path = os.path.join(REPO, "scenarios", sc["name"] + ".toml")
        old = None
        if args.write and os.path.exists(path):
            with open(path) as f:
                old = f.read()
        if args.write and sc["name"] in SHARES_BY_HOUR:
            write_by_hour(res, hourly, day_sd, s_sentri, path, args.rounds_by_hour, old)
        elif args.write:
            corr, gen = [1.0] * 24, 1.0
            best = None
            with tempfile.TemporaryDirectory() as tmp:
                for k in range(args.rounds + 1):
                    d = derive_one(res, hourly, gen)
                    # The rounds run the file as it is written, layout included.
                    write_keeping_layout(path, scenario_text(res, d, day_sd, corr, s_sentri, gen), old)
                    o = os.path.join(tmp, "r%d" % k)
                    run_garita(path, o, ROUND_REPS)
                    errs = errors(res, posted_by_hour(o))
                    mae = sum(abs(e[4]) for e in errs) / len(errs)
                    worst = max(errs, key=lambda e: abs(e[4]))
                    print("%s round %d: posted-wait MAE %.1f min, worst %+.1f (%s %02dh)"
                          % (sc["name"], k, mae, worst[4], worst[0], worst[1]))
                    if best is None or abs(worst[4]) < best[0]:
                        best = (abs(worst[4]), corr, gen)
                    sim = posted_by_hour(o)
                    corr = correction_round(res, d, corr, sim)
                    gen = gen_scale_round(res, gen, sim)
            # the round with the smallest largest error
            d = derive_one(res, hourly, best[2])
            write_keeping_layout(path, scenario_text(res, d, day_sd, best[1], s_sentri, best[2]), old)
            print("wrote", path)
        if args.write and sc["name"] == "bota-pov":
            alt = os.path.join(REPO, "scenarios", "alternatives", "bota-pov-staffed.toml")
            staffed_alternative(path, alt)
            print("wrote", alt)
        if args.write and sc["name"] == "san-ysidro-pov":
            alt = os.path.join(REPO, "scenarios", "alternatives", "san-ysidro-pov-before-2014.toml")
            before_2014(path, alt)
            print("wrote", alt)
        if args.compare:
            folder = os.path.join(args.compare, sc["name"])
            if os.path.exists(os.path.join(folder, "hourly.csv")):
                if args.period:
                    res = dict(res, obs_wait=period_waits(hourly, res["sc"], *args.period))
                compare(res, posted_by_hour(folder))


def layout_queues(res, hourly):
    """The queue each queued lane type holds by CBP's posted waits: for every hourly reading with a
    lane open, posted wait x lanes open x 3600 / the lane's mean service time (the fluid relation
    of derive_one). A lane's `storage` below these figures cannot hold the queues behind CBP's
    separate lane waits (docs/scenario-data.md, section 11)."""
    sc = res["sc"]
    for l in sc["lanes"]:
        if l == "sentri":
            continue
        svc = res["svc"][l]
        q = sorted(float(r["delay_min"]) * 60.0 * int(r["lanes_open"]) / svc for r in hourly
                   if r["port_number"] == sc["port"] and r["mode"] == sc["mode"]
                   and r["lane"] == FEED[l] and int(r["lanes_open"]) > 0)
        if not q:
            continue
        pc = lambda p: q[min(len(q) - 1, int(p * len(q)))]
        print("%s %s: implied queue over %d readings (service %.0f s): mean %.0f, p50 %.0f, p90 %.0f,"
              " p95 %.0f, p99 %.0f cars" % (sc["name"], l, len(q), svc, statistics.mean(q), pc(0.5),
                                              pc(0.9), pc(0.95), pc(0.99)))


def write_by_hour(res, hourly, day_sd, s_sentri, path, rounds, old):
    """The correction rounds by class and hour of a scenario in SHARES_BY_HOUR; writes the round
    whose largest hourly error is smallest."""
    name = res["sc"]["name"]
    cc = {c: [1.0] * 24 for c in res["shares"]}
    best = None
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(rounds + 1):
            d = derive_one(res, hourly, 1.0, cc)
            # The rounds run the file as it is written, layout included.
            write_keeping_layout(path, scenario_text(res, d, day_sd, [1.0] * 24, s_sentri), old)
            o = os.path.join(tmp, "r%d" % k)
            run_garita(path, o, ROUND_REPS)
            sim = posted_by_hour(o)
            errs = errors(res, sim)
            mae = sum(abs(e[4]) for e in errs) / len(errs)
            worst = max(errs, key=lambda e: abs(e[4]))
            print("%s round %d: posted-wait MAE %.1f min, worst %+.1f (%s %02dh)"
                  % (name, k, mae, worst[4], worst[0], worst[1]))
            if best is None or abs(worst[4]) < best[0]:
                best = (abs(worst[4]), cc)
            cc = class_correction_round(res, d, sim)
    d = derive_one(res, hourly, 1.0, best[1])
    write_keeping_layout(path, scenario_text(res, d, day_sd, [1.0] * 24, s_sentri), old)
    print("wrote", path)


def compare(res, sim):
    name = res["sc"]["name"]
    errs = errors(res, sim)
    for l in res["sc"]["lanes"]:
        le = [e for e in errs if e[0] == l]
        if not le:
            continue
        mae = sum(abs(e[4]) for e in le) / len(le)
        worst = max(le, key=lambda e: abs(e[4]))
        om = sum(e[2] for e in le) / len(le)
        sm = sum(e[3] for e in le) / len(le)
        within = sum(1 for e in le if abs(e[4]) < 15.0)
        print("| %s | %s | %d | %.1f | %+.1f (%02dh) | %d of %d | %.1f / %.1f |"
              % (name, l, len(le), mae, worst[4], worst[1], within, len(le), om, sm))


if __name__ == "__main__":
    main()
