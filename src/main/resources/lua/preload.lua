-- Publishes an activity's rules and stock to Redis in one atomic step.
-- KEYS[1] meta hash, KEYS[2] stock hash, KEYS[3] limits hash  (all share the activity's hash tag)
-- ARGV[1] start (epoch ms), ARGV[2] end (epoch ms), ARGV[3] minimum level, ARGV[4] item ids "1,2,3"
-- ARGV[5] "1" when shoppers must answer a challenge, else "0"
-- ARGV[6..9] the waiting room: when its line opens (epoch ms), admissions per second, how long a pass
-- lasts (ms), the seed of the draw (hex); all "" when the sale has none
-- ARGV[10..] triples: item id, remaining units, per-user limit
-- Returns the number of items published.
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'start', ARGV[1], 'end', ARGV[2], 'minLevel', ARGV[3], 'items', ARGV[4],
  'challenge', ARGV[5])
if ARGV[6] == '' then
  redis.call('HDEL', KEYS[1], 'wrOpens', 'wrRate', 'wrPassTtl', 'wrSeed')
else
  redis.call('HSET', KEYS[1], 'wrOpens', ARGV[6], 'wrRate', ARGV[7], 'wrPassTtl', ARGV[8], 'wrSeed', ARGV[9])
end
-- A sale whose keys were removed after its retention keeps its rules for a while with a time to
-- live (SaleKeyRetention): published again, they stay.
redis.call('PERSIST', KEYS[1])  -- (KEYS[3] is written anew below)
local count = 0
for i = 10, #ARGV, 3 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
  count = count + 1
end
return count
