-- wrk: each request writes a new KV v2 secret (its own key), so every write is a new
-- version that must be durable before the 2xx.
local counter = 0
local thread_id = 0

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  prefix = args[1] or "/v1/secret/data/bench-write"
end

function request()
  counter = counter + 1
  local path = string.format("%s-%d-%d", prefix, id, counter)
  -- Explicit headers replace the command line's, so carry those (the token) over.
  local headers = { ["Content-Type"] = "application/json" }
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return wrk.format("POST", path, headers,
    '{"data":{"username":"app","password":"correct-horse-battery-staple"}}')
end
