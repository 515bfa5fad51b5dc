-- wrk script of the login flood (the "admission during a login flood" line): wrong passwords for
-- names that do not exist, a new name per request, so that no per-username limit stops them and each
-- costs the node a (dummy) BCrypt hash, as credential stuffing would. Counts answers by status and
-- prints one JSON object on stdout in done(): {"requests": n, "outcomes": {"401": n, "503": n, ...}}.
--
-- Arguments (after "--"): prefix=<unique name prefix for this run>

local thread_list = {}
local counter = 0
local prefix = "flood"
counts = {}

function setup(thread)
  thread:set("tid", #thread_list + 1)
  table.insert(thread_list, thread)
end

function init(args)
  for _, arg in ipairs(args) do
    local k, v = arg:match("^([%w_]+)=(.*)$")
    if k == "prefix" then prefix = v end
  end
end

function request()
  counter = counter + 1
  local body = '{"username":"' .. prefix .. tid .. "x" .. counter .. '","password":"not-the-password"}'
  return wrk.format("POST", "/api/v1/sessions", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(thread_list) do
    for k, v in pairs(thread:get("counts") or {}) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s":%d', k, v)) end
  io.write(string.format('{"requests":%d,"outcomes":{%s}}\n', summary.requests, table.concat(parts, ",")))
end
