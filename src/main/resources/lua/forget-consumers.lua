-- Removes from group ARGV[1] of stream KEYS[1] the consumers that hold no pending entry and have
-- been idle for at least ARGV[2] ms: workers gone for good (scaled away, or renamed), which would
-- otherwise pile up in the group. Checked and removed in one atomic step: removing a consumer that
-- holds an entry would drop that entry from the pending list, where nobody could claim it. A live
-- worker removed this way is added back by its next read, losing nothing (before Redis 7.2 a read
-- that finds nothing does not count as activity, so a live worker can look idle in a quiet hour);
-- consumers whose names start with ARGV[3] (the caller's own) are never removed.
-- Returns how many consumers were removed.
local removed = 0
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local fields = {}
  for i = 1, #consumer, 2 do
    fields[consumer[i]] = consumer[i + 1]
  end
  local own = string.sub(fields['name'], 1, #ARGV[3]) == ARGV[3]
  if not own and fields['pending'] == 0 and fields['idle'] >= tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], fields['name'])
    removed = removed + 1
  end
end
return removed
