#!/usr/bin/env python3
"""False-failure rate of the exact check of travellers who react (src/port/tests_response.rs,
`a_saturated_lane_settles_where_tolerance_balances_capacity`), run over many seeds.

Writes the test's scenario (one lane, 4 booths, exponential 60 s service, 360 latent trips an
hour, log-normal tolerance of mean 30 and sd 15 minutes, 1-minute refresh, no shifts; 20
replications of 12 days, 2 of warm-up), runs `garita run` with seeds 1..N, and applies the
test's criterion to each: |simulated - exact| <= k x CI half-width + allowance for the mean
wait, the mean posted wait and the forgone share, k turning the 95% Student-t half-width (19
degrees of freedom) into the two-sided 1 - 0.01/3 one: the family-wise level of 1% that the
statistical tests state (FAMILY_ALPHA in src/port/tests.rs).

    cargo build --release && python3 tools/exact_check_seeds.py [N]
"""

import csv
import math
import os
import subprocess
import sys
import tempfile

SCENARIO = """name = "exact"
horizon = "12d"
warmup = "2d"
replications = 20

[demand]
rate = 360

[[classes]]
id = "all"
share = 1.0
lanes = ["main"]

[[lanes]]
id = "main"
booths = 4
service = { dist = "exponential", mean = "60s" }

[response]
posted_update = "1m"
tolerance = { dist = "lognormal", mean = "30m", sd = "15m" }
"""


def norm_inv(p):
    lo, hi = -10.0, 10.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def t_inv(p, df):
    """The p quantile (p > 0.5) of Student's t: Simpson integration of the density, bisection."""
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)

    def cdf(x):
        n = 2000
        h = x / n
        f = lambda t: c * (1 + t * t / df) ** (-(df + 1) / 2)
        s = f(0) + f(x) + sum((4 if i % 2 else 2) * f(i * h) for i in range(1, n))
        return 0.5 + s * h / 3

    lo, hi = 0.0, 50.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if cdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    exe = os.path.join(repo, "target", "release", "garita")
    c, m, lam = 4, 60.0, 360.0 / 3600.0
    forgone = 1 - c / (m * lam)
    s2 = math.log(1 + 0.25)
    mu, sigma = math.log(1800) - s2 / 2, math.sqrt(s2)
    w_star = math.exp(mu + sigma * norm_inv(forgone))
    allow_w = 60.0 * max(1.0, lam * m / c - 1)
    k = t_inv(1 - 0.01 / 6, 19) / t_inv(0.975, 19)
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "exact.toml")
        with open(path, "w") as f:
            f.write(SCENARIO)
        for seed in range(1, n + 1):
            out = os.path.join(tmp, "out%d" % seed)
            subprocess.run([exe, "run", path, "--seed", str(seed), "-o", out],
                           check=True, stdout=subprocess.DEVNULL)
            s = {}
            with open(os.path.join(out, "summary.csv"), newline="") as f:
                for r in csv.DictReader(f):
                    s[(r["group"], r["metric"])] = (float(r["mean"]), float(r["ci95"]))
            edge = 2 * (s[("all", "queue_max")][0] + c) / s[("all", "latent_trips")][0]
            checks = [
                ("wait", s[("lane:main", "wait_mean_s")], w_star, allow_w),
                ("posted", s[("lane:main", "posted_wait_mean_s")], w_star, allow_w),
                ("forgone", s[("all", "forgone_share")], forgone, edge),
            ]
            bad = [name for name, (mean, ci), exact, a in checks if abs(mean - exact) > k * ci + a]
            fails += bool(bad)
            print("seed %2d: wait %.1f, posted %.1f, forgone %.4f %s" % (
                seed, checks[0][1][0], checks[1][1][0], checks[2][1][0], "FAIL " + ",".join(bad) if bad else "ok"))
    print("W* = %.1f s; %d of %d seeds fail" % (w_star, fails, n))


if __name__ == "__main__":
    main()
