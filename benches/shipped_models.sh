# Sourced by the benchmark scripts that start a service on a store of their
# own: publishes the shipped rule models and conversion model.
# Usage: publish_shipped_models BASE_URL ADMIN_KEY REPOSITORY_ROOT
publish_shipped_models() {
  local base=$1 key=$2 root=$3 f name
  for f in "$root"/models/rules/*.yaml; do
    name=$(awk -F': *' '/^name:/ {print $2; exit}' "$f")
    curl -sf -X PUT "$base/v1/rule-models/$(printf %s "$name" | sed 's/ /%20/g')" -H "Authorization: Bearer $key" \
      -H 'content-type: application/yaml' --data-binary @"$f" >/dev/null
  done
  curl -sf -X POST "$base/v1/models" -H "Authorization: Bearer $key" \
    -H 'content-type: application/json' --data-binary @"$root/models/conversion/model.json" >/dev/null
  curl -sf -X POST "$base/v1/models/1/publish" -H "Authorization: Bearer $key" >/dev/null
}
