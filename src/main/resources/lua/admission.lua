-- One purchase admission, atomic: replay check, single use of the purchase token, rate limits, sale
-- window, per-user limit, stock, then decrement, record the buyer and the request, and enqueue the
-- order. Deduction and enqueue happen in one script, so no crash can take a unit without queueing its
-- order.
--
-- KEYS (all share the activity's hash tag, so they sit in one Redis Cluster slot):
--   1 meta hash (start, end)        2 stock hash (item -> remaining)   3 limits hash (item -> limit)
--   4 buyers hash of the item (user -> units)   5 request key (idempotency key -> ticket)
--   6 ticket key                    7 order stream                     8 per-user rate counter
--   9 purchase-token record         10 per-IP rate counter
-- ARGV:
--   1 user id   2 item id   3 new ticket   4 activity id   5 "1" when KEYS[5] is a client key, else "0"
--   6 rate limit (requests per window, 0 = off)   7 rate window ms   8 request key ttl ms   9 ticket ttl ms
--   10 purchase-token id ("" = none)   11 token record ttl ms   12 per-IP rate limit (0 = off)
--   13 the client's idempotency key ("" = none)
-- Returns {code, ticket, n}; code is QUEUED, DUPLICATE (ticket = the first answer's ticket),
-- TOKEN_USED, RATE_LIMITED (n = ms until the window ends), NOT_FOUND, NOT_STARTED, ENDED,
-- LIMIT_REACHED or SOLD_OUT; n is the remaining stock when QUEUED, else -1.
local keyed = ARGV[5] == '1'
if keyed then
  local first = redis.call('GET', KEYS[5])
  if first then
    return {'DUPLICATE', first, -1}
  end
end

-- A purchase token admits once. Its record holds the first answer, so a retry of that same purchase
-- (same token and Idempotency-Key) gets the answer again; any other use of the token is refused.
local token = ARGV[10]
if token ~= '' then
  local record = redis.call('GET', KEYS[9])
  if record then
    local key, code, ticket = string.match(record, '^([^|]*)|([^|]*)|(.*)$')
    if keyed and key == ARGV[13] then
      if code == 'QUEUED' then
        return {'DUPLICATE', ticket, -1}
      end
      return {code, '', -1}
    end
    return {'TOKEN_USED', '', -1}
  end
end

-- Final answers use up the token; RATE_LIMITED does not (the same token may be retried after it).
local function answer(code, ticket, n)
  if token ~= '' then
    redis.call('SET', KEYS[9], ARGV[13] .. '|' .. code .. '|' .. ticket, 'PX', ARGV[11])
  end
  return {code, ticket, n}
end

local function overLimit(counter, limit)
  local used = redis.call('INCR', counter)
  if used == 1 then
    redis.call('PEXPIRE', counter, ARGV[7])
  end
  if used > limit then
    local ttl = redis.call('PTTL', counter)
    if ttl < 0 then
      redis.call('PEXPIRE', counter, ARGV[7])
      ttl = tonumber(ARGV[7])
    end
    return ttl
  end
  return nil
end

local rateLimit = tonumber(ARGV[6])
if rateLimit > 0 then
  local wait = overLimit(KEYS[8], rateLimit)
  if wait then
    return {'RATE_LIMITED', '', wait}
  end
end
local ipRateLimit = tonumber(ARGV[12])
if ipRateLimit > 0 then
  local wait = overLimit(KEYS[10], ipRateLimit)
  if wait then
    return {'RATE_LIMITED', '', wait}
  end
end

local window = redis.call('HMGET', KEYS[1], 'start', 'end')
if not window[1] then
  return answer('NOT_FOUND', '', -1)
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

local limit = redis.call('HGET', KEYS[3], ARGV[2])
if not limit then
  return answer('NOT_FOUND', '', -1)
end
local held = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
if held >= tonumber(limit) then
  return answer('LIMIT_REACHED', '', -1)
end
local stock = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if stock <= 0 then
  return answer('SOLD_OUT', '', -1)
end

local remaining = redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
local slot = redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
if keyed then
  redis.call('SET', KEYS[5], ARGV[3], 'PX', ARGV[8])
end
redis.call('SET', KEYS[6], 'Q|' .. ARGV[1], 'PX', ARGV[9])
redis.call('XADD', KEYS[7], '*', 't', ARGV[3], 'a', ARGV[4], 'i', ARGV[2], 'u', ARGV[1], 's', slot)
return answer('QUEUED', ARGV[3], remaining)
