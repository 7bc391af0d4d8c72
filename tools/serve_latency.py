#!/usr/bin/env python3
"""Latency of one re-simulation of the what-if page for each bundled port.

Starts `garita serve` (the release build) on a free loopback port, asks each port scenario once
as loaded (which also runs its baseline), then re-simulates it REPEAT times with a changed demand
scale (the baseline is then in memory, as when a planner drags a bar), and prints the median,
smallest and largest time of a re-simulation: simulation, charts and key figures, as the page
waits for them. Stops the server at the end.

    python3 tools/serve_latency.py [REPEAT]
"""
import json
import statistics
import subprocess
import sys
import time
import urllib.request

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 5
PORTS = ["bota-pov", "pdn-pov", "san-ysidro-pov", "ysleta-cov", "ysleta-pov"]

server = subprocess.Popen(
    ["target/release/garita", "serve", "--port", "0"] + [f"scenarios/{p}.toml" for p in PORTS],
    stderr=subprocess.PIPE,
    text=True,
)
try:
    line = server.stderr.readline()
    addr = line.split("open http://")[1].split("/")[0]

    def whatif(name, scale):
        sets = [] if scale is None else [["demand.scale", scale]]
        body = json.dumps({"scenario": name, "sets": sets}).encode()
        rq = urllib.request.Request(f"http://{addr}/api/whatif", data=body, method="POST")
        t0 = time.perf_counter()
        with urllib.request.urlopen(rq) as r:
            reply = json.load(r)
        return (time.perf_counter() - t0) * 1000.0, reply

    print(f"{'port':<16} {'first (+baseline) ms':>20} {'re-simulation ms: median':>25} {'min':>6} {'max':>6}  replications x days")
    for name in PORTS:
        first, reply = whatif(name, None)
        times = []
        for i in range(REPEAT):
            ms, reply = whatif(name, round(0.96 + 0.02 * i, 2))
            times.append(ms)
        st = reply["state"]
        print(
            f"{name:<16} {first:>20.0f} {statistics.median(times):>25.0f} {min(times):>6.0f} {max(times):>6.0f}"
            f"  {st['replications']} x {st['days']:g}"
        )
finally:
    server.terminate()
    server.wait()
