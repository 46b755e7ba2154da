#!/usr/bin/env bash
# The service's HTTP benchmarks (BENCHMARKS.md, "The scoring service"):
#   stateless scoring: POST /v1/score, one lead with 50 interactions, a 10-rule
#     model and the shipped conversion model;
#   ingest: POST /v1/interactions in batches of 100 on SQLite with the sample
#     loaded (3 rule models, the conversion model), rescoring as it goes;
#   paced ingest: the same at a fixed RATE (default 5000 interactions/s,
#     paced_ingest.py), measuring how far rescoring lags behind the writes.
# Needs wrk (Debian: apt-get install wrk) and a release build:
#   cargo build --release --bin leadscore
# Usage: [ONLY=score|ingest|paced] [DURATION=20s] [RATE=5000] [RATE_LIMIT=0] \
#   crates/leadscore-api/benches/http/run.sh [path/to/leadscore]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
bin=${1:-$root/target/release/leadscore}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
duration=${DURATION:-20s}
# One key sends every request: the per-key rate limit is lifted (0) so that
# the service is measured, not the limit. RATE_LIMIT=N sets
# limits.requests_per_second_per_key instead (a huge N measures the check's
# own cost: on, never reached).
export LEADSCORE_LIMITS__REQUESTS_PER_SECOND_PER_KEY=${RATE_LIMIT:-0}
export LEADSCORE_LIMITS__BURST_PER_KEY=${RATE_LIMIT:-1}

wait_up() { for _ in $(seq 100); do curl -sf "http://$1/readyz" >/dev/null && return 0; sleep 0.2; done; return 1; }

only=${ONLY:-all} # score | ingest | paced | all
log=${LOG:-warn}   # RUST_LOG of the service under test
logs=${LOGDIR:-$work} # where the services' logs go (kept when set)

if [ "$only" = all ] || [ "$only" = score ]; then
echo "== stateless scoring"
db="sqlite://$work/score.db"
export KEY=$("$bin" keys create --role admin --database "$db")
RUST_LOG=$log "$bin" serve --database "$db" --listen 127.0.0.1:18181 2>"$logs/score.log" &
wait_up 127.0.0.1:18181
curl -sf -X PUT http://127.0.0.1:18181/v1/rule-models/Bench%20ten%20rules -H "Authorization: Bearer $KEY" \
  -H 'content-type: application/yaml' --data-binary @"$here/ten-rules.yaml" >/dev/null
curl -sf -X POST http://127.0.0.1:18181/v1/models -H "Authorization: Bearer $KEY" \
  -H 'content-type: application/json' --data-binary @"$root/models/conversion/model.json" >/dev/null
curl -sf -X POST http://127.0.0.1:18181/v1/models/1/publish -H "Authorization: Bearer $KEY" >/dev/null
wrk -t2 -c${CONNECTIONS:-32} -d"$duration" --latency -s "$here/score.lua" http://127.0.0.1:18181/v1/score
kill %1; wait %1 2>/dev/null || true
fi

start_sample() { # port: a fresh SQLite store with the sample, scored
db="sqlite://$work/ingest-$1.db"
RUST_LOG=$log "$bin" serve --database "$db" --listen 127.0.0.1:$1 --load-sample \
  --sample "$root/training-data/sample" --models "$root/models" 2>"$logs/ingest-$1.log" &
pid=$!
wait_up 127.0.0.1:$1
export KEY=$("$bin" keys create --role ingest --database "$db")
until [ "$(curl -s http://127.0.0.1:$1/metrics | awk '/^leadscore_rescore_queue_depth/ {print $2}')" = "0" ]; do sleep 0.5; done
}

if [ "$only" = all ] || [ "$only" = paced ]; then
echo "== ingest at a fixed rate (SQLite): rescoring lag"
start_sample 18183
python3 "$here/paced_ingest.py" http://127.0.0.1:18183 "$KEY" --rate "${RATE:-5000}" \
  --seconds "${duration%s}" --connections "${PACED_CONNECTIONS:-16}"
kill $pid; wait $pid 2>/dev/null || true
fi

[ "$only" = all ] || [ "$only" = ingest ] || exit 0
echo "== ingest with rescoring (SQLite)"
start_sample 18182 # (the first scoring of the sample done)
before=$(curl -s http://127.0.0.1:18182/metrics | awk '/^leadscore_leads_rescored_total/ {print $2}')
start=$(date +%s.%N)
wrk -t2 -c${INGEST_CONNECTIONS:-8} -d"$duration" --latency -s "$here/ingest.lua" http://127.0.0.1:18182/v1/interactions
until [ "$(curl -s http://127.0.0.1:18182/metrics | awk '/^leadscore_rescore_queue_depth/ {print $2}')" = "0" ]; do sleep 0.1; done
end=$(date +%s.%N)
after=$(curl -s http://127.0.0.1:18182/metrics | awk '/^leadscore_leads_rescored_total/ {print $2}')
stored=$(curl -s http://127.0.0.1:18182/metrics | awk -F' ' '/^leadscore_records_ingested_total\{type="interaction"\}/ {print $2}')
echo "interactions stored: $stored; leads rescored: $((after - before)); until the queue was empty: $(echo "$end - $start" | bc) s"
