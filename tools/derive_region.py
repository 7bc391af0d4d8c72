#!/usr/bin/env python3
"""Derives the numbers of scenarios/regions/el-paso.toml from the three bundled port scenarios.

Prints, for the region file: [demand] per_hour by day type (the sum of the ports' latent trips),
day_sd (the ports' mean weighted by latent trips), the class shares (the ports' shares weighted
by their latent trips) and the origin shares that make the logit shares of the ports at zero
wait equal their 2025 shares of northbound passenger vehicles (cbp_tx_crossings_monthly, as
written in the port scenarios' headers), given the travel times and scale below (ASSUMPTIONS,
documented in the region file).

Usage: tools/derive_region.py   (no data needed: it reads scenarios/*.toml)
       tools/derive_region.py --compare DIR   # after garita run scenarios/regions/el-paso.toml -o DIR:
                                              # each port's posted wait by lane and hour of the
                                              # clock against CBP's (../shared/data, as
                                              # tools/derive_reacting.py --compare)
"""
import math
import os
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PORTS = ["bota", "pdn", "ysleta"]
# Vehicles a day in 2025 (CBP monthly counts by bridge; port scenario headers).
VOLUME = {"bota": 9296, "pdn": 7394, "ysleta": 10329}
TRAVEL_MIN = {"centro": [12, 5, 30], "pronaf": [8, 15, 22], "oriente": [25, 32, 8]}
SCALE_MIN = 20.0


def tables(per_hour):
    if isinstance(per_hour, dict):
        wk = per_hour["weekday"]
        return {"weekday": wk, "saturday": per_hour.get("saturday", wk), "sunday": per_hour.get("sunday", wk)}
    return {"weekday": per_hour, "saturday": per_hour, "sunday": per_hour}


def main():
    docs = {p: tomllib.loads((ROOT / f"scenarios/{p}-pov.toml").read_text()) for p in PORTS}
    demand = {p: tables(d["demand"]["per_hour"]) for p, d in docs.items()}
    week = {p: 5 * sum(t["weekday"]) + sum(t["saturday"]) + sum(t["sunday"]) for p, t in demand.items()}
    total = sum(week.values())
    for kind in ["weekday", "saturday", "sunday"]:
        row = [round(sum(demand[p][kind][h] for p in PORTS)) for h in range(24)]
        print(f"{kind} = {row}  # {sum(row)} a day")
    day_sd = sum(docs[p]["demand"].get("day_sd", 0.0) * week[p] for p in PORTS) / total
    print(f"day_sd = {day_sd:.3f}")
    shares = {}
    for p in PORTS:
        for c in docs[p]["classes"]:
            shares[c["id"]] = shares.get(c["id"], 0.0) + c["share"] * week[p] / total
    print("class shares:", {c: round(s, 4) for c, s in shares.items()})
    # Origin shares: A s = target, A[port][origin] the logit share at zero wait.
    names = list(TRAVEL_MIN)
    a = [[0.0] * 3 for _ in range(3)]
    for j, o in enumerate(names):
        w = [math.exp(-t / SCALE_MIN) for t in TRAVEL_MIN[o]]
        for i in range(3):
            a[i][j] = w[i] / sum(w)
    tv = sum(VOLUME.values())
    target = [VOLUME[p] / tv for p in PORTS]

    def det(m):
        return (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))

    d = det(a)
    for j, o in enumerate(names):
        m = [row[:] for row in a]
        for i in range(3):
            m[i][j] = target[i]
        print(f"origin {o}: share {det(m) / d:.3f}")
    print("target port shares:", {p: round(t, 3) for p, t in zip(PORTS, target)})


def compare(folder):
    """The in-sample table of docs/validation.md for the ports of a region run: simulated posted
    wait (`posted_wait_mean_s` of lane:<port>/<lane>) against CBP's mean posted wait by hour."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import derive_reacting as dr  # noqa: E402
    import derive_scenarios as ds  # noqa: E402
    dd = ds.data_dir(None)
    tx, bts, summ, hourly = ds.load_tx(dd), ds.load_bts(dd), ds.load_summary(dd), ds.load_hourly(dd)
    out = []
    s_sentri, ep_sentri = ds.stanton_sentri(tx, summ, out), ds.el_paso_sentri(tx, summ, out)
    sim = dr.posted_by_hour(folder)
    for p in PORTS:
        sc = next(s for s in ds.SCENARIOS if s["name"] == f"{p}-pov")
        res = ds.derive(dict(sc, rho=1.0), tx, bts, summ, hourly, s_sentri, ep_sentri)
        mine = {(lane[len(p) + 1:], h): v for (lane, h), v in sim.items() if lane.startswith(p + "/")}
        rows = dr.errors(res, mine)
        for lane in sc["lanes"]:
            le = [e for e in rows if e[0] == lane]
            if not le:
                continue
            mae = sum(abs(e[4]) for e in le) / len(le)
            worst = max(le, key=lambda e: abs(e[4]))
            within = sum(1 for e in le if abs(e[4]) < 15.0)
            print("| %s | %s | %d | %.1f | %+.1f (%02dh) | %d of %d | %.1f / %.1f |"
                  % (p, lane, len(le), mae, worst[4], worst[1], within, len(le),
                     sum(e[2] for e in le) / len(le), sum(e[3] for e in le) / len(le)))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--compare":
        compare(sys.argv[2])
    else:
        main()
