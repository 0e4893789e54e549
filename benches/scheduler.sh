#!/usr/bin/env bash
# End-to-end scheduler benchmarks (release build), as recorded in BENCHMARKS.md:
#  1. one day of tasks generated, stored and assigned for a synthetic city of N assets;
#  2. a full Barkhor season (1 March - 30 November) of every trigger, stored;
#  3. the water balance of the synthetic city advanced and stored by one day.
# Usage: benches/scheduler.sh [N]   (default 1000000; needs ~2 GB of disk in $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
cargo build --release --quiet
G="$PWD/target/release/greenward"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
t() { /usr/bin/time -f "%e s, peak %M KB" "$@"; }

"$G" synth --assets "$N" --seed 42 --out "$W/city" > /dev/null
"$G" --db "$W/c.db" init --site "$W/city/site.toml" > /dev/null
"$G" --db "$W/c.db" import "$W/city/zones.geojson" > /dev/null
"$G" --db "$W/c.db" import "$W/city/assets.geojson" > /dev/null
cp "$W/c.db" "$W/c0.db"

echo "1. one day of tasks, $N assets:"
t "$G" --db "$W/c.db" --today 2027-05-01 schedule run --from 2027-05-03 --to 2027-05-03 | head -1

echo "2. Barkhor season of every trigger:"
"$G" --db "$W/b.db" init > /dev/null
"$G" --db "$W/b.db" import geodata/barkhor/barkhor.geojson > /dev/null
t "$G" --db "$W/b.db" --today 2027-03-01 schedule run --from 2027-03-01 --to 2027-11-30 | head -1

echo "3. water balance of $N assets, one more day (after a first day that spins the buckets up):"
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
"$G" --db "$W/c0.db" --today 2027-05-01 schedule run --from 2027-05-03 --to 2027-05-03 --rules "$W/water" > /dev/null
t "$G" --db "$W/c0.db" --today 2027-05-01 schedule run --from 2027-05-04 --to 2027-05-04 --rules "$W/water" | head -1
