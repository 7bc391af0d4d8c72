#!/usr/bin/env python3
"""Derive reacting versions of the bundled passenger-vehicle scenarios (scenarios/reacting/).

Standard library only. Starts from the derivation of tools/derive_scenarios.py (booths,
inspection times, class shares and the hourly arrivals inverted from CBP's posted waits) and
adds what is needed for travellers who react to the posted wait:

* Tolerance (one for every passenger class; docs/validation.md, "Reacting scenarios"):
  log-normal, anchored on SANDAG (2006), "Economic impacts of wait times at the San
  Diego-Baja California border": at an average delay of about 45 minutes, about 8 million of
  about 60 million potential trips a year are lost, so F(45 min) = 8/60.  The spread of its
  logarithm, SIGMA, is an ASSUMPTION.
* Latent demand: the hourly arrivals of the base derivation are the trips made.  A trip made in
  hour h is a latent trip whose tolerance exceeded the posted wait W(h) (the capacity-weighted
  posted mean of the queued lanes), so latent(h) = made(h) / (1 - F(W(h))).  SENTRI members look
  at the SENTRI lanes' posted wait instead.  Class shares are those of the latent trips over
  the day (the format has one share per class).
* Response: shift = 0 (the SANDAG figure counts trips lost, not moved; ASSUMPTION), posted
  waits refreshed every POSTED_UPDATE.

    python3 tools/derive_reacting.py --write scenarios/reacting
    python3 tools/derive_reacting.py --compare output/reacting   # after garita run of each
"""

import argparse
import csv
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import derive_scenarios as ds  # noqa: E402

LOST_AT_45_MIN = 8.0 / 60.0    # SANDAG 2006: 8 of 60 million potential trips at about 45 min
SIGMA = 1.0                    # ASSUMPTION: sd of the log of the tolerance
POSTED_UPDATE = "15m"          # ASSUMPTION: phone apps and radio refresh faster than CBP's hourly feed
# ASSUMPTION, see reacting(): where CBP posts a general wait far above the Ready wait
GENERAL_FILLS_ITS_LANES = {"san-ysidro-pov"}
RHO = 1.0                      # trips made a day = the booths' daily capacity (no night slack)
NAMES = ["bota-pov", "pdn-pov", "ysleta-pov", "san-ysidro-pov"]


def norm_cdf(z):
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


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


# ASSUMPTION: SENTRI members, who pay for a short wait, tolerate this fraction of what other
# drivers tolerate (same spread); no published figure.
SENTRI_TOLERANCE_SCALE = 0.25


def reacting(res, text):
    sc = res["sc"]
    made = res["per_hour"]
    share = dict(res["shares"])
    if sc["name"] in GENERAL_FILLS_ITS_LANES:
        # The general-only class fills the general lanes' daily capacity (so that they hold their
        # own, longer queue), the Ready class the rest of the queued trips.
        cap = res["cap_day"]
        rest = 1.0 - share.get("sentri", 0.0)
        share["general"] = rest * cap["general"] / (cap["general"] + cap["ready"])
        share["ready"] = rest - share["general"]
    obs = res["obs_wait"]
    lanes_of = dict(sc["classes"])
    latent_cls = {c: [0.0] * 24 for c in share}
    for h in range(24):
        for c, s in share.items():
            # the smallest posted wait among the class's open lanes
            ws = [obs[l][h] for l in lanes_of[c] if res["booths"][l][h] > 0]
            w = min(ws) if ws else 0.0
            scale = SENTRI_TOLERANCE_SCALE if c == "sentri" else 1.0
            latent_cls[c][h] = s * made[h] / (1.0 - tol_cdf(w, scale))
    latent = [sum(latent_cls[c][h] for c in share) for h in range(24)]
    total = sum(latent)
    raw = {c: sum(latent_cls[c]) / total for c in share}
    shares = ds.round_shares(raw)
    per_hour = [int(round(x)) for x in latent]
    name = sc["name"] + "-reacting"
    lines = text.splitlines()
    out = []
    head = [
        "# Reacting version of scenarios/%s.toml (written by tools/derive_reacting.py): the same"
        % sc["name"],
        "# booths and inspection times; [demand] is the LATENT demand, and travellers react to the",
        "# posted wait ([response]). docs/validation.md, \"Reacting scenarios\", gives the sources:",
        "# - tolerance: log-normal with F(45 min) = 8/60 (SANDAG 2006: about 8 of 60 million potential",
        "#   trips a year lost at an average delay of about 45 minutes); sd of its log %.1f" % SIGMA,
        "#   (ASSUMPTION): mean %.0f min, sd %.0f min." % (TOL_MEAN, TOL_SD),
        "# - booths, inspection times, and the header below: as in the base scenario. Trips made by",
        "#   hour: the base scenario's fluid inversion of CBP's posted waits, without its night slack",
        "#   (rho = 1: the queue need not empty each night when travellers react).",
        "# - latent(h) = trips made(h) / (1 - F(posted wait(h))) per class, with the smallest posted",
        "#   wait (CBP's hourly mean) among the class's lanes; class shares are the latent ones.",
        ("# - SENTRI members tolerate %.2f of that (ASSUMPTION): mean %.0f min, sd %.0f min."
         % (SENTRI_TOLERANCE_SCALE, SENTRI_TOLERANCE_SCALE * TOL_MEAN, SENTRI_TOLERANCE_SCALE * TOL_SD)
         if "sentri" in share else "#"),
        ("# - the general-only class fills the general lanes' daily capacity (ASSUMPTION: CBP posts"
         " a general" if sc["name"] in GENERAL_FILLS_ITS_LANES else "#"),
        ("#   wait far above the Ready wait here)." if sc["name"] in GENERAL_FILLS_ITS_LANES else "#"),
        "# - shift = 0 (ASSUMPTION: SANDAG counts trips lost); posted wait refreshed every %s" % POSTED_UPDATE,
        "#   (ASSUMPTION: apps and radio refresh faster than CBP's hourly feed).",
        "# - latent trips a day: %s (trips made: %s)." % (sum(per_hour), sum(made)),
        "",
    ]
    out.extend(x for x in head if x != "#")
    for ln in lines:
        if ln.startswith("name = "):
            ln = 'name = "%s"' % name
        elif ln.startswith("per_hour = "):
            ln = "per_hour = " + ds.toml_int_list(per_hour)
        elif ln.startswith("description = "):
            ln = ln.replace("Demand and booths", "Latent demand, travellers who react to the posted wait; booths").replace(
                "Demanda y casetas", "Demanda latente, viajeros que reaccionan a la espera publicada; casetas")
        out.append(ln)
    body = "\n".join(out) + "\n"
    # class shares, in file order
    for c, s in shares.items():
        body = re.sub(r'(id = "%s"\nshare = )[0-9.]+' % re.escape(c), r"\g<1>%s" % s, body)
    if "sentri" in shares:
        k = SENTRI_TOLERANCE_SCALE
        body = body.replace('id = "sentri"\nshare', 'id = "sentri"\ntolerance = { dist = "lognormal", mean = "%.0fm", sd = "%.0fm" }\n'
                            % (k * TOL_MEAN, k * TOL_SD) + "share")
    body += (
        "\n[response]\n"
        "posted_update = \"%s\"\n"
        "tolerance = { dist = \"lognormal\", mean = \"%.0fm\", sd = \"%.0fm\" }\n"
        "shift = 0.0\n" % (POSTED_UPDATE, TOL_MEAN, TOL_SD)
    )
    return name, body


