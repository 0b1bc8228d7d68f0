-- wrk: GET the paths listed in BENCH_PATHS (comma-separated), in turn.
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "([^,]+)") do
  table.insert(paths, p)
end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH requests=%d errors=%d non2xx=%d seconds=%.3f p99_ms=%.1f\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status, summary.duration / 1e6,
    latency:percentile(99) / 1000))
end
