-- Takes an open challenge for its answer check: a challenge is answered at most once, right or wrong.
-- (The wrong-answer limit is counted before, by rate-limits.lua, like every other fixed-window limit.)
-- KEYS[1] the challenge ("owner|question"). ARGV[1] who answers.
-- Returns 'OPEN|<question>', or 'MISSING|' when it is unknown, expired, answered or someone else's.
local challenge = redis.call('GET', KEYS[1])
if not challenge then
  return 'MISSING|'
end
local owner, question = string.match(challenge, '^([^|]*)|(.*)$')
if owner ~= ARGV[1] then
  return 'MISSING|'
end
redis.call('DEL', KEYS[1])
return 'OPEN|' .. question
