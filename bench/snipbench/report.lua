-- wrk script for the bench: an optional method and JSON body from the environment
-- (WRK_METHOD, WRK_BODY), optional paths to request in turn (one per line in the file
-- WRK_PATHS, starting at line WRK_PATHS_OFFSET + 1), and one JSON line with the
-- summary when the run is done.
local method = os.getenv("WRK_METHOD")
if method then
  wrk.method = method
end
local body = os.getenv("WRK_BODY")
if body then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

local paths_file = os.getenv("WRK_PATHS")
if paths_file then
  local paths = {}
  for line in io.lines(paths_file) do
    paths[#paths + 1] = line
  end
  local sent = tonumber(os.getenv("WRK_PATHS_OFFSET") or "0")
  -- Defined only with a paths file: without one wrk sends its prepared request, cheaper.
  function request()
    sent = sent + 1
    return wrk.format(nil, paths[(sent - 1) % #paths + 1])
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
