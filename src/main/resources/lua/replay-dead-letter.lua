-- Puts one dead-lettered purchase back in its sale's order stream, for the order writer to write as
-- any purchase. When the writer dead-lettered it, it gave the unit and the buyer's slot back to Redis
-- (the shopper was told FAILED), so a replay takes both again, exactly as an admission does: it is
-- refused when the item has no unit left or the buyer already holds the item's limit, and the stock
-- in Redis stays the database's. The ticket goes back to queued; the database takes it at most once
-- (its ticket is unique there).
-- KEYS[1] dead-letter stream, KEYS[2] order stream, KEYS[3] stock hash, KEYS[4] limits hash,
-- KEYS[5] buyers hash of the entry's item, KEYS[6] the entry's ticket key
-- ARGV[1] entry id, ARGV[2] ticket, ARGV[3] activity id, ARGV[4] item id, ARGV[5] user id,
-- ARGV[6] ticket ttl ms
-- Returns REPLAYED, or why not: NOT_FOUND (no such entry, or not the one read), NOT_REPLAYABLE (its
-- ticket is queued or written already), ENDED (the sale's keys were removed), SOLD_OUT, LIMIT_REACHED.
local entry = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entry == 0 then
  return 'NOT_FOUND'
end
local fields = {}
local flat = entry[1][2]
for i = 1, #flat, 2 do
  fields[flat[i]] = flat[i + 1]
end
if fields['t'] ~= ARGV[2] or fields['i'] ~= ARGV[4] or fields['u'] ~= ARGV[5] then
  return 'NOT_FOUND'
end
local state = redis.call('GET', KEYS[6])
if state and string.sub(state, 1, 2) ~= 'F|' then
  return 'NOT_REPLAYABLE'
end
if redis.call('EXISTS', KEYS[3]) == 0 then
  return 'ENDED'
end
if tonumber(redis.call('HGET', KEYS[3], ARGV[4]) or '0') <= 0 then
  return 'SOLD_OUT'
end
local limit = tonumber(redis.call('HGET', KEYS[4], ARGV[4]) or '1')
if tonumber(redis.call('HGET', KEYS[5], ARGV[5]) or '0') >= limit then
  return 'LIMIT_REACHED'
end
redis.call('HINCRBY', KEYS[3], ARGV[4], -1)
local slot = redis.call('HINCRBY', KEYS[5], ARGV[5], 1)
redis.call('SET', KEYS[6], 'Q|' .. ARGV[5], 'PX', ARGV[6])
redis.call('XADD', KEYS[2], '*', 't', ARGV[2], 'a', ARGV[3], 'i', ARGV[4], 'u', ARGV[5], 's', slot)
redis.call('XDEL', KEYS[1], ARGV[1])
return 'REPLAYED'
