#!/usr/bin/env bash
# How many leads a second one service instance rescores on a large SQLite
# store (BENCHMARKS.md, "Rescoring a large store"; OPERATIONS.md, "Sizing").
#
# Starts `leadscore serve` on a copy of STORE (a store with its leads queued
# and models published, as benches/review_memory.sh leaves WORK/base.db after
# an import of a generated folder), with the periodic review off so that
# only the rescoring worker runs, and reads `leadscore_leads_rescored_total`
# every STEP seconds (default 30) for DURATION seconds (default 120). Prints
# each interval's rate, the whole run's, and the service's peak RSS.
# Needs a release build: cargo build --release --bin leadscore
# Usage: [DURATION=120] [STEP=30] benches/rescore_rate.sh STORE [path/to/leadscore]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
store=${1:?usage: benches/rescore_rate.sh STORE [path/to/leadscore]}
bin=${2:-$root/target/release/leadscore}
duration=${DURATION:-120}
step=${STEP:-30}
work=$(mktemp -d)
port=18193
base="http://127.0.0.1:$port"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cp "$store" "$work/run.db"
db="sqlite://$work/run.db"
RUST_LOG=warn LEADSCORE_DRIFT__EVERY_SECS=0 "$bin" serve --database "$db" \
  --listen 127.0.0.1:$port 2>"$work/serve.log" &
pid=$!
for _ in $(seq 600); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done
rescored() {
  curl -s "$base/metrics" | awk '/^leadscore_leads_rescored_total / {print $2}'
}
first=$(rescored)
first=${first:-0}
last=$first
echo "| seconds | leads rescored in the interval | leads/s |"
echo "| --- | --- | --- |"
for t in $(seq "$step" "$step" "$duration"); do
  sleep "$step"
  now=$(rescored)
  now=${now:-$last}
  awk -v t="$t" -v a="$last" -v b="$now" -v s="$step" \
    'BEGIN { printf "| %d | %d | %.0f |\n", t, b - a, (b - a) / s }'
  last=$now
done
awk -v a="$first" -v b="$last" -v d="$duration" \
  'BEGIN { printf "whole run: %d leads in %d s: %.0f leads/s\n", b - a, d, (b - a) / d }'
awk '/VmHWM/ {printf "service peak RSS: %.2f GB\n", $2 / 1000000}' "/proc/$pid/status"
