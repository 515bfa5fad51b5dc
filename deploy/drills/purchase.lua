-- wrk script for the drills: purchases rotating over shoppers' tokens, each request with its own
-- Idempotency-Key (so a balancer may replay it safely). Every answer is written to a file per wrk
-- thread, one line each: "<status> <ticket>" for 202, "<status> <epoch seconds>" otherwise, for the
-- drill driver's invariant check.
--
-- Environment: DRILL_TOKENS  file with one access token per line
--              DRILL_PATH    the purchase path, /api/v1/activities/{id}/items/{item}/purchases
--              DRILL_OUT     prefix of the answer files (DRILL_OUT.<thread>)
--              DRILL_TAG     makes the keys of this run unique
--              DRILL_THREADS the wrk -t value (spreads the threads over the tokens)
--              DRILL_DELAY   optional pause in ms before each request of a connection: paces the load
--                            below saturation (at most connections x 1000 / DRILL_DELAY requests/s)

local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("DRILL_TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  path = os.getenv("DRILL_PATH")
  tag = os.getenv("DRILL_TAG") or "run"
  threads = tonumber(os.getenv("DRILL_THREADS") or "1")
  out = io.open(os.getenv("DRILL_OUT") .. "." .. id, "w")
  seq = 0
  pause = tonumber(os.getenv("DRILL_DELAY") or "0")
end

function delay()
  return pause
end

function request()
  seq = seq + 1
  local token = tokens[((seq - 1) * threads + (id - 1)) % #tokens + 1]
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = tag .. "-" .. id .. "-" .. seq,
  }, nil)
end

function response(status, headers, body)
  if status == 202 then
    out:write("202 ", body:match('"ticket":"([^"]+)"') or "?", "\n")
  else
    out:write(status, " ", os.time(), "\n")
  end
end
