-- wrk script: every request carries an access token; with BENCH_BODY set, every request is a
-- POST of that JSON body (a contact). The token and the body come from the environment
-- (bench/run.sh exports them), so this file never holds a secret. No response() callback: it
-- would make wrk copy every body into Lua and slow the load generator, which shares the
-- machine's two cores with the server.
-- BENCH_IDEMPOTENCY_KEYS=1 adds an Idempotency-Key unique to each request (thread + counter),
-- at the price of a request() callback.
local token = os.getenv("BENCH_TOKEN")
if token == nil or token == "" then
  error("BENCH_TOKEN is not set")
end
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"
local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

if os.getenv("BENCH_IDEMPOTENCY_KEYS") == "1" then
  local threads = 0
  function setup(thread)
    threads = threads + 1
    thread:set("thread_no", threads)
  end
  local counter = 0
  local run = os.getenv("BENCH_RUN_ID") or tostring(os.time())
  function request()
    counter = counter + 1
    wrk.headers["Idempotency-Key"] = string.format("bench-%s-%d-%d", run, thread_no, counter)
    return wrk.format()
  end
end
