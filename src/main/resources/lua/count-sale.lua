-- Adds one node's counts of a sale's requests since its last flush to the sale's shared counts, and
-- keeps them until the sale's keys are removed (the sale's end plus the retention): requests that go
-- on after that (ENDED, then 404) never leave a key behind.
-- KEYS[1] the sale's counts hash
-- ARGV[1] when the hash expires (epoch ms), ARGV[2 ..] pairs: field, count to add
for i = 2, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 0
