#!/usr/bin/env bash
# Calibrates the bundled El Paso and San Ysidro scenarios with `garita calibrate` on
# 2025-03-28..2025-08-31, then validates each calibrated scenario on the held-out months
# 2025-09-01..2026-01-18 (tools/validate_bundled.sh), and writes the tables of docs/validation.md.
#
#   tools/calibrate_bundled.sh [OUT]                    (run from the repository root)
#   tools/calibrate_bundled.sh --bundle [OUT]           also derive a bundled file, measure it
#   tools/calibrate_bundled.sh --write [OUT]            ... and write it over scenarios/<name>.toml
#
# --bundle: the skeleton asks for the latent demand by day type (`per_hour = "fit-by-day-type"`),
# `garita calibrate --booths tables` writes the booths as day-type tables (the median of the
# replayed lanes open by day type and hour), and OUT/<name>/bundled.toml is calibrated.toml with
# the shipped file's `seed`, `start`, `horizon`, `warmup` and `replications` and a header naming
# this command: a file that can replace scenarios/<name>.toml. It is validated on the held-out
# months (OUT/validation, as below, but of bundled.toml), run over its own fitting period
# (`garita run OUT/<name>/cal/calibrated.toml`, the same file with the period's start and
# horizon and calibrate's 5 replications: the fit's final run; OUT/insample/<name>), and its
# in-sample hourly posted-wait error printed by `tools/derive_reacting.py --compare --period
# CAL_FROM CAL_TO` into OUT/insample.md (the measure of docs/validation.md, "in-sample
# posted-wait error", against CBP's means of its own fitting period). --write does all that and then copies each bundled.toml over
# scenarios/<name>.toml. With --bundle the shipped files are measured the same way too
# (OUT/validation-shipped; in sample over their own fitting period SHIPPED_FROM..SHIPPED_TO,
# by default CAL_FROM..CAL_TO since the shipped files are garita calibrate's output: each file
# run over that period, OUT/insample-shipped/<name>.toml, against CBP's means of it,
# OUT/insample-shipped.md; and against CAL_FROM..CAL_TO, OUT/insample-shipped-cal.md, the
# common yardstick; SHIPPED=0 skips them) and OUT/comparison.md compares them lane by lane with
# the decision rule (in sample, each against its own fitting period: at least as many hours
# within 15 minutes; held out: pooled MAE not worse). Held-out figures are out of sample only for
# files whose fitting period ends before the held-out months (docs/validation.md).
#
# For each bundled scenario, OUT/<name>/skeleton.toml is the scenario without what calibration
# fits: `horizon`, `warmup`, `start`, `replications`, `[demand] per_hour`, each lane's `booths`
# (replayed from the archive) and `service`, and `[response] tolerance` (classes' own
# tolerances, shares, layout and everything else are kept); from a file that garita calibrate
# wrote (the bundled files since they are this script's output) the same: its `[demand.per_hour]`,
# `[lanes.booths]`, `[lanes.service]` and `[response.tolerance]` tables and its `month_factors`,
# `staffing_elasticity` and `staffing_lanes` are dropped, so `--write` remakes the bundled files. With MECH=1 (the default) the
# skeleton's `[demand]` also gets
#   month_factors         from tools/month_factors.py (CBP monthly crossings by bridge for El
#                         Paso through 2025-12; BTS for San Ysidro, through 2025-02 only)
#   staffing_elasticity   fitted (--fit demand.staffing_elasticity, 0.01 to 1)
#   staffing_lanes        the lanes that are not SENTRI (CBP staffs the general, Ready and FAST
#                         lanes for the traffic it expects; SENTRI traffic has its own road)
# and with MECH=0 neither (the calibration without these mechanisms, for comparison).
# `garita calibrate` writes OUT/<name>/cal/ (calibrated.toml, its booth series, fit.csv); the
# volume per day is tools/month_factors.py's for the period. Then
# CALIBRATED=OUT tools/validate_bundled.sh OUT/validation validates OUT/<name>/cal/calibrated.toml.
# Environment: GARITA, OBSERVED, DATA (../shared/data), BUDGET (simulations per calibration,
# default 200), MECH, CAL_FROM, CAL_TO, FROM, TO, REUSE (1: keep an existing OUT/<name>/cal
# instead of calibrating again, to remeasure), MEASURE_ONLY (1: with --bundle, only the in-sample
# measures and OUT/comparison.md, from the runs and validations already in OUT).
set -euo pipefail

