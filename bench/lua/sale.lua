-- wrk script used by every scenario (and by the nginx / ping baselines, so the load generator does the
-- same work per request whatever it measures). Each thread rotates through the users' access tokens
-- and sends a fresh Idempotency-Key with every request. Outcomes are counted by HTTP status and error
-- code ("409:SOLD_OUT") in response(); once a second each thread writes its counts of the second that
-- ended to stderr ("S <thread> <epoch second> <outcome>=<n> ..."), which the driver turns into progress
-- lines and the throughput-over-time chart. done() prints one JSON object on stdout.
--
-- Arguments (after "--"), key=value:
--   method=GET|POST   paths=<path>[,<path>...] (rotated per request: hot = one path, spread = many)
--   host=<Host header>   tokens=<file with one token per line, or empty for none>
--   keys=1|0 (send Idempotency-Key)   prefix=<unique key prefix for this run>   threads=<wrk -t>
--   ptoken=forged     every purchase carries a well-formed Purchase-Token with a wrong signature
--   flow=1            the two-step purchase: ask a purchase token (POST .../purchase-tokens) for the
--                     next shopper; each 201 queues (shopper, token), and the thread's next request
--                     is that shopper's purchase with its Purchase-Token (and Idempotency-Key). Works
--                     with any number of connections: the shopper is found by the user id the token
--                     carries. Needs ids=<file with the user id of each line of the tokens file>.

local thread_list = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(thread_list, thread)
end

local function options(args)
  local opt = {}
  for _, arg in ipairs(args) do
    local k, v = arg:match("^([%w_]+)=(.*)$")
    if k then opt[k] = v end
  end
  return opt
end

local function split(text, sep)
  local parts = {}
  for part in string.gmatch(text, "[^" .. sep .. "]+") do table.insert(parts, part) end
  return parts
end

local heads, auths, key_prefix, use_keys
local npaths, ntokens, pi, ti, n
local forged, flow, token_heads, purchase_head, shopper_of, queue, qhead, qtail
-- Signed by no key of the server: refused as PURCHASE_TOKEN_INVALID after one HMAC.
local FORGED = "Purchase-Token: s0.1.1.1.9999999999999.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA\r\n"

counts = {}      -- all responses of this thread, outcome -> n
current = {}     -- responses of the second in progress
current_second = 0

function init(args)
  local opt = options(args)
  local method = opt.method or "GET"
  local host = opt.host or "127.0.0.1"
  heads = {}
  for _, path in ipairs(split(opt.paths or "/", ",")) do
    table.insert(heads, method .. " " .. path .. " HTTP/1.1\r\nHost: " .. host .. "\r\n")
  end
  auths = {}
  if opt.tokens and opt.tokens ~= "" then
    for line in io.lines(opt.tokens) do
      if line ~= "" then table.insert(auths, "Authorization: Bearer " .. line .. "\r\n") end
    end
  end
  if #auths == 0 then auths = { "" } end
  npaths, ntokens = #heads, #auths
  use_keys = opt.keys ~= "0"
  forged = opt.ptoken == "forged"
  flow = opt.flow == "1"
  if flow then
    token_heads = {}
    for _, path in ipairs(split(opt.paths or "/", ",")) do
      local token_path = path:gsub("/purchases$", "/purchase-tokens")
      table.insert(token_heads, "POST " .. token_path .. " HTTP/1.1\r\nHost: " .. host .. "\r\n")
    end
    purchase_head = " HTTP/1.1\r\nHost: " .. host .. "\r\n"
    shopper_of = {}
    local line_no = 0
    for line in io.lines(opt.ids) do
      if line ~= "" then
        line_no = line_no + 1
        shopper_of[line] = line_no
      end
    end
    queue, qhead, qtail = {}, 1, 0
  end
  key_prefix = "Idempotency-Key: " .. (opt.prefix or "k") .. "-" .. tid .. "-"
  -- Threads start at different places in the user list so that they do not move in step.
  local threads = tonumber(opt.threads or "1")
  ti = math.floor((tid - 1) * ntokens / threads) % ntokens
  pi = (tid - 1) % npaths
  n = 0
