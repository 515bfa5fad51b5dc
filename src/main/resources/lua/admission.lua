-- One purchase admission, atomic: replay check, rate limit, sale window, per-user limit, stock, then
-- decrement, record the buyer and the request, and enqueue the order. Deduction and enqueue happen in
-- one script, so no crash can take a unit without queueing its order.
--
-- KEYS (all share the activity's hash tag, so they sit in one Redis Cluster slot):
--   1 meta hash (start, end)        2 stock hash (item -> remaining)   3 limits hash (item -> limit)
--   4 buyers hash of the item (user -> units)   5 request key (idempotency key -> ticket)
--   6 ticket key                    7 order stream                     8 rate-limit counter
-- ARGV:
--   1 user id   2 item id   3 new ticket   4 activity id   5 "1" when KEYS[5] is a client key, else "0"
--   6 rate limit (requests per window, 0 = off)   7 rate window ms   8 request key ttl ms   9 ticket ttl ms
-- Returns {code, ticket, remaining}; code is QUEUED, DUPLICATE (ticket = the first answer's ticket),
-- RATE_LIMITED, NOT_FOUND, NOT_STARTED, ENDED, LIMIT_REACHED or SOLD_OUT; remaining is -1 unless QUEUED.
if ARGV[5] == '1' then
  local first = redis.call('GET', KEYS[5])
  if first then
    return {'DUPLICATE', first, -1}
  end
end

local rateLimit = tonumber(ARGV[6])
if rateLimit > 0 then
  local used = redis.call('INCR', KEYS[8])
  if used == 1 then
    redis.call('PEXPIRE', KEYS[8], ARGV[7])
  end
  if used > rateLimit then
    return {'RATE_LIMITED', '', -1}
  end
end

local window = redis.call('HMGET', KEYS[1], 'start', 'end')
if not window[1] then
  return {'NOT_FOUND', '', -1}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if now < tonumber(window[1]) then
  return {'NOT_STARTED', '', -1}
end
if now >= tonumber(window[2]) then
  return {'ENDED', '', -1}
end

local limit = redis.call('HGET', KEYS[3], ARGV[2])
if not limit then
  return {'NOT_FOUND', '', -1}
end
local held = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
if held >= tonumber(limit) then
  return {'LIMIT_REACHED', '', -1}
end
local stock = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if stock <= 0 then
  return {'SOLD_OUT', '', -1}
end

local remaining = redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
local slot = redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
if ARGV[5] == '1' then
  redis.call('SET', KEYS[5], ARGV[3], 'PX', ARGV[8])
end
redis.call('SET', KEYS[6], 'Q|' .. ARGV[1], 'PX', ARGV[9])
redis.call('XADD', KEYS[7], '*', 't', ARGV[3], 'a', ARGV[4], 'i', ARGV[2], 'u', ARGV[1], 's', slot)
return {'QUEUED', ARGV[3], remaining}
