-- POST JSON bodies to the URL wrk was given (bench/writes.py), each with a marker of its own.
--
-- Environment:
--   BENCH_BODIES       a file of JSON bodies, one a line, with @MARK@ where the marker goes
--   BENCH_AUTH         a file of credentials, one a line, used in turn (one per user)
--   BENCH_AUTH_HEADER  the header they go in: "Authorization" (API tokens) or "Cookie"
--   BENCH_ACKED        where done() writes the marker of every 2xx response, one a line
--   BENCH_RUN          letters that tell this run's markers from another run's (e.g. "w")
-- A marker is wrk<run>-<thread>-<n>; the server echoes it in its response (the stored text), so
-- the markers of acknowledged writes can be checked against the rows afterwards.
dofile(os.getenv("BENCH_WRK_DIR") .. "/counts.lua")

local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  keep(thread)
end

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if #line > 0 then table.insert(found, line) end
  end
  return found
end

function init(args)
  bodies = lines(os.getenv("BENCH_BODIES"))
  auths = lines(os.getenv("BENCH_AUTH"))
  auth_header = os.getenv("BENCH_AUTH_HEADER") or "Authorization"
  run = os.getenv("BENCH_RUN") or ""
  n = 0
  acked = {}
  unechoed = 0
end

function request()
  n = n + 1
  local mark = string.format("wrk%s-%d-%d", run, id, n)
  local body = string.gsub(bodies[(n % #bodies) + 1], "@MARK@", mark)
  local headers = {
    ["Content-Type"] = "application/json",
    [auth_header] = auths[((n + id * 7) % #auths) + 1],
  }
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  count(status)
  if status >= 200 and status < 300 then
    local mark = string.match(body, "wrk%a*%-%d+%-%d+")
    if mark then table.insert(acked, mark) else unechoed = unechoed + 1 end
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("BENCH_ACKED"), "w")
  local missing = 0
  for _, t in each_thread() do
    for _, mark in ipairs(t:get("acked")) do out:write(mark, "\n") end
    missing = missing + (t:get("unechoed") or 0)
  end
  out:close()
  summary_line(summary, latency, string.format(', "unechoed": %d', missing))
end
