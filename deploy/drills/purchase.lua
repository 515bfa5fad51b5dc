-- wrk script for the drills: the two-step purchase of the token contract, rotating over shoppers'
-- access tokens. A connection asks for a one-time purchase token for the next shopper
-- (POST .../purchase-tokens); when that answers 201, the connection's next request is that shopper's
-- purchase with `Purchase-Token` and its own Idempotency-Key (so a balancer may replay it safely).
--
-- Run it with one connection per thread (wrk -t N -c N): wrk's response() does not say which
-- connection answered, but with one connection per thread each thread's requests and answers
-- alternate, so the script knows which request (token or purchase, which shopper) every answer
-- belongs to, errors included.
--
-- Every answer is written to a file per wrk thread, one line each, for the drill driver's checks:
--   purchase answers: "<status> <ticket>" for 202, "<status> <epoch seconds> <code>" otherwise;
--   token answers:    "T <status> <epoch seconds> <code>" ("-" when the body has no code).
-- Only purchase answers count as purchases; the driver counts token answers separately.
--
-- Environment: DRILL_TOKENS  file with one access token per line
--              DRILL_PATH    the purchase path, /api/v1/activities/{id}/items/{item}/purchases
--              DRILL_OUT     prefix of the answer files (DRILL_OUT.<thread>)
--              DRILL_TAG     makes the keys of this run unique
--              DRILL_THREADS the wrk -t value (spreads the threads over the shoppers)
--              DRILL_DELAY   optional pause in ms before each request of a connection: paces the load
--                            below saturation (at most connections x 1000 / DRILL_DELAY requests/s,
--                            half of them purchases)

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
  token_path = path:gsub("/purchases$", "/purchase-tokens")
  tag = os.getenv("DRILL_TAG") or "run"
  threads = tonumber(os.getenv("DRILL_THREADS") or "1")
  out = io.open(os.getenv("DRILL_OUT") .. "." .. id, "w")
  turn = 0        -- shoppers this thread has asked a token for
  seq = 0         -- purchases this thread has sent (the Idempotency-Key's counter)
  shopper = nil   -- the access token of the shopper whose token request is in flight
  purchase = nil  -- the purchase token to use next, if any
  sent = nil      -- "token" or "purchase": what the request in flight is
  pause = tonumber(os.getenv("DRILL_DELAY") or "0")
end

function delay()
  return pause
end

function request()
  if purchase then
    seq = seq + 1
    sent = "purchase"
    local headers = {
      ["Authorization"] = "Bearer " .. shopper,
      ["Purchase-Token"] = purchase,
      ["Idempotency-Key"] = tag .. "-" .. id .. "-" .. seq,
    }
    purchase = nil
    return wrk.format("POST", path, headers, nil)
  end
  turn = turn + 1
  shopper = tokens[((turn - 1) * threads + (id - 1)) % #tokens + 1]
  sent = "token"
  return wrk.format("POST", token_path, { ["Authorization"] = "Bearer " .. shopper }, nil)
end

function response(status, headers, body)
  local code = body:match('"code":"([%u_]+)"') or "-"
  if sent == "token" then
    if status == 201 then
      purchase = body:match('"token":%s*"([^"]+)"')
    end
    out:write("T ", status, " ", os.time(), " ", code, "\n")
  elseif status == 202 then
    out:write("202 ", body:match('"ticket":"([^"]+)"') or "?", "\n")
  else
    out:write(status, " ", os.time(), " ", code, "\n")
  end
end
