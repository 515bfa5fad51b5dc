-- Takes back one request counted by rate-limits.lua (a login that turned out right, a right challenge
-- answer). KEYS[1]: the counter. A counter whose window has ended is left alone: a plain DECR would
-- recreate it at -1 with no expiry, a credit that never ends. Returns the new count, or 0.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('DECR', KEYS[1])
end
return 0
