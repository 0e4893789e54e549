#!/usr/bin/env bash
# End-to-end scheduler benchmarks (release build), as recorded in BENCHMARKS.md:
#  1. one day of tasks generated, stored and assigned for a synthetic city of N assets:
#     1-day-cold: the first run after the import (it reads the asset rows and stores the
#                 scheduling snapshot);
#     1-day-warm: a register whose snapshot is current (made by a run with no rules, so the
#                 tasks table is as empty as in the cold run);
#     next-day:   the day after a full day's run (the daily steady state: yesterday's tasks
#                 are in the table);
#     done-next-day: as next-day, after every task of the first day was marked done (by an
#                 SQL update, as the crews' completions would: interval rules then roll from
#                 them);
#     1-day-edited: as warm, after one asset was retired (one chunk of the snapshot is read
#                 from the rows again);
#  2. a full Barkhor season (1 March - 30 November) of every trigger, stored;
#  3. the water balance of the synthetic city advanced and stored by one day (after a first
#     day that spins the buckets up, not timed; it also stores the snapshot).
# Each is run REPEAT times on a fresh copy of its database, interleaved with the BEFORE binary
# when one is given, so that machine noise hits both alike. Wall time and peak RSS come from
# /usr/bin/time; a line per run, then the medians.
#
# Usage:  benches/scheduler.sh [N]          (default 1000000; needs ~5 GB of disk in $TMPDIR)
# Env:    REPEAT (3), BEFORE=/path/to/an/older/greenward (same runs, for a before/after)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
REPEAT=${REPEAT:-3}
cargo build --release --quiet
G="$PWD/target/release/greenward"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

"$G" synth --assets "$N" --seed 42 --out "$W/city" > /dev/null
# The registers, made by each binary (an older one refuses a newer schema).
registers() {
    local bin=$1 name=$2
    "$bin" --db "$W/c0-$name.db" init --site "$W/city/site.toml" > /dev/null
    "$bin" --db "$W/c0-$name.db" import "$W/city/zones.geojson" > /dev/null
    "$bin" --db "$W/c0-$name.db" import "$W/city/assets.geojson" > /dev/null
    "$bin" --db "$W/b0-$name.db" init > /dev/null
    "$bin" --db "$W/b0-$name.db" import geodata/barkhor/barkhor.geojson > /dev/null
}
registers "$G" after
[ -n "${BEFORE:-}" ] && registers "$BEFORE" before
mkdir -p "$W/water"
cat > "$W/water/rules.toml" <<'RULES'
[[rule]]
id = "water-need"
task = "watering"
select = { kind = ["tree", "flower_box_group"] }
cron = "0 7 * * *"
water_need = "street_tree"
season = "04-15..09-30"
minutes_per_asset = 5.0
skill = "watering"
RULES
cp "$W/city/schedules/crews.toml" "$W/water/"
mkdir -p "$W/norules"
cp "$W/city/schedules/crews.toml" "$W/norules/"
# The warm registers: a run with no rules stores the snapshot (and the crews) and nothing else.
warm() {
    local bin=$1 name=$2
    cp "$W/c0-$name.db" "$W/c1-$name.db"
    "$bin" --db "$W/c1-$name.db" --today 2027-05-01 schedule run --from 2027-05-02 --to 2027-05-02 --rules "$W/norules" > /dev/null
}
warm "$G" after
[ -n "${BEFORE:-}" ] && warm "$BEFORE" before
# The asset in the middle of the register, retired in the "edited" runs.
EDITED=$(python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("SELECT ref FROM assets ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM assets)").fetchone()[0])' "$W/c1-after.db")

BINS=("after:$G")
[ -n "${BEFORE:-}" ] && BINS+=("before:$BEFORE")

# run LABEL BIN DB -- ARGS: times one command; appends "label seconds kb" to $W/times.
run() {
    local label=$1 bin=$2 db=$3
    shift 4
    /usr/bin/time -o "$W/t" -f "%e %M" "$bin" --db "$db" "$@" > "$W/out" 2>&1
    read -r secs kb < "$W/t"
    echo "$label $secs $kb" >> "$W/times"
    printf '  %-28s %6.2f s %7d MB   %s\n' "$label" "$secs" $((kb / 1024)) "$(head -1 "$W/out")"
}

: > "$W/times"
for i in $(seq "$REPEAT"); do
    for entry in "${BINS[@]}"; do
        name=${entry%%:*}
        bin=${entry#*:}
        echo "round $i, $name:"
        # sync: the copy's dirty pages are written out before the clock starts, not during the run.
        cp "$W/c0-$name.db" "$W/c.db" && sync
        run "1-day-cold-$name" "$bin" "$W/c.db" -- --today 2027-05-01 schedule run --from 2027-05-03 --to 2027-05-03
        cp "$W/c1-$name.db" "$W/c.db" && sync
        run "1-day-warm-$name" "$bin" "$W/c.db" -- --today 2027-05-01 schedule run --from 2027-05-03 --to 2027-05-03
        sync
        run "next-day-$name" "$bin" "$W/c.db" -- --today 2027-05-01 schedule run --from 2027-05-04 --to 2027-05-04
        cp "$W/c1-$name.db" "$W/c.db"
        "$bin" --db "$W/c.db" --today 2027-05-01 schedule run --from 2027-05-03 --to 2027-05-03 > /dev/null
        python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE tasks SET state = \x27done\x27, done_at = due_at, done_by = \x27crew\x27 WHERE due_date = \x272027-05-03\x27")
c.commit()' "$W/c.db"
        sync
        run "done-next-day-$name" "$bin" "$W/c.db" -- --today 2027-05-01 schedule run --from 2027-05-04 --to 2027-05-04
        cp "$W/c1-$name.db" "$W/c.db"
        "$bin" --db "$W/c.db" assets retire "$EDITED" --reason "storm" > /dev/null
        sync
        run "1-day-edited-$name" "$bin" "$W/c.db" -- --today 2027-05-01 schedule run --from 2027-05-03 --to 2027-05-03
        cp "$W/b0-$name.db" "$W/b.db" && sync
        run "2-barkhor-season-$name" "$bin" "$W/b.db" -- --today 2027-03-01 schedule run --from 2027-03-01 --to 2027-11-30
        cp "$W/c0-$name.db" "$W/w.db"
        "$bin" --db "$W/w.db" --today 2027-05-01 schedule run --from 2027-05-03 --to 2027-05-03 --rules "$W/water" > /dev/null 2>&1
        sync
        run "3-water-day-$name" "$bin" "$W/w.db" -- --today 2027-05-01 schedule run --from 2027-05-04 --to 2027-05-04 --rules "$W/water"
    done
done

echo "medians (N = $N, $REPEAT runs):"
python3 - "$W/times" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, secs, kb = line.split()
    runs.setdefault(label, []).append((float(secs), int(kb)))
for label in sorted(runs):
    r = runs[label]
    print(f"  {label:28s} {statistics.median(s for s, _ in r):6.2f} s  "
          f"{statistics.median(k for _, k in r) / 1024:7.0f} MB  runs: "
          + ", ".join(f"{s:.2f}" for s, _ in r))
PY
