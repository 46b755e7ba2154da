-- wrk script: POST /v1/score with one lead, its contact, account and 50
-- interactions (BENCHMARKS.md). KEY comes from the environment.
local key = os.getenv("KEY")
local kinds = {"EmailOpened", "EmailClicked", "WebsiteVisited", "FormSubmitted", "EventAttended"}
local items = {}
for i = 1, 50 do
  local kind = kinds[(i % #kinds) + 1]
  local day = 1 + (i * 7) % 200
  local url = ""
  if kind == "WebsiteVisited" then url = string.format(', "url": "https://example.com/%s"', (i % 3 == 0) and "pricing" or "blog") end
  items[#items + 1] = string.format('{"kind": "%s", "occurred_at": "2026-%02d-%02dT10:00:00Z"%s}', kind, 1 + math.floor(day / 28) % 9, 1 + day % 28, url)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key
wrk.body = '{"lead": {"lead_id": "form-1", "created_at": "2026-01-05", "source": "Webinar", "topic": "Analytics Cloud trial request", "budget_band": "50k-250k", "product_interest": "Analytics Cloud"},'
  .. '"contact": {"contact_id": "c-1", "job_title": "Chief Data Officer", "country": "United States", "city": "Chicago"},'
  .. '"account": {"account_id": "a-1", "industry": "Software", "employees": 1200, "annual_revenue": 250000000, "country": "United States"},'
  .. '"interactions": [' .. table.concat(items, ",") .. ']}'
