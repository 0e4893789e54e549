#!/usr/bin/env bash
# Import benchmark (issue 3): `greenward import` of synthetic cities against GDAL's ogr2ogr.
#
# For each size N (default 10k, 100k and 1M assets, seed 42) it synthesises the city once, loads
# its zones into a fresh register (init + zones.geojson: not timed), then times, REPEAT times and
# interleaved so that machine noise hits both alike:
#
#   greenward --db city.db import assets.geojson     (on a fresh copy of the zones-only register)
#   ogr2ogr -f GPKG out.gpkg assets.geojson          (the peer, same file, same run)
#
# Each is timed by /usr/bin/time -v (wall clock and peak RSS). greenward runs inside a pseudo
# terminal (util-linux `script`) so its progress bar is drawn, as for a person at a terminal;
# BAR=0 runs it with stderr to a file instead (no bar). The table gives medians; the ratio is
# ogr2ogr's median time over greenward's.
#
# Usage:  benches/import.sh                  # 10k, 100k, 1M; 3 runs each
#         SIZES="10000 100000" REPEAT=5 benches/import.sh
# Env:    SIZES, REPEAT (3), WORK (scratch folder, default /tmp/greenward-bench), BAR (1),
#         CARGO_TARGET_DIR (where the release build goes), KEEP=1 keeps WORK afterwards,
#         BEFORE=/path/to/an/older/greenward adds its import time (own init, same files) as a
#         "before" column, for a before/after comparison in the same run.
# Needs:  cargo, /usr/bin/time (GNU time), ogr2ogr (gdal-bin), python3; `script` for the bar.
set -euo pipefail

SIZES=${SIZES:-"10000 100000 1000000"}
REPEAT=${REPEAT:-3}
WORK=${WORK:-/tmp/greenward-bench}
BAR=${BAR:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

for tool in /usr/bin/time ogr2ogr python3; do
    command -v "$tool" >/dev/null || { echo "import.sh: $tool is needed" >&2; exit 1; }
done
if [ "$BAR" = 1 ] && ! command -v script >/dev/null; then
    echo "import.sh: no 'script' (util-linux): running without the progress bar" >&2
    BAR=0
fi

echo "building release ..." >&2
(cd "$ROOT" && cargo build --release --quiet)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
GW=$TARGET/release/greenward
[ -x "$GW" ] || { echo "import.sh: no binary at $GW" >&2; exit 1; }

mkdir -p "$WORK"
RESULTS=$WORK/results.tsv
: > "$RESULTS"

# time_run OUT_PREFIX CMD...: runs CMD under /usr/bin/time -v; prints "wall_s peak_rss_kb".
time_run() {
    local out=$1; shift
    /usr/bin/time -v -o "$out.time" "$@" >"$out.stdout" 2>"$out.stderr" || {
        echo "import.sh: failed: $*" >&2
        cat "$out.stderr" >&2
        exit 1
    }
    python3 - "$out.time" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
secs = 0.0
for part in w.split(":"):
    secs = secs * 60 + float(part)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print(f"{secs:.2f} {rss}")
EOF
}

for n in $SIZES; do
    city=$WORK/city$n
    if [ ! -s "$city/assets.geojson" ]; then
        echo "synthesising $n assets ..." >&2
        "$GW" synth --assets "$n" --seed 42 --out "$city" >/dev/null
    fi
    zones_db=$WORK/zones$n.db
    rm -f "$zones_db" "$zones_db-wal" "$zones_db-shm"
    "$GW" --db "$zones_db" init --site "$city/site.toml" >/dev/null
    "$GW" --db "$zones_db" import "$city/zones.geojson" >/dev/null
    for r in $(seq "$REPEAT"); do
        db=$WORK/run$n.db
        rm -f "$db" "$db-wal" "$db-shm"
        cp "$zones_db" "$db"
        sync
        echo "N=$n run $r/$REPEAT: greenward import ..." >&2
        if [ "$BAR" = 1 ]; then
            cmd="$(printf '%q ' "$GW" --db "$db" import "$city/assets.geojson")"
            g=$(time_run "$WORK/gw$n" script -qefc "$cmd" /dev/null)
        else
            g=$(time_run "$WORK/gw$n" "$GW" --db "$db" import "$city/assets.geojson")
        fi
        grep -q "$n created" "$WORK/gw$n.stdout" || {
            echo "import.sh: unexpected import output:" >&2
            cat "$WORK/gw$n.stdout" >&2
            exit 1
        }
        echo "N=$n run $r/$REPEAT: ogr2ogr -f GPKG ..." >&2
        rm -f "$WORK/out.gpkg"
        o=$(time_run "$WORK/ogr$n" ogr2ogr -f GPKG "$WORK/out.gpkg" "$city/assets.geojson")
        b="- -"
        if [ -n "${BEFORE:-}" ]; then
            echo "N=$n run $r/$REPEAT: greenward import (before: $BEFORE) ..." >&2
            bdb=$WORK/before$n.db
            rm -f "$bdb" "$bdb-wal" "$bdb-shm"
            "$BEFORE" --db "$bdb" init --site "$city/site.toml" >/dev/null
            "$BEFORE" --db "$bdb" import "$city/zones.geojson" >/dev/null
            sync
            b=$(time_run "$WORK/before$n" "$BEFORE" --db "$bdb" import "$city/assets.geojson")
            rm -f "$bdb" "$bdb-wal" "$bdb-shm"
        fi
        echo "$n $g $o $b" >> "$RESULTS"
    done
    rm -f "$WORK/run$n.db" "$WORK/run$n.db-wal" "$WORK/run$n.db-shm" "$WORK/out.gpkg"
done

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(rustc --version);" \
    "$(ogr2ogr --version | cut -d, -f1); $REPEAT runs each, medians; progress bar: $([ "$BAR" = 1 ] && echo drawn || echo off)"
python3 - "$RESULTS" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    n, gs, grss, os_, orss, bs, brss = line.split()
    before = float(bs) if bs != "-" else None
    rows.setdefault(int(n), []).append((float(gs), int(grss), float(os_), int(orss), before))
has_before = any(x[4] is not None for r in rows.values() for x in r)
print()
head = "| N | greenward s | features/s | peak RSS | ogr2ogr s | ogr2ogr peak RSS | ratio (ogr2ogr / greenward) | greenward runs |"
rule = "|---:|---:|---:|---:|---:|---:|---:|---|"
if has_before:
    head += " before s | before features/s |"
    rule += "---:|---:|"
print(head)
print(rule)
prev = None
growth = []
for n in sorted(rows):
    r = rows[n]
    g = statistics.median(x[0] for x in r)
    o = statistics.median(x[2] for x in r)
    rss = max(x[1] for x in r) / 1024
    orss = max(x[3] for x in r) / 1024
    runs = ", ".join(f"{x[0]:.2f}" for x in r)
    line = f"| {n:,} | {g:.2f} | {n / g:,.0f} | {rss:,.0f} MB | {o:.2f} | {orss:,.0f} MB | {o / g:.1f}x | {runs} |"
    if has_before:
        b = statistics.median(x[4] for x in r)
        line += f" {b:.2f} | {n / b:,.0f} |"
    print(line)
    if prev:
        growth.append(f"{prev[0]:,} -> {n:,} ({n / prev[0]:.0f}x the features): greenward {g / prev[1]:.1f}x the time, ogr2ogr {o / prev[2]:.1f}x")
    prev = (n, g, o)
print()
for line in growth:
    print(line)
EOF
[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
