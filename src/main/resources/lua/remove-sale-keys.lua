-- Removes an ended sale's Redis keys once nothing in them waits to be written, in one step: checked
-- and removed atomically, so a dead letter replayed at the same moment (replay-dead-letter.lua, which
-- needs the stock hash) either lands first and keeps the keys, or finds them gone and is refused.
-- KEYS[1] the order stream, KEYS[2] the dead-letter stream, KEYS[3 ..] the other keys to remove
-- (stock, ack probe, buyers hashes)
-- Returns -1 when the stream still holds or owes entries (nothing removed), else the number of dead
-- letters kept (the dead-letter stream is removed only when empty).
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('XLEN', KEYS[1]) > 0 then
    return -1
  end
  for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    for i = 1, #group, 2 do
      if group[i] == 'pending' and tonumber(group[i + 1]) > 0 then
        return -1
      end
    end
  end
end
local doomed = { KEYS[1] }
for i = 3, #KEYS do
  doomed[#doomed + 1] = KEYS[i]
end
local dead = redis.call('XLEN', KEYS[2])
if dead == 0 then
  doomed[#doomed + 1] = KEYS[2]
end
redis.call('UNLINK', unpack(doomed))
return dead
