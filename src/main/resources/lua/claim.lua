-- Takes over, for consumer ARGV[2] of group ARGV[1], entries of stream KEYS[1] that sat
-- unacknowledged with another consumer for at least ARGV[3] ms (it died or hangs): one XAUTOCLAIM
-- step of at most ARGV[4] entries from cursor ARGV[5]. Here rather than called from Java because
-- the client has no XAUTOCLAIM; the script only passes the reply on.
-- Returns {next cursor ("0-0" once the pending list was gone through), {{id, {field, value, ...}}, ...}}.
local reply = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[5], 'COUNT', ARGV[4])
-- Redis 6.2 answers an entry deleted from the stream but still pending as nil (false here); 7.0
-- drops such entries itself. Nothing to write for those.
local entries = {}
for _, entry in ipairs(reply[2]) do
  if entry then
    entries[#entries + 1] = entry
  end
end
return {reply[1], entries}
