-- wrk script for bench/serve_load.sh: every connection alternates a submit
-- (POST /v1/jobs, a unique name, 1g.10gb) and the release of a job it
-- submitted (DELETE /v1/jobs/{id}), so the fleet stays near empty and every
-- request changes durable state. Non-2xx answers are counted and printed.
local counter = 0
local deletes = {}
local failures = 0
local token, prefix
local threads = 0

-- Each thread's names must differ: math.random is not seeded per thread, and
-- two threads with one prefix would make half the submits idempotent replays
-- (200, nothing to commit, nothing to release).
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  token = args[1]
  prefix = tostring(os.time()) .. "-" .. tostring(thread_id)
end

function request()
  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  local id = table.remove(deletes)
  if id then
    return wrk.format("DELETE", "/v1/jobs/" .. id, headers)
  end
  counter = counter + 1
  local body = '{"name":"load-' .. prefix .. '-' .. counter .. '","profile":"1g.10gb"}'
  return wrk.format("POST", "/v1/jobs", headers, body)
end

function response(status, headers, body)
  if status == 201 then
    table.insert(deletes, body:match('"id":(%d+)'))
  elseif status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, errors %d, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, %.0f requests/s\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
