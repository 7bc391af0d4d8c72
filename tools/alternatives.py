#!/usr/bin/env python3
"""Writes the two alternatives built on bundled port scenarios from their current base files.

    tools/alternatives.py before-2014              # scenarios/alternatives/san-ysidro-pov-before-2014.toml
    tools/alternatives.py staffed DIR/staff.toml   # scenarios/alternatives/bota-pov-staffed.toml
                                                   # (DIR from garita staff scenarios/bota-pov.toml
                                                   #  --target "p95<=20m" -o DIR)

Each alternative is its base file (scenarios/san-ysidro-pov.toml, scenarios/bota-pov.toml, as
tools/calibrate_bundled.sh --write writes them) with only the lines named below changed, so that
`garita compare BASE ALTERNATIVE` measures that change alone. Rerun both after the base files
change. Standard library only.

before-2014: San Ysidro before its 2014 expansion (ASSUMPTIONS from the published layout): 24
northbound lanes with 30 single booths (San Diego Union-Tribune, 2011-02-24, CBP table), against
25 lanes with 46 double-stacked booths after (GSA, 2014-11-10). Everything of the base is kept
(latent demand, response, inspection times, month factors, staffing elasticity) but each hour
opens 30/24 single booths, rounded, for each stacked booth the base opens, not stacked;
`max_booths` is scaled the same way, rounded up.

staffed: the base with each lane's booths replaced by the schedule that `garita staff` proposes
in staff.toml (one for every day, or by day type as staff writes it for a file with day-type
tables).
"""
import math
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PRE_2014_BOOTHS_PER_LANE = 30.0 / 24.0
DAY_TYPES = ("weekday", "saturday", "sunday")


def sections(lines):
    """Yields (section header, line) for each line: the header of the table it is in ('' at the top)."""
    sec = ""
    for ln in lines:
        m = re.match(r"^\[+([A-Za-z_.]+)\]+\s*$", ln)
        if m:
            sec = m.group(1)
        yield sec, ln


def body_of(text):
    """The file without its header comment (from `name = `)."""
    return text[text.index('name = "'):]


def replace_names(lines, name, desc_en, desc_es, disp_en=None, disp_es=None):
    out = []
    for sec, ln in sections(lines):
        if sec == "" and ln.startswith("name = "):
            ln = 'name = "%s"' % name
        elif sec == "description" and ln.startswith("en = "):
            ln = "en = %s" % toml_str(desc_en)
        elif sec == "description" and ln.startswith("es = "):
            ln = "es = %s" % toml_str(desc_es)
        elif sec == "display" and disp_en and ln.startswith("en = "):
            ln = "en = %s" % toml_str(disp_en)
        elif sec == "display" and disp_es and ln.startswith("es = "):
            ln = "es = %s" % toml_str(disp_es)
        out.append(ln)
    return out


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def before_2014():
    base = ROOT / "scenarios" / "san-ysidro-pov.toml"
    alt = ROOT / "scenarios" / "alternatives" / "san-ysidro-pov-before-2014.toml"
    lines = body_of(base.read_text()).splitlines()
    scale = lambda m: "[" + ", ".join("%d" % round(int(x) * PRE_2014_BOOTHS_PER_LANE)
                                      for x in m.group(1).split(",")) + "]"
    out = []
    for sec, ln in sections(lines):
        if sec == "lanes.booths" and ln.split(" = ")[0] in DAY_TYPES:
            ln = re.sub(r"\[([0-9, ]+)\]", scale, ln)
        elif sec == "lanes" and ln.startswith("booths = "):
            ln = re.sub(r"\[([0-9, ]+)\]", scale, ln)
        elif sec == "lanes" and ln.startswith("max_booths = "):
            ln = "max_booths = %d" % math.ceil(int(ln.split("=")[1]) * PRE_2014_BOOTHS_PER_LANE)
        elif sec == "lanes" and ln.replace(" ", "") == "stacked=2":
            continue
        out.append(ln)
    out = replace_names(
        out, "san-ysidro-pov-before-2014",
        "San Ysidro as before its 2014 expansion: 30 single booths for 24 lanes instead of stacked "
        "booths, with today's latent demand and response.",
        "San Ysidro como antes de su ampliación de 2014: 30 casetas sencillas para 24 carriles en "
        "lugar de casetas dobles, con la demanda latente y la respuesta de hoy.",
        "San Ysidro before the 2014 expansion (model)",
        "San Ysidro antes de la ampliación de 2014 (modelo)")
    head = [
        "# San Ysidro, northbound passenger vehicles, as before the 2014 expansion (a what-if on the",
        "# bundled scenarios/san-ysidro-pov.toml, written by tools/alternatives.py before-2014).",
        "#",
        "# Everything but the booths is the bundled scenario's (latent demand, response, inspection",
        "# times, month factors, staffing elasticity). Before Phase 1B the port had 24 northbound",
        "# lanes with 30 booths (San Diego Union-Tribune, 2011-02-24, CBP table), not stacked; since",
        "# then 25 lanes with 46 double-stacked booths (GSA, 2014-11-10), today 34 lanes with 62.",
        "# ASSUMPTION: each stacked booth the bundled file opens stands for %.2f single booths of the"
        % PRE_2014_BOOTHS_PER_LANE,
        "# old layout (30/24), rounded, hour by hour; the inspection time per vehicle is the same.",
        "#",
        "#   garita compare scenarios/alternatives/san-ysidro-pov-before-2014.toml scenarios/san-ysidro-pov.toml",
        "#",
        "# measures the expansion under common random numbers (docs/validation.md, 'San Ysidro 2014').",
        "",
    ]
    alt.write_text("\n".join(head + out) + "\n")
    print("wrote", alt.relative_to(ROOT))


