#!/usr/bin/env bash
# The service's review of the live model on a large store (BENCHMARKS.md,
# "The review on a sample"): how long the service takes to compute it after
# starting, and the service's peak RSS by then, for each `drift.max_leads`
# in MAXES (a value at least the store's lead count reads the whole store,
# as every version before the sample did).
#
# Builds a SQLite store once in WORK from FOLDER (a generated folder:
# `leadscore generate --out FOLDER --leads 1000000 --seed 7`), with the
# shipped rule models and conversion model published; each run starts the
# service on its own copy of that store, so that every run finds the same
# store (every lead queued for rescoring, no review stored yet).
# Needs a release build: cargo build --release --bin leadscore
# Usage: [MAXES="100000 2000000"] [WORK=DIR] benches/review_memory.sh FOLDER [path/to/leadscore]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$root/benches/shipped_models.sh"
folder=${1:?usage: benches/review_memory.sh FOLDER [path/to/leadscore]}
bin=${2:-$root/target/release/leadscore}
maxes=${MAXES:-100000 2000000}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
port=18192
base="http://127.0.0.1:$port"
export LEADSCORE_LIMITS__REQUESTS_PER_SECOND_PER_KEY=0
export LEADSCORE_LIMITS__BURST_PER_KEY=1

wait_up() { for _ in $(seq 600); do curl -sf "$base/readyz" >/dev/null && return 0; sleep 0.2; done; return 1; }

if [ ! -f "$work/base.db" ]; then
  echo "== importing $folder"
  /usr/bin/time -f "import: %e s, %M KB peak" "$bin" import "$folder" --database "sqlite://$work/base.db" >/dev/null
  RUST_LOG=warn LEADSCORE_DRIFT__EVERY_SECS=0 "$bin" serve --database "sqlite://$work/base.db" \
    --listen 127.0.0.1:$port 2>"$work/setup.log" &
  pid=$!
  wait_up
  key=$("$bin" keys create --role admin --database "sqlite://$work/base.db")
  publish_shipped_models "$base" "$key" "$root"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
fi

echo "| drift.max_leads | review computed after | service peak RSS by then | review's source |"
echo "| --- | --- | --- | --- |"
for max in $maxes; do
  rm -f "$work/run.db"*
  cp "$work/base.db" "$work/run.db"
  db="sqlite://$work/run.db"
  key=$("$bin" keys create --role read --database "$db")
  start=$(date +%s%N)
  RUST_LOG=${RUST_LOG:-warn} LEADSCORE_DRIFT__MAX_LEADS=$max "$bin" serve --database "$db" \
    --listen 127.0.0.1:$port 2>"$work/serve-$max.log" &
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$base/v1/models/drift")" = 200 ]; do
    kill -0 "$pid" 2>/dev/null || { echo "the service stopped: see $work/serve-$max.log" >&2; exit 1; }
    sleep 1
  done
  took=$(( ($(date +%s%N) - start) / 100000000 ))
  peak=$(awk '/VmHWM/ {printf "%.2f GB", $2 / 1000000}' "/proc/$pid/status")
  source=$(curl -s -H "Authorization: Bearer $key" "$base/reports/review.json" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["source"])')
  printf '| %s | %d.%d s | %s | %s |\n' "$max" $((took / 10)) $((took % 10)) "$peak" "$source"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done
rm -f "$work/run.db"*