BUNDLE=0
WRITE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --bundle) BUNDLE=1; shift ;;
        --write) BUNDLE=1; WRITE=1; shift ;;
        -*) echo "calibrate_bundled: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
OUT=${1:-output/calibrated}
GARITA=${GARITA:-target/release/garita}
OBSERVED=${OBSERVED:-../shared/data/cbp_bwt_hourly_2025/bwt_hourly_el_paso_san_ysidro.csv}
DATA=${DATA:-../shared/data}
BUDGET=${BUDGET:-200}
MECH=${MECH:-1}
CAL_FROM=${CAL_FROM:-2025-03-28}
CAL_TO=${CAL_TO:-2025-08-31}
# The shipped files' own fitting period, for their in-sample measure (they are garita
# calibrate's output on CAL_FROM..CAL_TO; files fitted on the whole archive would need
# SHIPPED_FROM=2025-03-28 SHIPPED_TO=2026-01-18).
SHIPPED_FROM=${SHIPPED_FROM:-$CAL_FROM}
SHIPPED_TO=${SHIPPED_TO:-$CAL_TO}
ONLY=${ONLY:-}

if [ ! -x "$GARITA" ]; then
    cargo build --release --quiet
fi
if [ ! -f "$OBSERVED" ]; then
    echo "calibrate_bundled: $OBSERVED not found (set OBSERVED)" >&2
    exit 2
fi

# scenario file, CBP crossing number, mode, crossing for tools/month_factors.py
SCENARIOS=(
    "scenarios/bota-pov.toml 240201 POV bota"
    "scenarios/pdn-pov.toml 240202 POV pdn"
    "scenarios/ysleta-pov.toml 240203 POV ysleta"
    "scenarios/ysleta-cov.toml 240203 COV ysleta"
    "scenarios/san-ysidro-pov.toml 250401 POV san-ysidro"
)

mkdir -p "$OUT"
for line in "${SCENARIOS[@]}"; do
    read -r file port mode crossing <<<"$line"
    name=$(basename "$file" .toml)
    if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then
        continue
    fi
    mkdir -p "$OUT/$name"
    factors=$(tools/month_factors.py "$crossing" "$mode" --from "$CAL_FROM" --to "$CAL_TO" --data "$DATA")
    volume=$(sed -n 's/^volume_per_day = //p' <<<"$factors")
    months=$(grep '^month_factors' <<<"$factors")
    python3 - "$file" "$MECH" "$months" "$BUNDLE" >"$OUT/$name/skeleton.toml" <<'PY'
import re, sys, tomllib
path, mech, months, bundle = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4] == "1"
text = open(path).read()
doc = tomllib.loads(text)
staffing = [l["id"] for l in doc["lanes"] if l.get("kind") != "sentri"]
section = ""
out = [f"# Skeleton of {path} for garita calibrate (tools/calibrate_bundled.sh)."]
# Tables that calibration fits, as garita calibrate writes them (a bundled file it wrote):
# dropped whole.
fitted_tables = ("lanes.booths", "lanes.service", "response.tolerance", "demand.per_hour")
for line in text.splitlines():
    s = line.strip()
    m = re.match(r"^\[+([a-z_.]+)\]+", s)
    if m:
        section = m.group(1)
        if section in fitted_tables:
            continue
        out.append(line)
        if section == "demand" and bundle:
            out.append('per_hour = "fit-by-day-type"')
        if section == "demand" and mech:
            out.append(months)
            out.append("staffing_elasticity = 0.5")
            out.append("staffing_lanes = [" + ", ".join(f'"{i}"' for i in staffing) + "]")
        continue
    if section in fitted_tables:
        continue
    key = re.match(r"^([a-z_]+)\s*=", s)
    k = key.group(1) if key else None
    if section == "" and k in ("horizon", "warmup", "start", "replications"):
        continue
    if section == "demand" and k in ("per_hour", "rate", "month_factors", "staffing_elasticity",
                                     "staffing_lanes"):
        continue
    if section == "lanes" and k in ("booths", "service"):
        continue
    if section == "response" and k == "tolerance":
        continue
    out.append(line)
