-- One admission round of a sale's waiting room: the worker holding the cluster duties runs it about
-- once a second per sale. The line is the drawn early arrivals in draw order, then the late ones in
-- arrival order; "cursor" counts the places admitted so far, so nobody is admitted twice and nobody
-- is skipped.
-- The draw closes at the first round from the start on (Redis's clock): "closed" keeps the number
-- drawn, and join-line.lua draws nobody after it.
-- The rate is kept here, not by the caller's timing: each round earns admitPerSecond for the time
-- since the last round (whoever ran it), at most one second's worth, so late rounds, or two workers
-- at a handover, never admit faster than the rate.
-- An admitted shopper holds a unit back until they buy (admission.lua removes them) or their pass
-- expires (removed here: the unit goes back to the line). Nobody is admitted whom the units left
-- cannot serve; units that come back (an expired or cancelled order) let the line move again.
-- KEYS: 1 drawn   2 late   3 state hash   4 outstanding passes (sorted set by expiry)   5 passes (hash
--       shopper -> expiry)   6 the sale's stock hash   7 the sale's meta hash
-- ARGV: 1 admissions per second   2 pass ttl ms   3 measured admissions per second (for the status
--       answers)
-- Returns {admitted, cursor, free units}.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local start = tonumber(redis.call('HGET', KEYS[7], 'start') or '0')
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local units = 0
for _, value in ipairs(redis.call('HVALS', KEYS[6])) do
  local n = tonumber(value) or 0
  if n > 0 then
    units = units + n
  end
end
local outstanding = redis.call('ZCARD', KEYS[4])
local late = redis.call('ZCARD', KEYS[2])
local state = redis.call('HMGET', KEYS[3], 'cursor', 'closed', 'credit', 'at')
local cursor = tonumber(state[1] or '0')
local closed = state[2]
if not closed then
  if now < start then
    redis.call('HSET', KEYS[3], 'drawn', redis.call('ZCARD', KEYS[1]), 'late', late, 'units', units,
      'outstanding', outstanding, 'at', now)
    return {0, cursor, units - outstanding}
  end
  closed = redis.call('ZCARD', KEYS[1])
end
local drawn = tonumber(closed)
local rate = tonumber(ARGV[1])
local last = tonumber(state[4] or '0')
if last < start then
  last = math.max(start, now - 1000)
end
local credit = math.min(rate, tonumber(state[3] or '0') + rate * math.max(0, now - last) / 1000)
local want = math.min(math.floor(credit), units - outstanding, drawn + late - cursor)
local expires = now + tonumber(ARGV[2])
local admitted = 0
while admitted < want do
  local list, offset, size = KEYS[1], cursor, drawn
  if cursor >= drawn then
    list, offset, size = KEYS[2], cursor - drawn, late
  end
  local members = redis.call('ZRANGE', list, offset, offset + math.min(want - admitted, size - offset) - 1)
  if #members == 0 then
    break
  end
  for _, member in ipairs(members) do
    redis.call('ZADD', KEYS[4], expires, member)
    redis.call('HSET', KEYS[5], member, expires)
  end
  admitted = admitted + #members
  cursor = cursor + #members
end
local free = units - outstanding - admitted
-- The credit is kept as a string with its fraction (a Lua number would go out as an integer).
redis.call('HSET', KEYS[3], 'cursor', cursor, 'closed', drawn, 'drawn', drawn, 'late', late, 'units', units,
  'outstanding', outstanding + admitted, 'free', free, 'credit', string.format('%.3f', credit - admitted),
  'rate', ARGV[3], 'at', now)
return {admitted, cursor, free}
