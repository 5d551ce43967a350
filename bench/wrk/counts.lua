-- Shared by the bench's wrk scripts: counts responses by status class in each thread and,
-- in done(), prints wrk's summary with those counts as one JSON line for bench/server.py.
-- Each wrk thread runs the script in a Lua state of its own; setup() (in the main state)
-- keeps the threads so that done() can read their counters.

local threads = {}

s2, s3, s4, s5, s304 = 0, 0, 0, 0, 0

function count(status)
  if status == 304 then s304 = s304 + 1 end
  if status < 300 then s2 = s2 + 1
  elseif status < 400 then s3 = s3 + 1
  elseif status < 500 then s4 = s4 + 1
  else s5 = s5 + 1 end
end

function keep(thread)
  table.insert(threads, thread)
end

function each_thread()
  return ipairs(threads)
end

function summary_line(summary, latency, extra)
  local c = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, s304 = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(c) do c[k] = c[k] + (t:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, ' ..
    '"timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d, "s304": %d%s}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    c.s2, c.s3, c.s4, c.s5, c.s304, extra or ""))
end
