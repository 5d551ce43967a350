-- GET the URL wrk was given (headers from -H), counting statuses (bench/throughput.py).
dofile(os.getenv("BENCH_WRK_DIR") .. "/counts.lua")

function setup(thread)
  keep(thread)
end

function response(status, headers, body)
  count(status)
end

function done(summary, latency, requests)
  summary_line(summary, latency)
end
