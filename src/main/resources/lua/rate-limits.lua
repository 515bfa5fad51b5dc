-- Fixed-window counters for several limits at once, e.g. per shopper and per client IP.
-- KEYS: the counters. ARGV[1]: window length in ms; ARGV[1 + i]: the limit of KEYS[i] (0 = off, not
-- counted). Counts one request on every counter that is on, and returns 0 when all are within their
-- limit, else the ms until the first exceeded counter's window ends (for Retry-After).
local wait = 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[i + 1])
  if limit > 0 then
    local used = redis.call('INCR', KEYS[i])
    local ttl = redis.call('PTTL', KEYS[i])
    if used == 1 or ttl < 0 then
      redis.call('PEXPIRE', KEYS[i], ARGV[1])
      ttl = tonumber(ARGV[1])
    end
    if used > limit and wait == 0 then
      wait = ttl
    end
  end
end
return wait
