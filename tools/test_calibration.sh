#!/usr/bin/env bash
# Calibration of garita's statistical tests: how often does each fail when nothing is wrong?
#
# The queueing-theory tests in src/port/tests.rs compare simulated means over replications with
# exact values, with tolerances from Student-t intervals at a stated family-wise level
# (FAMILY_ALPHA in that file, 1%): when the model is right, each test should fail with
# probability at most that level. That one committed seed passes says little, so this script
# reruns each test under many other seeds and counts failures. GARITA_TEST_SEED=k (read only by
# the test code, never by the library) moves every scenario seed of those tests.
#
# Usage: tools/test_calibration.sh [TEST[:SEEDS]]...
#   TEST   a test of the library's unit tests, e.g. port::tests::mmc_matches_erlang_c
#   SEEDS  how many seeds to run it with (default $SEEDS, else 100): seeds FIRST_SEED (default 1)
#          to FIRST_SEED + SEEDS - 1
#   With no TEST: the statistical tests of the port model, mmc_matches_erlang_c with 50 seeds
#   (about 3 s of CPU each), the others with 100 (under 0.5 s each), and the calibration's
#   synthetic-recovery test with 20 (about 17 s each on two cores, a whole `garita calibrate`
#   of up to 200 simulations; 100 seeds would take about half an hour: ask for them with
#   TEST:100).
#
# Prints one line per test: failures / seeds, the observed false-failure rate and the exact
# (Clopper-Pearson) one-sided 95% upper confidence bound on the rate, to compare with the
# level the test states. Runs one test process at a time (the machine may be shared); set
# CARGO_TARGET_DIR as usual. Needs cargo and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    tests=(
        "port::tests::mmc_matches_erlang_c:50"
        "port::tests::demand_and_class_shares_match_the_scenario:100"
        "port::tests::littles_law_and_conservation:100"
        "port::model::tests::a_flexible_class_balances_two_lanes:100"
        "port::class_mix::tests::realised_class_shares_by_hour_match_the_configured_ones:100"
        "port::tests_region::two_identical_ports_split_evenly:100"
        "port::tests_region::negligible_load_shares_follow_the_logit_formula:100"
        "port::tests_region::a_closed_port_sends_its_traffic_to_the_others:100"
        "port::tests_response::a_saturated_lane_settles_where_tolerance_balances_capacity:100"
        "port::tests_response::a_lane_closed_on_sundays_posts_closed_on_sundays:100"
        "analysis::calibrate::tests::calibration_recovers_known_inspection_times_and_tolerance:20"
    )
fi

bin=$(cargo test --release --lib --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["lib"]:
        print(m["executable"])')
if [ -z "$bin" ]; then
    echo "error: could not build the library's unit tests (run cargo test --release --lib --no-run)" >&2
    exit 1
fi

printf '%-55s %9s %7s %12s\n' "test" "failures" "rate" "95% upper"
for spec in "${tests[@]}"; do
    name=$spec
    seeds=${SEEDS:-100}
    if [[ $spec =~ ^(.*[^:]):([0-9]+)$ ]]; then
        name=${BASH_REMATCH[1]}
        seeds=${BASH_REMATCH[2]}
    fi
    listed=$("$bin" --list --exact "$name" 2>/dev/null || true)
    if [[ $listed != *"$name: test"* ]]; then
        echo "error: no test $name" >&2
        exit 2
    fi
    fails=0
    failed_seeds=""
    first=${FIRST_SEED:-1}
    for k in $(seq "$first" $((first + seeds - 1))); do
        if ! GARITA_TEST_SEED=$k "$bin" --exact "$name" --test-threads=1 -q >/dev/null 2>&1; then
            fails=$((fails + 1))
            failed_seeds="$failed_seeds $k"
        fi
    done
    python3 - "$name" "$fails" "$seeds" "$failed_seeds" <<'PY'
import math, sys
name, f, n, which = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split()
def cdf(p):  # P(X <= f) for X ~ Binomial(n, p)
    return sum(math.comb(n, i) * p**i * (1 - p)**(n - i) for i in range(f + 1))
lo, hi = 0.0, 1.0
if f < n:
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) > 0.05 else (lo, mid)
print(f"{name:<55} {f:>4}/{n:<4} {f / n:>7.1%} {hi:>12.1%}" + (f"   (seeds {' '.join(which)})" if which else ""))
PY
done