print("\n".join(out))
PY
    fit=()
    if [ "$MECH" = 1 ]; then
        fit=(--fit demand.staffing_elasticity)
    fi
    booths=series
    if [ "$BUNDLE" = 1 ]; then
        booths=tables
    fi
    if [ "${MEASURE_ONLY:-0}" = 1 ]; then
        continue
    fi
    if [ "${REUSE:-0}" = 1 ] && [ -f "$OUT/$name/cal/calibrated.toml" ]; then
        echo "reusing $OUT/$name/cal (REUSE=1)" >&2
    else
        "$GARITA" calibrate "$OUT/$name/skeleton.toml" --observed "$OBSERVED" --port "$port" \
            --mode "$mode" --from "$CAL_FROM" --to "$CAL_TO" --volume-per-day "$volume" \
            "${fit[@]}" --budget "$BUDGET" --booths "$booths" -o "$OUT/$name/cal" -q \
            >"$OUT/$name/calibrate.txt"
        echo "calibrated $name (volume $volume per day)" >&2
    fi
    if [ "$BUNDLE" = 1 ]; then
        python3 - "$file" "$OUT/$name/cal/calibrated.toml" "$CAL_FROM" "$CAL_TO" "$MECH" "$BUDGET" \
            >"$OUT/$name/bundled.toml" <<'PY'
import re, sys, tomllib
shipped_path, cal_path, cal_from, cal_to, mech, budget = sys.argv[1:7]
shipped = tomllib.loads(open(shipped_path).read())
cal = open(cal_path).read().splitlines()
keep = ("seed", "start", "horizon", "warmup", "replications")
title = shipped.get("display", {}).get("en", shipped["name"])
out = [f"# {title}",
       "#",
       f"# Written by `BUDGET={budget} tools/calibrate_bundled.sh --write` (rerun it to remake this",
       "# file; docs/scenario-data.md): the skeleton of the file this replaced (its",
       "# lanes, classes with their shares by hour, layout, [response] but the tolerance; month",
       "# factors from tools/month_factors.py" + ("" if mech == "1" else " left out (MECH=0)") + "), calibrated by garita calibrate on",
       f"# CBP's posted waits of {cal_from}..{cal_to}: latent demand by day type, booth cycles,",
       "# tolerance" + (", staffing elasticity" if mech == "1" else "") + " (docs/calibration.md). Booths: day-type tables, the median",
       "# of the observed lanes open by day type and hour over that period. seed, start, horizon,",
       "# warmup and replications are those of the file this replaced. garita calibrate's own",
       "# record follows.",
       "#"]
body, top = [], True
for line in cal:
    if line.startswith("["):
        top = False
    m = re.match(r"^([a-z_]+) = ", line)
    if top and m and m.group(1) in keep:
        continue
    if line.startswith("[") and top is False and keep:
        for k in keep:
            v = shipped[k]
            body.append(f"{k} = " + (f'"{v}"' if isinstance(v, str) else str(v)))
        keep = ()
    body.append(line)
print("\n".join(out + body))
PY
        "$GARITA" check "$OUT/$name/bundled.toml" >/dev/null
    fi
done

CAL_FILE=cal/calibrated.toml
if [ "$BUNDLE" = 1 ]; then
    CAL_FILE=bundled.toml
fi
if [ "${MEASURE_ONLY:-0}" != 1 ]; then
    CALIBRATED="$OUT" CAL_FILE="$CAL_FILE" ONLY="$ONLY" GARITA="$GARITA" OBSERVED="$OBSERVED" \
        tools/validate_bundled.sh "$OUT/validation"