end

function request()
  if flow then
    if qhead <= qtail then
      -- A shopper's purchase with the token just issued to it.
      local entry = queue[qhead]
      queue[qhead] = nil
      qhead = qhead + 1
      local head = "POST " .. entry[2] .. purchase_head .. auths[entry[1]] .. "Purchase-Token: " .. entry[3] .. "\r\n"
      if use_keys then
        n = n + 1
        return head .. key_prefix .. n .. "\r\n\r\n"
      end
      return head .. "\r\n"
    end
    ti = ti + 1
    if ti > ntokens then ti = 1 end
    pi = pi + 1
    if pi > npaths then pi = 1 end
    return token_heads[pi] .. auths[ti] .. "\r\n"
  end
  n = n + 1
  ti = ti + 1
  if ti > ntokens then ti = 1 end
  pi = pi + 1
  if pi > npaths then pi = 1 end
  if forged then
    if use_keys then
      return heads[pi] .. auths[ti] .. FORGED .. key_prefix .. n .. "\r\n\r\n"
    end
    return heads[pi] .. auths[ti] .. FORGED .. "\r\n"
  end
  if use_keys then
    return heads[pi] .. auths[ti] .. key_prefix .. n .. "\r\n\r\n"
  end
  return heads[pi] .. auths[ti] .. "\r\n"
end

local function flush(second)
  local parts = {}
  for outcome, count in pairs(current) do
    table.insert(parts, outcome .. "=" .. count)
  end
  if #parts > 0 then
    io.stderr:write("S " .. tid .. " " .. second .. " " .. table.concat(parts, " ") .. "\n")
  end
  current = {}
end

local outcome_names = {}

function response(status, headers, body)
  local outcome
  if status == 201 and flow then
    -- keyId.user.activity.item.expiresAt.id.signature: the user id says whose token it is.
    local token = body:match('"token":%s*"([^"]+)"')
    local shopper = token and shopper_of[token:match("^[^.]*%.(%d+)%.")]
    local path = body:match('"purchasePath":%s*"([^"]+)"')
    if shopper and path then
      qtail = qtail + 1
      queue[qtail] = { shopper, path, token }
      outcome = status
    else
      outcome = "201:unusable"
    end
  elseif status < 300 then
    outcome = status
  else
    local code = body:match('"code":"([%u_]+)"') or "-"
    local key = status .. ":" .. code
    outcome = outcome_names[key]
    if not outcome then
      outcome_names[key] = key
      outcome = key
    end
  end
  local now = os.time()
  if now ~= current_second then
    if current_second ~= 0 then flush(current_second) end
    current_second = now
  end
  current[outcome] = (current[outcome] or 0) + 1
  counts[outcome] = (counts[outcome] or 0) + 1
end

local function json_string(s)
  return '"' .. tostring(s):gsub('[%c"\\]', "") .. '"'
end

function done(summary, latency, requests)
  local total = {}
  local last = {}
  for _, thread in ipairs(thread_list) do
    for outcome, count in pairs(thread:get("counts") or {}) do
      total[tostring(outcome)] = (total[tostring(outcome)] or 0) + count
    end
    local second = thread:get("current_second")
    for outcome, count in pairs(thread:get("current") or {}) do
      table.insert(last, string.format('{"second":%d,"outcome":%s,"n":%d}', second, json_string(outcome), count))
    end
  end
  local outcomes = {}
  for outcome, count in pairs(total) do
    table.insert(outcomes, json_string(outcome) .. ":" .. count)
  end
  local pct = {}
  for _, p in ipairs({ 50, 75, 90, 99, 99.9, 99.99 }) do
    table.insert(pct, string.format('"%s":%d', tostring(p), latency:percentile(p)))
  end
  local e = summary.errors
  io.write(string.format(
    '{"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"max":%d,"mean":%.1f,"stdev":%.1f,"percentiles":{%s}},' ..
    '"outcomes":{%s},"last_second":[%s]}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean, latency.stdev, table.concat(pct, ","),
    table.concat(outcomes, ","), table.concat(last, ",")))
end
