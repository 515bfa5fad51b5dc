-- Puts a shopper in a sale's waiting room, once. Until the draw is closed (the admitter's first round
-- after the start writes "closed" in the state hash) and before the start by Redis's clock (the same
-- for every node), the shopper is drawn: placed by ARGV[2], a keyed hash of the shopper that nobody
-- can predict before the start, so the order among early arrivals does not depend on when they came.
-- Everyone else queues behind them all, by arrival: once closed, never in the draw again, whatever
-- the clock says (a clock stepped back, a failover).
-- KEYS: 1 drawn (sorted set)   2 late (sorted set)   3 arrivals counter   4 the sale's meta hash
--       5 the line's state hash
-- ARGV: 1 shopper id   2 the shopper's draw score (an integer below 2^52)
-- Returns {joined, list}: joined 1 when new, 0 when the shopper was in line already (the same place),
-- -1 when the sale is not in Redis; list 'D' (drawn) or 'L' (late).
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return {0, 'D'}
end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return {0, 'L'}
end
local start = redis.call('HGET', KEYS[4], 'start')
if not start then
  return {-1, ''}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if now < tonumber(start) and redis.call('HEXISTS', KEYS[5], 'closed') == 0 then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  return {1, 'D'}
end
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
return {1, 'L'}
