-- wrk script: every request carries the coordinator's access token.
-- The token comes from the environment (bench/run.sh exports BENCH_TOKEN), so this file never
-- holds a secret. No response() callback: it would make wrk copy every body into Lua and slow
-- the load generator, which shares the machine's two cores with the server.
local token = os.getenv("BENCH_TOKEN")
if token == nil or token == "" then
  error("BENCH_TOKEN is not set")
end
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"
