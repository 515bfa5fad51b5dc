-- Takes a free lease or renews one's own. KEYS[1] the lease; ARGV[1] the holder,
-- ARGV[2] how long it lasts without renewal (ms). Returns 1 when ARGV[1] holds it.
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
	return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
