#!/usr/bin/env bash
# `leadscore import` into PostgreSQL beside `psql \copy` of the same files
# into tables with the same keys (BENCHMARKS.md, "import beside psql \copy";
# issue 20). Each is timed with /usr/bin/time into a database of its own,
# made anew for every run, one after the other in one run of this script.
# \copy checks nothing but the keys and CSV syntax; leadscore checks every
# value and reference, and queues every lead for rescoring.
#
# Usage: benches/peers/import_psql_copy.sh FOLDER LEADSCORE [OTHER_LEADSCORE]
#   FOLDER: a DATA.md folder of CSV files, e.g.
#     `leadscore generate --leads 1000000 --seed 7 --out F`
#   LEADSCORE: the binary to time (a release build); OTHER_LEADSCORE: another
#   one (the base commit's) timed in the same run.
# Environment: PG (default postgres://postgres@127.0.0.1:5432), RUNS
# (default 2). Needs psql and a PostgreSQL server that may create databases.
set -euo pipefail
dir=$(cd "$1" && pwd)
bin=$2
other=${3:-}
runs=${RUNS:-2}
pg=${PG:-postgres://postgres@127.0.0.1:5432}
export PGOPTIONS="-c client_min_messages=warning"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fresh() {
  psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

# One table per file, every column text, keyed as leadscore keys it.
{
  for file in "$dir"/*.csv "$dir"/custom/*.csv; do
    [ -e "$file" ] || continue
    name=$(basename "$file" .csv)
    header=$(head -n1 "$file" | tr -d '\r')
    key=${header%%,*}
    [ "$(dirname "$file")" = "$dir/custom" ] && name="custom_$name"
    columns=$(echo "$header" | sed 's/,/ text, /g')
    echo "CREATE TABLE \"$name\" ($columns text, PRIMARY KEY ($key));"
    echo "\\copy \"$name\" FROM '$file' WITH (FORMAT csv, HEADER true)"
  done
} > "$work/copy.sql"

time_it() {
  local label=$1
  shift
  /usr/bin/time -f "$label: %e s wall, %M KB peak RSS" "$@" > "$work/out" 2> "$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  grep -F "$label:" "$work/err"
}

rows=$(cat "$dir"/*.csv "$dir"/custom/*.csv 2>/dev/null | wc -l)
echo "$rows lines in $dir"
for run in $(seq 1 "$runs"); do
  echo "run $run"
  fresh leadscore_peer_copy
  time_it "psql copy" psql -q -v ON_ERROR_STOP=1 "$pg/leadscore_peer_copy" -f "$work/copy.sql"
  fresh leadscore_peer_import
  time_it "leadscore import" "$bin" import "$dir" --database "$pg/leadscore_peer_import" --json
  if [ -n "$other" ]; then
    fresh leadscore_peer_other
    time_it "leadscore import (other)" "$other" import "$dir" --database "$pg/leadscore_peer_other" --json
  fi
done
# What each holds (rows per table), to compare.
psql -q -At "$pg/leadscore_peer_import" -c \
  "SELECT 'leadscore: ' || (SELECT count(*) FROM leads) || ' leads, ' || (SELECT count(*) FROM interactions) || ' interactions, ' || (SELECT count(*) FROM rescore_queue) || ' queued, ' || pg_size_pretty(pg_database_size(current_database())) || ' on disk'"
psql -q -At "$pg/leadscore_peer_copy" -c \
  "SELECT 'psql: ' || (SELECT count(*) FROM leads) || ' leads, ' || (SELECT count(*) FROM interactions) || ' interactions, ' || pg_size_pretty(pg_database_size(current_database())) || ' on disk'"
for db in leadscore_peer_copy leadscore_peer_import leadscore_peer_other; do
  psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db"
done
