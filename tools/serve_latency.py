#!/usr/bin/env python3
"""Latency of one re-simulation of the what-if page for each bundled port.

Starts `garita serve` (the release build) on a free loopback port, asks each port scenario once
as loaded (which runs it as its own baseline), then re-simulates it REPEAT times with a demand scale
within 3% of 1 (the baseline is then in memory, as when a planner drags a bar), and prints the median,
smallest and largest time of a re-simulation (simulation, charts and key figures, as the page
waits for them) and the server's CPU time per re-simulation (Linux), which does not depend on
what else the machine is doing. Stops the server at the end.

    python3 tools/serve_latency.py [REPEAT]
"""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SCALES = [0.97, 0.98, 0.99, 1.01, 1.02]
PORTS = ["bota-pov", "pdn-pov", "san-ysidro-pov", "ysleta-cov", "ysleta-pov"]

server = subprocess.Popen(
    ["target/release/garita", "serve", "--port", "0"] + [f"scenarios/{p}.toml" for p in PORTS],
    stderr=subprocess.PIPE,
    text=True,
)
try:
    line = server.stderr.readline()
    addr = line.split("open http://")[1].split("/")[0]

    tick = os.sysconf("SC_CLK_TCK")

    def cpu_ms():
        # The server's user + system CPU time (Linux), which does not depend on the load.
        with open(f"/proc/{server.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000.0 / tick

    def whatif(name, scale):
        sets = [] if scale is None else [["demand.scale", scale]]
        body = json.dumps({"scenario": name, "sets": sets}).encode()
        rq = urllib.request.Request(f"http://{addr}/api/whatif", data=body, method="POST")
        t0 = time.perf_counter()
        with urllib.request.urlopen(rq) as r:
            reply = json.load(r)
        return (time.perf_counter() - t0) * 1000.0, reply

    print(f"{'port':<16} {'first ms':>9} {'re-simulation ms: median':>25} {'min':>6} {'max':>6} {'CPU ms':>7}  replications x days")
    for name in PORTS:
        first, reply = whatif(name, None)
        times = []
        cpu0 = cpu_ms()
        for i in range(REPEAT):
            # Never 1.0: a what-if equal to the scenario as loaded is answered from memory.
            ms, reply = whatif(name, SCALES[i % len(SCALES)])
            times.append(ms)
        cpu = (cpu_ms() - cpu0) / REPEAT
        st = reply["state"]
        print(
            f"{name:<16} {first:>9.0f} {statistics.median(times):>25.0f} {min(times):>6.0f} {max(times):>6.0f} {cpu:>7.0f}"
            f"  {st['replications']} x {st['days']:g}"
        )
finally:
    server.terminate()
    server.wait()
