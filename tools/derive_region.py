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


def fit(rounds, reps=4, gain=0.7):
    """Tries to bring each bridge's posted wait by hour to CBP's by simulation: each round runs
    the region (reps replications) on a copy of the region file, then multiplies the region's
    demand of the hour when the vehicles served in hour h joined by exp(-gain x e(h) / slope),
    e(h) the capacity-weighted error of the queued lanes of all bridges, and each origin's share
    by exp(-gain x sum over ports of P0(port | origin) x (port's mean error - the region's) /
    slope), P0 the logit share at zero wait. Prints each round's errors; writes nothing."""
    import subprocess
    import tempfile
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import derive_reacting as dr  # noqa: E402
    import derive_scenarios as ds  # noqa: E402
    import re
    dd = ds.data_dir(None)
    tx, bts, summ, hourly = ds.load_tx(dd), ds.load_bts(dd), ds.load_summary(dd), ds.load_hourly(dd)
    out = []
    s_sentri, ep_sentri = ds.stanton_sentri(tx, summ, out), ds.el_paso_sentri(tx, summ, out)
    res = {}
    for p in PORTS:
        sc = next(x for x in ds.SCENARIOS if x["name"] == f"{p}-pov")
        res[p] = ds.derive(dict(sc, rho=1.0), tx, bts, summ, hourly, s_sentri, ep_sentri)
    src = (ROOT / "scenarios/regions/el-paso.toml").read_text()
    doc = tomllib.loads(src)
    base = tables(doc["demand"]["per_hour"])
    origins = [o["id"] for o in doc["origins"]]
    w = {o["id"]: o["share"] for o in doc["origins"]}
    p0 = {}
    for o in doc["origins"]:
        t = [parse_min(o["travel"][p]) for p in PORTS]
        e = [math.exp(-x / SCALE_MIN) for x in t]
        p0[o["id"]] = [x / sum(e) for x in e]
    corr = [1.0] * 24
    exe = ROOT / "target/release/garita"
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(rounds + 1):
            ph = {d: [round(base[d][h] * corr[h]) for h in range(24)] for d in base}
            text = re.sub(r"per_hour = \{[^\n]*\}", "per_hour = { %s }" % ", ".join(
                "%s = %s" % (d, ph[d]) for d in ["weekday", "saturday", "sunday"]), src)
            tot = sum(w.values())
            sh = [round(w[o] / tot, 3) for o in origins]
            sh[-1] = round(1.0 - sum(sh[:-1]), 3)
            it = iter(sh)
            text = re.sub(r"(\[\[origins\]\]\nid = \"[^\"]*\"\nshare = )[0-9.]+",
                          lambda m: m.group(1) + "%.3f" % next(it), text)
            path = pathlib.Path(tmp) / "regions" / "el-paso.toml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(text.replace('scenario = "../', 'scenario = "%s/scenarios/' % ROOT))
            o_dir = pathlib.Path(tmp) / ("r%d" % k)
            subprocess.run([str(exe), "run", str(path), "-o", str(o_dir), "-q", "--replications", str(reps)],
                           check=True, stdout=subprocess.DEVNULL)
            sim = dr.posted_by_hour(str(o_dir))
            num = [0.0] * 24
            den = [0.0] * 24
            obs_w = [0.0] * 24
            port_err = {}
            worst = (0.0, "", "", 0)
            for p in PORTS:
                sc = res[p]["sc"]
                pn = pd = 0.0
                for lane in sc["lanes"]:
                    for h in range(24):
                        b = res[p]["booths"][lane][h]
                        if b == 0 or (f"{p}/{lane}", h) not in sim:
                            continue
                        e = sim[(f"{p}/{lane}", h)] - res[p]["obs_wait"][lane][h]
                        if abs(e) > abs(worst[0]):
                            worst = (e, p, lane, h)
                        if lane == "sentri":
                            continue
                        cap = b / res[p]["svc"][lane]
                        num[h] += cap * e
                        den[h] += cap
                        obs_w[h] += cap * res[p]["obs_wait"][lane][h]
                        pn += cap * e
                        pd += cap
                port_err[p] = pn / pd
            allm = sum(num) / sum(den)
            within = sum(1 for p in PORTS for lane in res[p]["sc"]["lanes"] for h in range(24)
                         if (f"{p}/{lane}", h) in sim and res[p]["booths"][lane][h] > 0
                         and abs(sim[(f"{p}/{lane}", h)] - res[p]["obs_wait"][lane][h]) < 15.0)
            print("round %d: worst %+.1f (%s %s %02dh), lane-hours within 15 min %d, port mean errors %s, origins %s"
                  % (k, worst[0], worst[1], worst[2], worst[3], within,
                     {p: round(v, 1) for p, v in port_err.items()}, dict(zip(origins, sh))))
            for h in range(24):
                if den[h] == 0:
                    continue
                e, wo = num[h] / den[h], obs_w[h] / den[h]
                j = (h - int(round(wo / 60.0))) % 24
                corr[j] *= math.exp(-gain * e / dr.slope_min(wo))
            wbar = sum(obs_w) / sum(den)
            for o in origins:
                d = sum(p0[o][i] * (port_err[p] - allm) for i, p in enumerate(PORTS))
                w[o] *= math.exp(-gain * 3.0 * d / dr.slope_min(wbar))


def parse_min(t):
    return float(t[:-1]) if t.endswith("m") else float(t) / 60.0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--compare":
        compare(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "--fit":
        fit(int(sys.argv[2]) if len(sys.argv) > 2 else 6)
    else:
        main()
