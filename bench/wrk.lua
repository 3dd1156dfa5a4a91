-- One request, repeated: the method, body and headers come from the environment (set by
-- bench/load.py), so GET pages and the check-in POST share this script.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.body = os.getenv("BENCH_BODY") or ""
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF") or ""
if csrf ~= "" then
  wrk.headers["X-CSRFToken"] = csrf
end
if os.getenv("BENCH_HX") == "1" then
  wrk.headers["HX-Request"] = "true"
end
if wrk.method == "POST" then
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

-- Every request this thread writes is counted: the harness waits until gunicorn has served
-- as many, since wrk hangs up at the deadline on requests the workers will still serve.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
sent = 0
function request()
  sent = sent + 1
  return wrk.format()
end

-- One machine-readable line for load.py; latencies in microseconds.
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("sent")
  end
  -- wrk calls the first thread's request() once more before the run, to check the script.
  total = total - 1
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d sent=%d duration_us=%d p50_us=%d p95_us=%d status_errors=%d socket_errors=%d\n",
    summary.requests, total, summary.duration, latency:percentile(50), latency:percentile(95),
    e.status, e.connect + e.read + e.write + e.timeout))
end
