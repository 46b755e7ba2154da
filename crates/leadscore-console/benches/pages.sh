#!/usr/bin/env bash
# The console's pages on a large store (BENCHMARKS.md, "The web console"):
# each page's time at the server (curl's time to the first byte on
# 127.0.0.1): the first request (the warm-up; the designer reads the store's
# sample then, kept for a minute), then RUNS times, as median and slowest.
#
# Builds a store of LEADS generated leads (default 1,000,000) on SQLite, with
# the shipped rule models and conversion model, lets the service score every
# lead, then signs in and times the pages. The store is kept in KEEP (a
# folder) when set, and reused when it already holds one (a folder KEEP/data
# generated beforehand is imported instead of generating one).
# Needs a release build: cargo build --release --bin leadscore
# Usage: [LEADS=1000000] [RUNS=20] [KEEP=DIR] crates/leadscore-console/benches/pages.sh [path/to/leadscore]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
. "$root/benches/shipped_models.sh"
bin=${1:-$root/target/release/leadscore}
leads=${LEADS:-1000000}
runs=${RUNS:-20}
work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
[ -z "${KEEP:-}" ] || trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
db="sqlite://$work/console.db"
port=18191
base="http://127.0.0.1:$port"
export LEADSCORE_LIMITS__REQUESTS_PER_SECOND_PER_KEY=0
export LEADSCORE_LIMITS__BURST_PER_KEY=1

wait_up() { for _ in $(seq 300); do curl -sf "$base/readyz" >/dev/null && return 0; sleep 0.2; done; return 1; }
depth() { curl -s "$base/metrics" | awk '/^leadscore_rescore_queue_depth/ {print $2}'; }

fresh=0
if [ ! -f "$work/console.db" ]; then
  fresh=1
  if [ ! -d "$work/data" ]; then
    echo "== generating $leads leads"
    "$bin" generate --out "$work/data" --leads "$leads" --seed 7 >/dev/null
  fi
  echo "== importing them"
  /usr/bin/time -f "import: %e s, %M KB peak" "$bin" import "$work/data" --database "$db" >/dev/null
  rm -rf "$work/data"
  printf 'bench password 1234\n' | "$bin" users create --email bench@example.com --role admin \
    --password-stdin --database "$db" >/dev/null
fi
RUST_LOG=warn "$bin" serve --database "$db" --listen 127.0.0.1:$port 2>"$work/serve.log" &
serve_pid=$!
wait_up
if [ "$fresh" = 1 ]; then
  key=$("$bin" keys create --role admin --database "$db")
  publish_shipped_models "$base" "$key" "$root"
  # Seller queues: grade A (of the primary score) to "hot", the rest to "nurture".
  curl -sf -X PUT "$base/v1/routing" -H "Authorization: Bearer $key" -H 'content-type: application/json' \
    --data '{"rules": [{"queue": "hot", "grades": ["A"]}], "default_queue": "nurture"}' >/dev/null
fi
echo "== waiting until every lead is scored"
start=$(date +%s)
sleep 2
until [ "$(depth)" = "0" ]; do sleep 2; done
echo "scored in $(( $(date +%s) - start )) s"

# The review and drift are served from the service's last computation,
# which it starts on its own right after starting: wait for it (and say how
# long it took), as a person opening the review later would find it.
echo "== waiting for the service's review of the live model"
start=$(date +%s)
key=${key:-$("$bin" keys create --role read --database "$db")}
until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$base/v1/models/drift")" = 200 ]; do
  sleep 2
done
echo "review computed in $(( $(date +%s) - start )) s (peak RSS of the service so far: $(awk '/VmHWM/ {print $2, $3}' /proc/$serve_pid/status 2>/dev/null || echo unknown))"

jar="$work/cookies"
curl -sf -c "$jar" -o /dev/null -d 'email=bench@example.com&password=bench+password+1234&next=/console/' \
  "$base/console/sign-in"
first_lead=$(curl -sf -b "$jar" "$base/console/leads?per_page=1" | grep -o 'href="/console/leads/[^"]*"' | head -1 | sed 's/href="//; s/"$//')
source=$(curl -sf -b "$jar" "$base/console/leads" | grep -o '<option value="[^"]*"' | sed -n 's/<option value="\(.*\)"/\1/p' | grep -m1 -i web || true)
queue=$(curl -sf -b "$jar" "$base/console/routing" | { grep -o 'href="/console/queues/[^"?]*' || true; } | head -1 | sed 's/href="//')

pages=(
  /console/
  /console/leads
  "/console/leads?open=1&grade=A"
  "/console/leads?open=1&sales_ready=yes&sort=-recent"
  "/console/leads?source=${source:-Web}&sort=score"
  "/console/leads?model=Marketing%20engagement&grade=Hot"
  "/console/leads?page=200"
  "$first_lead"
  /console/rule-models
  "/console/rule-models/Marketing%20engagement"
  /console/routing
  "${queue:-/console/routing}"
  "${queue:-/console/routing}?sort=name"
  "/console/leads?sort=name"
  "/console/leads?open=1&sort=-company"
  /console/conversion
  "/console/conversion/mistakes?kind=false_positive"
  "/console/conversion/mistakes?kind=false_negative"
  /console/review
  /console/drift
  /console/users
  /console/admin
  /console/admin/keys
  /console/admin/deliveries
)
failed=0
printf '| page | first ms | median ms | slowest ms |\n| --- | --- | --- | --- |\n'
for p in "${pages[@]}"; do
  warm=$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_starttransfer}' "$base$p")
  first=${warm#* }
  if [ "${warm% *}" = 200 ]; then
    times=$(for _ in $(seq "$runs"); do
      curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_starttransfer}\n' "$base$p"
    done)
    bad=$(echo "$times" | awk '$1 != 200' | head -1)
  else
    bad=$warm
  fi
  if [ -n "$bad" ]; then
    echo "| \`$p\` | answered ${bad% *} after ${bad#* } s | | |"
    failed=1
    continue
  fi
  echo "$times" | awk -v page="$p" -v first="$first" '{ t[NR] = $2 * 1000 } END {
    n = asort(t); printf "| `%s` | %.0f | %.0f | %.0f |\n", page, first * 1000, t[int((n + 1) / 2)], t[n] }'
done
exit "$failed"
