-- Gives a lease back, only if ARGV[1] still holds KEYS[1] (another may have taken it
-- over after it ran out). Returns 1 when released.
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
