-- Latency-over-time probe: run with `wrk -t1 -c1` next to the main load. Same requests as sale.lua
-- (same arguments), one at a time, `interval_ms` apart (argument, default 5). With one connection
-- request() and response() alternate, so each response's latency is known here; once a second the
-- probe writes "L <epoch second> <n> <p50 us> <p90 us> <p99 us> <max us>" to stderr. wrk alone only
-- reports latency for the whole run, not per second.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "sale.lua")

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local sale_init, sale_request, sale_response = init, request, response
local interval = 5
local sent_at = 0
local samples = {}
local sample_second = 0

function init(args)
  sale_init(args)
  for _, arg in ipairs(args) do
    local v = arg:match("^interval_ms=(%d+)$")
    if v then interval = tonumber(v) end
  end
end

function delay()
  return interval
end

function request()
  sent_at = now_us()
  return sale_request()
end

local function report(second)
  local count = #samples
  if count == 0 then return end
  table.sort(samples)
  local function at(p)
    return samples[math.max(1, math.ceil(count * p))]
  end
  io.stderr:write(string.format("L %d %d %d %d %d %d\n", second, count, at(0.5), at(0.9), at(0.99), samples[count]))
  samples = {}
end

function response(status, headers, body)
  local latency = now_us() - sent_at
  local second = os.time()
  if second ~= sample_second then
    report(sample_second)
    sample_second = second
  end
  table.insert(samples, latency)
  sale_response(status, headers, body)
end
