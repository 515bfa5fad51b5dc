-- Takes an open challenge for its answer check: a challenge is answered at most once, right or wrong.
-- Every attempt is counted as a failure first, atomically, and un-counted (DECR) once found right: so
-- answers sent in parallel cannot all pass the limit before any is counted.
-- KEYS[1] the challenge ("userId|question"), KEYS[2] the user's failure counter.
-- ARGV[1] failures allowed per window, ARGV[2] the user id, ARGV[3] the window in ms.
-- Returns 'LOCKED|<ms until the counter's window ends>', 'MISSING|' (unknown, expired, answered, or
-- another user's) or 'OPEN|<question>'.
local failures = redis.call('INCR', KEYS[2])
local ttl = redis.call('PTTL', KEYS[2])
if failures == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  ttl = tonumber(ARGV[3])
end
if failures > tonumber(ARGV[1]) then
  return 'LOCKED|' .. ttl
end
local challenge = redis.call('GET', KEYS[1])
if not challenge then
  return 'MISSING|'
end
local user, question = string.match(challenge, '^([^|]*)|(.*)$')
if user ~= ARGV[2] then
  return 'MISSING|'
end
redis.call('DEL', KEYS[1])
return 'OPEN|' .. question