fi

if [ "$BUNDLE" = 1 ]; then
    # In sample: each derived file run over its own fitting period (cal/calibrated.toml: the
    # booth tables of bundled.toml, the period's start and horizon; a 28-day run from
    # 2025-09-01 would be a held-out month with September's month factor), against CBP's
    # hourly means of CAL_FROM..CAL_TO (tools/derive_reacting.py --compare --period).
    for line in "${SCENARIOS[@]}"; do
        read -r file _ <<<"$line"
        name=$(basename "$file" .toml)
        if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]] || [ "${MEASURE_ONLY:-0}" = 1 ]; then
            continue
        fi
        "$GARITA" run "$OUT/$name/cal/calibrated.toml" -o "$OUT/insample/$name" -q >/dev/null
    done
    only=()
    for n in $ONLY; do only+=(--only "$n"); done
    python3 tools/derive_reacting.py --data "$DATA" --compare "$OUT/insample" "${only[@]}" \
        --period "$CAL_FROM" "$CAL_TO" | grep '^|' >"$OUT/insample.md"
    echo "wrote $OUT/insample.md" >&2
    # The shipped files, measured the same way (unless SHIPPED=0), and the comparison.
    if [ "${SHIPPED:-1}" = 1 ]; then
        if [ "${MEASURE_ONLY:-0}" != 1 ]; then
            ONLY="$ONLY" GARITA="$GARITA" OBSERVED="$OBSERVED" \
                tools/validate_bundled.sh "$OUT/validation-shipped"
        fi
        for line in "${SCENARIOS[@]}"; do
            read -r file _ <<<"$line"
            name=$(basename "$file" .toml)
            if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]] || [ "${MEASURE_ONLY:-0}" = 1 ]; then
                continue
            fi
            # The shipped file over its own fitting period, as the derived file is run over
            # its: same booth tables and keys, the period's start (after two days of warm-up),
            # horizon and 5 replications.
            mkdir -p "$OUT/insample-shipped"
            python3 - "$file" "$SHIPPED_FROM" "$SHIPPED_TO" \
                >"$OUT/insample-shipped/$name.toml" <<'PY'
import datetime, re, sys
path, a, b = sys.argv[1:4]
a, b = datetime.date.fromisoformat(a), datetime.date.fromisoformat(b)
keys = {
    "start": f'"{a - datetime.timedelta(days=2)}"',
    "horizon": f'"{(b - a).days + 1 + 2}d"',
    "warmup": '"2d"',
    "replications": "5",
}
out, top = [], True
for line in open(path).read().splitlines():
    if line.startswith("["):
        if top:
            out += [f"{k} = {v}" for k, v in keys.items()]
        top = False
    m = re.match(r"^([a-z_]+) = ", line)
    if top and m and m.group(1) in keys:
        continue
    out.append(line)
print("\n".join(out))
PY
            "$GARITA" run "$OUT/insample-shipped/$name.toml" -o "$OUT/insample-shipped/$name" \
                -q >/dev/null
        done
        python3 tools/derive_reacting.py --data "$DATA" --compare "$OUT/insample-shipped" \
            "${only[@]}" --period "$SHIPPED_FROM" "$SHIPPED_TO" | grep '^|' \
            >"$OUT/insample-shipped.md"
        python3 tools/derive_reacting.py --data "$DATA" --compare "$OUT/insample-shipped" \
            "${only[@]}" --period "$CAL_FROM" "$CAL_TO" | grep '^|' >"$OUT/insample-shipped-cal.md"
        python3 - "$OUT" "$CAL_FROM" "$CAL_TO" "$SHIPPED_FROM" "$SHIPPED_TO" \
            >"$OUT/comparison.md" <<'PY'
import csv, os, sys
out, cal_from, cal_to, shipped_from, shipped_to = sys.argv[1:6]
def insample(f):
    rows = {}
    for line in open(os.path.join(out, f)):
        c = [x.strip() for x in line.strip().strip("|").split("|")]
        rows[(c[0], c[1])] = c
    return rows
