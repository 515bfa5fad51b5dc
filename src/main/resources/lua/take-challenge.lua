-- Takes an open challenge for its answer check: a challenge is answered at most once, right or wrong.
-- KEYS[1] the challenge ("userId|question"), KEYS[2] the user's wrong-answer counter.
-- ARGV[1] wrong answers allowed per window, ARGV[2] the user id.
-- Returns 'LOCKED|<ms until the counter's window ends>', 'MISSING|' (unknown, expired, answered, or
-- another user's) or 'OPEN|<question>'.
local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
if failures >= tonumber(ARGV[1]) then
  return 'LOCKED|' .. redis.call('PTTL', KEYS[2])
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