def compare(results, outroot):
    print("| scenario | lane | hours | mean abs. error (min) | largest error (min, hour) | posted mean observed / simulated |")
    print("|---|---|---|---|---|---|")
    for res in results:
        sc = res["sc"]
        folder = os.path.join(outroot, sc["name"] + "-reacting")
        if not os.path.exists(os.path.join(folder, "hourly.csv")):
            continue
        hourly = {}
        with open(os.path.join(folder, "hourly.csv"), newline="") as f:
            for r in csv.DictReader(f):
                hourly[(int(r["hour"]), r["group"], r["metric"])] = float(r["mean"])
        for l in sc["lanes"]:
            errs = []
            for h in range(24):
                obs = res["obs_wait"][l][h]
                sim = hourly.get((h, "lane:" + l, "posted_wait_mean_s"))
                if sim is None or res["booths"][l][h] == 0:
                    continue
                errs.append((sim / 60.0 - obs, h, obs, sim / 60.0))
            if not errs:
                continue
            mae = sum(abs(e[0]) for e in errs) / len(errs)
            worst = max(errs, key=lambda e: abs(e[0]))
            om = sum(e[2] for e in errs) / len(errs)
            smn = sum(e[3] for e in errs) / len(errs)
            print("| %s | %s | %d | %.1f | %+.1f (%02dh) | %.1f / %.1f |"
                  % (sc["name"], l, len(errs), mae, worst[0], worst[1], om, smn))
        print("")
        print("hourly %s:" % sc["name"])
        for l in sc["lanes"]:
            row = []
            for h in range(24):
                sim = hourly.get((h, "lane:" + l, "posted_wait_mean_s"))
                row.append("%2d:%3.0f/%s" % (h, res["obs_wait"][l][h], "%3.0f" % (sim / 60) if sim is not None else "  -"))
            print("  %-8s %s" % (l, " ".join(row)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="data folder (default: <repo>/../shared/data)")
    ap.add_argument("--write", metavar="DIR")
    ap.add_argument("--compare", metavar="DIR")
    args = ap.parse_args()
    d = ds.data_dir(args.data)
    tx, bts, summ, hourly = ds.load_tx(d), ds.load_bts(d), ds.load_summary(d), ds.load_hourly(d)
    out = []
    s_sentri = ds.stanton_sentri(tx, summ, out)
    ep_sentri = ds.el_paso_sentri(tx, summ, out)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    results = []
    print("tolerance: log-normal, mu %.3f, sigma %.2f (log-minutes): mean %.1f min, sd %.1f min,"
          " F(45) = %.3f" % (MU, SIGMA, TOL_MEAN, TOL_SD, tol_cdf(45.0)))
    for sc in ds.SCENARIOS:
        if sc["name"] not in NAMES:
            continue
        # No night slack: with a response the queue need not empty each night (RHO).
        res = ds.derive(dict(sc, rho=RHO), tx, bts, summ, hourly, s_sentri, ep_sentri)
        results.append(res)
        with open(os.path.join(repo, "scenarios", sc["name"] + ".toml")) as f:
            base = f.read()
        name, body = reacting(res, base)
        print("%s: F(posted) by hour %s" % (name, [round(tol_cdf(w), 2) for w in res["obs_wait_sat"]]))
        if args.write:
            os.makedirs(args.write, exist_ok=True)
            with open(os.path.join(args.write, name + ".toml"), "w") as f:
                f.write(body)
    if args.compare:
        compare(results, args.compare)


if __name__ == "__main__":
    main()