ship, der = insample("insample-shipped.md"), insample("insample.md")
ship_cal = insample("insample-shipped-cal.md")
def held(d, f):
    rows = {}
    base = os.path.join(out, d)
    for name in sorted(os.listdir(base)):
        p = os.path.join(base, name, f)
        if os.path.isfile(p):
            for r in csv.DictReader(open(p)):
                rows[(name, r["lane"]) + ((r["month"],) if "month" in r else ())] = r
    return rows
hs, hd = held("validation-shipped", "validation_summary.csv"), held("validation", "validation_summary.csv")
ms, md = held("validation-shipped", "validation_by_month.csv"), held("validation", "validation_by_month.csv")
n = lambda x: "-" if x in ("", None) else f"{float(x):.1f}"
print(f"In sample, each against CBP's hourly means of its own fitting period (shipped:")
print(f"{shipped_from}..{shipped_to}; derived: {cal_from}..{cal_to}; shipped / derived), the common")
print(f"yardstick (both against {cal_from}..{cal_to}: hours within 15 min, shipped / derived) and")
print("held out (2025-09-01..2026-01-18, pooled MAE in minutes; shipped / derived / naive; out")
yes = lambda to: "yes" if to < "2025-09-01" else "no"
print(f"of sample where the file's fitting period ends before 2025-09-01: shipped {yes(shipped_to)},")
print(f"derived {yes(cal_to)}):")
print()
print("| scenario | lane | in-sample MAE | worst hour | hours within 15 min | common yardstick | held-out MAE | held-out bias | decision rule |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|")
for key in ship:
    s, d = ship[key], der.get(key)
    if d is None:
        continue
    a, b = hs.get(key), hd.get(key)
    kind = "general" if key[1] == "general" else key[1]
    within = lambda r: int(r[5].split(" of ")[0])
    ok_in = within(d) >= within(s)
    ok_out = a is not None and b is not None and float(b["mae_min"]) <= float(a["mae_min"])
    c = ship_cal.get(key)
    common = f"{c[5].split(' of ')[0] if c else '-'} / {d[5]}"
    print(f"| {key[0]} | {key[1]} | {s[3]} / {d[3]} | {s[4]} / {d[4]} | {s[5]} / {d[5]} | {common} "
          f"| {n(a and a['mae_min'])} / {n(b and b['mae_min'])} / {n(a and a['naive_mae_min'])} "
          f"| {n(a and a['bias_min'])} / {n(b and b['bias_min'])} "
          f"| {'in' if ok_in else 'IN'} {'out' if ok_out else 'OUT'} |")
print()
print("Held out by month, MAE shipped / derived / naive (minutes):")
print()
months = sorted({k[2] for k in ms})
print("| scenario | lane | " + " | ".join(months) + " |")
print("|---|---|" + "---:|" * len(months))
for key in sorted({k[:2] for k in ms}):
    cells = []
    for m in months:
        a, b = ms.get(key + (m,)), md.get(key + (m,))
        cells.append("-" if a is None or b is None else
                     f"{n(a['mae_min'])} / {n(b['mae_min'])} / {n(a['naive_mae_min'])}")
    print(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + " |")
print()
print("decision rule: `in` = the derived file has at least as many hours within 15 minutes in "
      "sample (each against its own fitting period) as the shipped one (`IN`: fewer); `out` = its held-out pooled MAE is not worse "
      "(`OUT`: worse). A file is replaced only when every lane reads `in out`.")
PY
        echo "wrote $OUT/comparison.md" >&2
    fi
    if [ "$WRITE" = 1 ]; then
        for line in "${SCENARIOS[@]}"; do
            read -r file _ <<<"$line"
            name=$(basename "$file" .toml)
            if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then
                continue
            fi
            cp "$OUT/$name/bundled.toml" "$file"
            echo "wrote $file" >&2
        done
    fi
fi
