-- wrk script: POST /v1/interactions in batches of BATCH (default 100) with
-- unique ids, spread over the sample's contacts C0000001..C0004612.
local key = os.getenv("KEY")
local batch = tonumber(os.getenv("BATCH") or "100")
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(thread_id * 7919 + 1)
end

local kinds = {"EmailOpened", "EmailClicked", "WebsiteVisited", "FormSubmitted"}

function request()
  local items = {}
  for i = 1, batch do
    counter = counter + 1
    items[i] = string.format(
      '{"interaction_id": "bench-%d-%d", "kind": "%s", "occurred_at": "2026-09-%02dT%02d:00:00Z", "contact_id": "C%07d"}',
      thread_id, counter, kinds[math.random(#kinds)], math.random(1, 28), math.random(0, 23), math.random(1, 4612))
  end
  return wrk.format("POST", "/v1/interactions",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key},
    "[" .. table.concat(items, ",") .. "]")
end
