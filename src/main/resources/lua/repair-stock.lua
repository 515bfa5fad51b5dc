-- Sets an item's Redis stock to the database's figure, only while the activity is quiescent: no
-- admitted purchase waits in the stream and the stock still holds the value the reconciler read.
-- KEYS[1] order stream, KEYS[2] stock hash
-- ARGV[1] item id, ARGV[2] the Redis stock read before, ARGV[3] the database's remaining units
-- Returns 1 repaired, 0 nothing to do, -1 entries in flight, -2 the stock moved meanwhile.
if redis.call('XLEN', KEYS[1]) > 0 then
  return -1
end
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current ~= ARGV[2] then
  return -2
end
if current == ARGV[3] then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
