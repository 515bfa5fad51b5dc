-- Purchase admissions, each atomic: replay check, single use of the purchase token, rate limits, sale
-- window, per-user limit, stock, then decrement, record the buyer and the request, and enqueue the
-- order. Deduction and enqueue happen in one script, so no crash can take a unit without queueing its
-- order.
--
-- The script admits a batch of requests of one activity (a node coalesces the requests that arrive
-- while its previous call is in flight). Each request is judged on its own, one after the other,
-- exactly as if it came alone. What all requests of the batch share is sent once:
--   KEYS: 1 meta hash (start, end)   2 stock hash (item -> remaining)   3 limits hash (item -> limit)
--         4 order stream   5 the waiting room's outstanding passes (sorted set; absent without one);
--         then 6 per request:
--         buyers hash of the item (user -> units), request key (idempotency key -> ticket; any key when
--         the request has none), ticket key, per-user rate counter, purchase-token record, per-IP rate
--         counter
--   ARGV: 1 n (requests)   2 activity id   3 rate limit (requests per window, 0 = off)   4 rate window ms
--         5 request key ttl ms   6 ticket ttl ms   7 per-IP rate limit (0 = off); then 6 per request:
--         user id, item id, new ticket, purchase-token id ("" = none), token record ttl ms, the client's
--         idempotency key ("" = none)
-- All keys share the activity's hash tag, so they sit in one Redis Cluster slot.
--
-- admit(K, A) sees one request in the layout below (the batch loop at the end assembles it):
--   K: 1 meta   2 stock   3 limits   4 buyers   5 request key   6 ticket   7 order stream   8 per-user rate
--      counter   9 purchase-token record   10 per-IP rate counter   11 outstanding passes
--   A: 1 user id   2 item id   3 new ticket   4 activity id   5 "1" when K[5] is a client key, else "0"
--      6 rate limit   7 rate window ms   8 request key ttl ms   9 ticket ttl ms   10 purchase-token id
--      11 token record ttl ms   12 per-IP rate limit   13 the client's idempotency key ("" = none)
-- Returns 3 values per request, {code, ticket, n, code, ticket, n, ...}; code is QUEUED, DUPLICATE
-- (ticket = the first answer's ticket), TOKEN_USED, RATE_LIMITED (n = ms until the window ends), NOT_FOUND, NOT_STARTED, ENDED,
-- LIMIT_REACHED or SOLD_OUT; n is the remaining stock when QUEUED, else -1.
local function admit(K, A)
  local keyed = A[5] == '1'
  if keyed then
    local first = redis.call('GET', K[5])
    if first then
      return {'DUPLICATE', first, -1}
    end
  end

  local token = A[10]

  -- Final answers use up the token; RATE_LIMITED does not (the same token may be retried after it).
  local function answer(code, ticket, n)
    if token ~= '' then
      redis.call('SET', K[9], A[13] .. '|' .. code .. '|' .. ticket, 'PX', A[11])
    end
    return {code, ticket, n}
  end

  local function overLimit(counter, limit)
    local used = redis.call('INCR', counter)
    if used == 1 then
      redis.call('PEXPIRE', counter, A[7])
    end
    if used > limit then
      local ttl = redis.call('PTTL', counter)
      if ttl < 0 then
        redis.call('PEXPIRE', counter, A[7])
        ttl = tonumber(A[7])
      end
      return ttl
    end
    return nil
  end

  local rateLimit = tonumber(A[6])
  if rateLimit > 0 then
    local wait = overLimit(K[8], rateLimit)
    if wait then
      return {'RATE_LIMITED', '', wait}
    end
  end
  local ipRateLimit = tonumber(A[12])
  if ipRateLimit > 0 then
    local wait = overLimit(K[10], ipRateLimit)
    if wait then
      return {'RATE_LIMITED', '', wait}
    end
  end

  -- A purchase token admits once. Its record holds the first answer, so a retry of that same purchase
  -- (same token and Idempotency-Key) gets the answer again; any other use of the token is refused.
  -- Checked after the limits, so replaying a spent token is rate limited like any request.
  if token ~= '' then
    local record = redis.call('GET', K[9])
    if record then
      local key, code, ticket = string.match(record, '^([^|]*)|([^|]*)|(.*)$')
      if keyed and key == A[13] then
        if code == 'QUEUED' then
          return {'DUPLICATE', ticket, -1}
        end
        return {code, '', -1}
      end
      return {'TOKEN_USED', '', -1}
    end
  end

  local window = redis.call('HMGET', K[1], 'start', 'end')
  if not window[1] then
    -- Not final either: a Redis that lost the sale gets it back when an admin publishes again.
    return {'NOT_FOUND', '', -1}
  end
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  if now < tonumber(window[1]) then
    -- Not final: the same token may be used once the sale opens.
    return {'NOT_STARTED', '', -1}
  end
  if now >= tonumber(window[2]) then
    return answer('ENDED', '', -1)
  end

  local limit = redis.call('HGET', K[3], A[2])
  if not limit then
    return answer('NOT_FOUND', '', -1)
  end
  local held = tonumber(redis.call('HGET', K[4], A[1]) or '0')
  if held >= tonumber(limit) then
    return answer('LIMIT_REACHED', '', -1)
  end
  local stock = tonumber(redis.call('HGET', K[2], A[2]) or '0')
  if stock <= 0 then
    return answer('SOLD_OUT', '', -1)
  end

  local remaining = redis.call('HINCRBY', K[2], A[2], -1)
  local slot = redis.call('HINCRBY', K[4], A[1], 1)
  if keyed then
    redis.call('SET', K[5], A[3], 'PX', A[8])
  end
  redis.call('SET', K[6], 'Q|' .. A[1], 'PX', A[9])
  redis.call('XADD', K[7], '*', 't', A[3], 'a', A[4], 'i', A[2], 'u', A[1], 's', slot)
  -- An admitted shopper who bought holds no unit back from the waiting room's line any more.
  redis.call('ZREM', K[11], A[1])
  return answer('QUEUED', A[3], remaining)
end

local SHARED_KEYS, SHARED_ARGS, KEY_COUNT, ARG_COUNT = 5, 7, 6, 6
local replies = {}
for r = 0, tonumber(ARGV[1]) - 1 do
  local k, a = SHARED_KEYS + r * KEY_COUNT, SHARED_ARGS + r * ARG_COUNT
  local idempotencyKey = ARGV[a + 6]
  local K = {KEYS[1], KEYS[2], KEYS[3], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[4], KEYS[k + 4],
             KEYS[k + 5], KEYS[k + 6], KEYS[5]}
  local A = {ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[2], (idempotencyKey ~= '') and '1' or '0', ARGV[3],
             ARGV[4], ARGV[5], ARGV[6], ARGV[a + 4], ARGV[a + 5], ARGV[7], idempotencyKey}
  -- A request that fails fails alone (pcall does not undo its writes). Bad data in Redis fails a
  -- check, and every check comes before any write but the rate counters, so it took no unit. The
  -- writes after the decrement can only fail on a TTL Redis refuses (the node refuses to start with
  -- one) or a key of the wrong type; then the unit is taken without an order (undersold, never
  -- oversold) until the stock reconciler sets Redis back to the database's figure.
  local ok, reply = pcall(admit, K, A)
  if not ok then
    reply = {'ERROR', '', -1}
  end
  replies[#replies + 1] = reply[1]
  replies[#replies + 1] = reply[2]
  replies[#replies + 1] = reply[3]
end
return replies
