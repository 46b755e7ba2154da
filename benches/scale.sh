#!/usr/bin/env bash
# Every batch step at several sizes, each under /usr/bin/time, printed as one
# markdown table of wall time and peak memory (BENCHMARKS.md, "At scale";
# issue 20): whether a step's memory grows with the number of leads shows in
# its column.
#
# Usage: benches/scale.sh LEADSCORE [SIZES...]
#   LEADSCORE: the binary (a release build); SIZES: lead counts (default
#   1000000 3000000).
# Environment:
#   WORK   where folders and stores go (default /var/tmp/leadscore-scale;
#          about 1.5 GB of CSV and 5 GB of SQLite per million leads)
#   PG     a PostgreSQL server that may create databases (default
#          postgres://postgres@127.0.0.1:5432); PG=none skips its steps
#   STEPS  the steps to run, of: generate import-sqlite import-postgres
#          export-sqlite export-postgres rules-score train score retrain
#          (default all); a step not run shows as "-"; an export step
#          exports the store its import step filled
#   KEEP=1 keeps the folders and stores afterwards
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "$1")
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 3000000)
work=${WORK:-/var/tmp/leadscore-scale}
pg=${PG:-postgres://postgres@127.0.0.1:5432}
steps=${STEPS:-generate import-sqlite import-postgres export-sqlite export-postgres rules-score train score retrain}
export PGOPTIONS="-c client_min_messages=warning"
mkdir -p "$work"

wants() { [[ " $steps " == *" $1 "* ]]; }

# Runs a step under /usr/bin/time; prints "wall s / peak GB" (or the
# failure) for the table, and keeps its output beside the data.
measure() {
  local name=$1
  shift
  local log="$work/$name.log"
  if /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" > "$log" 2>&1; then
    read -r wall kb < "$work/$name.time"
    awk -v w="$wall" -v k="$kb" 'BEGIN { printf "%.0f s / %.2f GB", w, k / 1048576 }'
  else
    echo "failed (see $log)"
  fi
}

fresh_pg() {
  psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

declare -A cell
for n in "${sizes[@]}"; do
  dir="$work/folder-$n"
  db="$work/store-$n.db"
  pgdb="leadscore_scale_$n"
  echo "== $n leads" >&2
  if wants generate || [ ! -d "$dir" ]; then
    rm -rf "$dir"
    cell[generate,$n]=$(measure "generate-$n" "$bin" generate --out "$dir" --leads "$n" --seed 7)
  fi
  records=$(cat "$dir"/*.csv "$dir"/custom/*.csv | wc -l)
  cell[lines,$n]=$records
  if wants import-sqlite; then
    rm -f "$db" "$db"-*
    cell[import-sqlite,$n]=$(measure "import-sqlite-$n" "$bin" import "$dir" --database "$db" --json)
  fi
  if wants export-sqlite && wants import-sqlite; then
    rm -rf "$work/export-sqlite-$n"
    cell[export-sqlite,$n]=$(measure "export-sqlite-$n" "$bin" export --database "$db" \
      --out "$work/export-sqlite-$n" --json)
    rm -rf "$work/export-sqlite-$n"
  fi
  # The SQLite store's steps are done: without KEEP, its disk is given back
  # before PostgreSQL's store is filled (at ten million leads the folder and
  # both stores took more disk than a 250 GB machine had free).
  if [ -z "${KEEP:-}" ]; then
    rm -f "$db" "$db"-*
  fi
  if wants import-postgres && [ "$pg" != none ]; then
    fresh_pg "$pgdb"
    cell[import-postgres,$n]=$(measure "import-postgres-$n" "$bin" import "$dir" --database "$pg/$pgdb" --json)
  fi
  if wants export-postgres && wants import-postgres && [ "$pg" != none ]; then
    rm -rf "$work/export-postgres-$n"
    cell[export-postgres,$n]=$(measure "export-postgres-$n" "$bin" export --database "$pg/$pgdb" \
      --out "$work/export-postgres-$n" --json)
    rm -rf "$work/export-postgres-$n"
  fi
  if wants rules-score; then
    cell[rules-score,$n]=$(measure "rules-score-$n" "$bin" rules score \
      "$root/models/rules/fit.yaml" "$root/models/rules/engagement.yaml" \
      "$root/models/rules/account-intent.yaml" --data "$dir" --at 2026-10-01 \
      --out "$work/rules-$n.csv")
  fi
  if wants train; then
    rm -rf "$work/model-$n"
    cell[train,$n]=$(measure "train-$n" "$bin" train --data "$dir" --out "$work/model-$n")
  fi
  if wants score && [ -d "$work/model-$n" ]; then
    cell[score,$n]=$(measure "score-$n" "$bin" score --model "$work/model-$n" --data "$dir" \
      --at 2026-10-01 --out "$work/scores-$n.csv")
  fi
  if wants retrain && [ "$pg" != none ] && wants import-postgres; then
    cell[retrain,$n]=$(measure "retrain-$n" "$bin" retrain --database "$pg/$pgdb" --at 2026-10-01)
  fi
  if [ -z "${KEEP:-}" ]; then
    rm -rf "$db" "$db"-* "$work/model-$n" "$work"/*-"$n".csv
    [ "$pg" = none ] || psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $pgdb"
  fi
done

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "leadscore at $commit ($(basename "$bin")), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); wall / peak RSS"
echo
printf '| step |'
for n in "${sizes[@]}"; do printf ' %s leads |' "$n"; done
printf '\n| --- |'
for _ in "${sizes[@]}"; do printf ' --- |'; done
printf '\n'
for step in lines generate import-sqlite import-postgres export-sqlite export-postgres rules-score train score retrain; do
  printf '| %s |' "$step"
  for n in "${sizes[@]}"; do printf ' %s |' "${cell[$step,$n]:--}"; done
  printf '\n'
done
