#!/usr/bin/env bash
# Paired A/B timing of one scheduling run, phase by phase, for machines too noisy for medians of
# a few runs (as recorded in BENCHMARKS.md, seventh session).
#
# Each round copies REGISTER afresh and runs
#     greenward --db copy --today 2027-05-01 schedule run --from DAY --to DAY
# once with each binary (GREENWARD_TIMING=1), the order flipped every round, and records the
# wall time and the phase laps the run prints. It then prints, per phase, both medians and the
# mean of the paired differences (B - A) with its standard error: noise that hits one round hits
# both binaries alike.
#
# Registers: those benches/scheduler.sh makes (a warm one: the 1M city after a run with no rules;
# a next-day one: the warm one after the run of 2027-05-03; a done one: that with the day's
# tasks marked done).
#
# Usage:  benches/scheduler_pairs.sh ROUNDS REGISTER DAY BINARY_A BINARY_B
#   e.g.  benches/scheduler_pairs.sh 16 next.db 2027-05-04 ./greenward-before ./target/release/greenward
set -euo pipefail
ROUNDS=$1 REGISTER=$2 DAY=$3 A=$4 B=$5
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
for i in $(seq "$ROUNDS"); do
    if [ $((i % 2)) = 0 ]; then order=("$A" "$B"); else order=("$B" "$A"); fi
    for bin in "${order[@]}"; do
        cp "$REGISTER" "$W/q.db" && sync
        start=$(date +%s.%N)
        GREENWARD_TIMING=1 "$bin" --db "$W/q.db" --today 2027-05-01 schedule run --from "$DAY" --to "$DAY" \
            2> "$W/laps" > /dev/null
        end=$(date +%s.%N)
        laps=$(grep -E 'world built|planned|open tasks gathered|placed|written|committed' "$W/laps" \
            | sed 's/.* at \([0-9.]*\) s.*/\1/' | tr '\n' ' ')
        echo "$i $bin $(echo "$end - $start" | bc) $laps" >> "$W/rounds"
    done
done
python3 - "$A" "$B" "$W/rounds" <<'PY'
import collections, statistics, sys
a_bin, b_bin, path = sys.argv[1:4]
rounds = collections.defaultdict(dict)
for line in open(path):
    f = line.split()
    rounds[int(f[0])][f[1]] = [float(x) for x in f[2:]]
def phases(v):
    wall, world, planned, gathered, placed, written, committed = v
    return [wall, world, planned - world, gathered - planned, placed - gathered,
            written - placed, committed - written]
names = ["wall", "world", "plan", "match+gather", "place", "write", "commit"]
print(f"A = {a_bin}\nB = {b_bin}\n{len(rounds)} rounds")
for k, name in enumerate(names):
    a = [phases(r[a_bin])[k] for r in rounds.values()]
    b = [phases(r[b_bin])[k] for r in rounds.values()]
    d = [y - x for x, y in zip(a, b)]
    se = statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else 0.0
    print(f"{name:13s} A median {statistics.median(a):.3f} s  B median {statistics.median(b):.3f} s"
          f"  B - A {statistics.mean(d):+.3f} ± {se:.3f} s")
PY