def staffed(staff_toml):
    base = ROOT / "scenarios" / "bota-pov.toml"
    alt = ROOT / "scenarios" / "alternatives" / "bota-pov-staffed.toml"
    staff = {}
    lane = None
    added = 0
    for ln in pathlib.Path(staff_toml).read_text().splitlines():
        m = re.match(r'^# lane "([^"]+)": (\d+) booth-hours per day \(now (\d+)\)', ln)
        if m:
            lane = m.group(1)
            added += int(m.group(2)) - int(m.group(3))
        elif ln.startswith("booths = ") and lane:
            b = tomllib.loads(ln)["booths"]
            # One schedule for every day, or a table by day type (a missing day type is the
            # weekday's, as in a scenario).
            if isinstance(b, list):
                b = {"weekday": b}
            staff[lane] = {t: b.get(t, b["weekday"]) for t in DAY_TYPES}
    lines = body_of(base.read_text()).splitlines()
    out, cur = [], None
    for sec, ln in sections(lines):
        if sec == "lanes" and ln.startswith("id = "):
            cur = ln.split(" = ", 1)[1].strip('"')
        if sec == "lanes.booths" and cur in staff and ln.split(" = ")[0] in DAY_TYPES:
            day = ln.split(" = ")[0]
            ln = "%s = [%s]" % (day, ", ".join(str(x) for x in staff[cur][day]))
        out.append(ln)
    more = "%d more" % added if added >= 0 else "%d fewer" % -added
    mas = "%d horas-caseta %s al día" % (abs(added), "más" if added >= 0 else "menos")
    out = replace_names(
        out, "bota-pov-staffed",
        "Bridge of the Americas with the booths found by garita staff for a 95th-percentile wait "
        "of 20 minutes in every hour (%s booth-hours a day)." % more,
        "Puente de las Américas con las casetas que encontró garita staff para una espera de "
        "percentil 95 de 20 minutos en cada hora (%s)." % mas)
    head = [
        "# Bridge of the Americas, northbound passenger vehicles, with the staffing proposed by",
        '#   garita staff scenarios/bota-pov.toml --target "p95<=20m" -o DIR',
        "# written by tools/alternatives.py staffed DIR/staff.toml. Everything but `name`,",
        "# `description` and the lanes' booths (staff.toml's, by day type) is identical to",
        "# scenarios/bota-pov.toml (whose header says how it was calibrated), so",
        "#   garita compare scenarios/bota-pov.toml scenarios/alternatives/bota-pov-staffed.toml",
        "# measures what the new schedule changes, under common random numbers.",
        "",
    ]
    alt.write_text("\n".join(head + out) + "\n")
    print("wrote", alt.relative_to(ROOT))


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "before-2014":
        before_2014()
    elif len(sys.argv) == 3 and sys.argv[1] == "staffed":
        staffed(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
