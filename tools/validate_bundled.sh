#!/usr/bin/env bash
# Validates the bundled El Paso and San Ysidro scenarios against
# CBP's posted waits of the held-out months, and writes the tables of docs/validation.md.
# The bundled files are garita calibrate's output, fitted on 2025-03-28..2025-08-31
# (tools/calibrate_bundled.sh --write), so their figures on these months are out of sample.
# (The files they replaced had their demand derived by tools/derive_reacting.py from the whole
# archive, these months included: their figures were not.)
#
#   tools/validate_bundled.sh [OUT]            (run from the repository root)
#
# OUT defaults to output/validation. Each scenario's `garita validate` files go to OUT/<name>/;
# OUT/table.md holds the markdown tables (per lane kind, then by month). Environment:
#   GARITA    the binary (default: target/release/garita, built if missing)
#   OBSERVED  the archive (default: ../shared/data/cbp_bwt_hourly_2025/bwt_hourly_el_paso_san_ysidro.csv)
#   FROM, TO, BASELINE_FROM, BASELINE_TO   the periods (defaults below)
#   EXTRA     extra options for every `garita validate` (e.g. "--posted-round 5")
#   CALIBRATED  a folder of tools/calibrate_bundled.sh: validate CALIBRATED/<name>/CAL_FILE
#             instead of scenarios/<name>.toml (CAL_FILE: cal/calibrated.toml, or bundled.toml
#             after `tools/calibrate_bundled.sh --bundle`)
#   ONLY      a space-separated list of scenario names (default: all)
set -euo pipefail

OUT=${1:-output/validation}
GARITA=${GARITA:-target/release/garita}
OBSERVED=${OBSERVED:-../shared/data/cbp_bwt_hourly_2025/bwt_hourly_el_paso_san_ysidro.csv}
FROM=${FROM:-2025-09-01}
TO=${TO:-2026-01-18}
BASELINE_FROM=${BASELINE_FROM:-2025-03-28}
BASELINE_TO=${BASELINE_TO:-2025-08-31}
EXTRA=${EXTRA:-}
CALIBRATED=${CALIBRATED:-}
CAL_FILE=${CAL_FILE:-cal/calibrated.toml}
ONLY=${ONLY:-}

if [ ! -x "$GARITA" ]; then
    cargo build --release --quiet
fi
if [ ! -f "$OBSERVED" ]; then
    echo "validate_bundled: $OBSERVED not found (set OBSERVED)" >&2
    exit 2
fi

# scenario file, CBP crossing number, mode
SCENARIOS=(
    "scenarios/bota-pov.toml 240201 POV"
    "scenarios/pdn-pov.toml 240202 POV"
    "scenarios/ysleta-pov.toml 240203 POV"
    "scenarios/ysleta-cov.toml 240203 COV"
    "scenarios/san-ysidro-pov.toml 250401 POV"
)

mkdir -p "$OUT"
names=()
for line in "${SCENARIOS[@]}"; do
    read -r file port mode <<<"$line"
    name=$(basename "$file" .toml)
    if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then
        continue
    fi
    if [ -n "$CALIBRATED" ]; then
        file="$CALIBRATED/$name/$CAL_FILE"
    fi
    names+=("$name")
    # shellcheck disable=SC2086
    "$GARITA" validate "$file" --observed "$OBSERVED" --port "$port" --mode "$mode" \
        --from "$FROM" --to "$TO" --baseline-from "$BASELINE_FROM" --baseline-to "$BASELINE_TO" \
        -o "$OUT/$name" --quiet $EXTRA >"$OUT/$name.txt"
    echo "validated $name" >&2
done

python3 - "$OUT" "${names[@]}" >"$OUT/table.md" <<'PY'
import csv, sys
out, names = sys.argv[1], sys.argv[2:]
def rows(name, f):
    with open(f"{out}/{name}/{f}") as h:
        return list(csv.DictReader(h))
def n(x, pct=False):
    if x == "":
        return "-"
    v = float(x)
    return f"{100 * v:.0f}%" if pct else f"{v:.1f}"
print("| scenario | lane | MAE min | bias min | RMSE min | coverage 5-95 | naive MAE min | readings |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for name in names:
    for r in rows(name, "validation_summary.csv"):
        print(f"| {name} | {r['lane']} | {n(r['mae_min'])} | {n(r['bias_min'])} | {n(r['rmse_min'])} "
              f"| {n(r['coverage_5_95'], True)} | {n(r['naive_mae_min'])} | {r['n_observed']} |")
print()
months = sorted({r["month"] for name in names for r in rows(name, "validation_by_month.csv")})
print("MAE by month, model / naive (minutes; bias in brackets):")
print()
print("| scenario | lane | " + " | ".join(months) + " |")
print("|---|---|" + "---:|" * len(months))
for name in names:
    by = {}
    for r in rows(name, "validation_by_month.csv"):
        by.setdefault(r["lane"], {})[r["month"]] = r
    for lane, ms in by.items():
        cells = []
        for m in months:
            r = ms.get(m)
            cells.append("-" if r is None else
                         f"{n(r['mae_min'])} / {n(r['naive_mae_min'])} ({n(r['bias_min'])})")
        print(f"| {name} | {lane} | " + " | ".join(cells) + " |")
PY
echo "wrote $OUT/table.md" >&2
