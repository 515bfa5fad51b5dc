-- Applies one database stock change to Redis exactly once: units back to an item's stock and, for a
-- cancelled order, the buyer's slot freed. The marker key makes a repeated call (a relay that died
-- after this script but before deleting its outbox row) a no-op.
-- KEYS[1] stock hash, KEYS[2] buyers hash of the item, KEYS[3] marker key (one per outbox row)
-- ARGV[1] item id, ARGV[2] units, ARGV[3] user id ("" when no buyer slot is freed), ARGV[4] marker ttl ms
-- Returns 1 when applied now (or when there is nothing to apply it to), 0 when applied before.
-- An item whose sale has no stock hash (its keys removed after the sale's retention, or lost with
-- Redis, or not published yet) gets nothing: the database holds the units, and a publish loads them
-- from it; writing here would leave a stray key behind.
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[4]) then
  return 0
end
-- (After the marker: a retry of a skipped row, once a publish loaded the stock back from the
-- database, which counts this unit already, must not add it again.)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 1
end
redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then
  local held = tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')
  if held > 0 then
    redis.call('HINCRBY', KEYS[2], ARGV[3], -1)
  end
end
return 1
