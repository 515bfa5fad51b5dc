-- Settles written purchases of one activity atomically: stores each ticket's result, gives Redis back
-- what the database refused, then acknowledges and deletes the stream entries. A ticket is settled
-- only while it is still queued ("Q|..."), so settling the same entries twice (a slow worker whose
-- entries were claimed by another) never gives a slot or a unit back twice.
--
-- KEYS[1] the order stream; KEYS[2] the stock hash;
-- KEYS[3 .. 2+n] ticket keys; KEYS[3+n .. 2+2n] the buyers hash of each ticket's item
-- ARGV[1] consumer group, ARGV[2] n, ARGV[3] ticket ttl ms
-- ARGV[4 .. 3+4n] per ticket: result value, user id, item id, what to give back to Redis:
--   "0" nothing, "S" the user's slot, "U" the unit, "B" both (the database holds neither)
-- ARGV[4+4n ..] stream entry ids to XACK and XDEL
-- Returns the number of tickets settled now (the others were settled before).
local n = tonumber(ARGV[2])
local settled = 0
for i = 1, n do
  local base = 3 + (i - 1) * 4
  local ticketKey = KEYS[2 + i]
  local current = redis.call('GET', ticketKey)
  if (not current) or string.sub(current, 1, 2) == 'Q|' then
    redis.call('SET', ticketKey, ARGV[base + 1], 'PX', ARGV[3])
    settled = settled + 1
    local giveBack = ARGV[base + 4]
    if current and (giveBack == 'S' or giveBack == 'B') then
      redis.call('HINCRBY', KEYS[2 + n + i], ARGV[base + 2], -1)
    end
    if current and (giveBack == 'U' or giveBack == 'B') then
      redis.call('HINCRBY', KEYS[2], ARGV[base + 3], 1)
    end
  end
end
local ids = {}
for j = 4 + 4 * n, #ARGV do
  ids[#ids + 1] = ARGV[j]
end
if #ids > 0 then
  redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
  redis.call('XDEL', KEYS[1], unpack(ids))
end
return settled
