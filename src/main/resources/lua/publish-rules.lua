-- Publishes users' admin-set rules and token versions ("level|blacklisted|tokenVersion") so that a token
-- version never moves back: an entry is written when none is stored or the stored one carries a version
-- not above the new one. A level change keeps the version and is written; an older snapshot (an admin
-- node restoring from the database while a change goes on), a late retry or a reordered write never
-- undoes a revocation. Entries written before token versions existed ("level|blacklisted") count as 0.
-- KEYS[1] the rules hash, KEYS[2] the version counter nodes poll.
-- ARGV: user id, rules, user id, rules, ...
-- Bumps the counter (so every node reloads) and returns how many entries were written.
local function version(rules)
  local fields = {}
  for field in string.gmatch(rules, '[^|]+') do
    fields[#fields + 1] = field
  end
  return tonumber(fields[3] or '0')
end
local written = 0
for i = 1, #ARGV, 2 do
  local stored = redis.call('HGET', KEYS[1], ARGV[i])
  if not stored or version(stored) <= version(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    written = written + 1
  end
end
redis.call('INCR', KEYS[2])
return written
