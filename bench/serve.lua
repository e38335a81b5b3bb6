-- wrk script for bench/serve.sh: requests against `vigia serve`.
--
--   SERVE_MODE=as SERVE_ASNS=asns.txt SERVE_RATE=500 SERVE_WRK_THREADS=2 \
--     wrk -t2 -c10 -d20s --latency -s bench/serve.lua http://127.0.0.1:PORT
--
-- Configured by environment variables (wrk loads the script into its main
-- Lua state without the script arguments, and whether delay() exists has to
-- be known there):
-- SERVE_MODE         overview   GET /api/overview
--                    as         GET /api/as/ASN, ASN drawn at random from SERVE_ASNS
--                    mix:P      P % overview, the rest AS reports (default mix:20)
--                    path:PATH  GET PATH, always the same (e.g. path:/metrics)
--                    asseq      GET /api/as/ASN for each ASN of SERVE_ASNS in turn
--                               (the threads share the list out; a warm-up that
--                               visits every page once)
-- SERVE_ASNS         one ASN a line (serve.sh fetches them from /api/ranking)
-- SERVE_RATE         total requests per second over all wrk threads;
--                    0 or unset: unpaced (saturation)
-- SERVE_WRK_THREADS  the -t given to wrk (to split SERVE_RATE), default 1
--
-- Pacing: wrk has no rate option, so each thread hands out send slots
-- 1/(RATE/threads) apart through the delay() hook, which wrk calls after a
-- response and before the next request on that connection. A connection
-- whose slot has passed sends at once (no catching up in bursts). Latency is
-- wrk's: from the write of a request to the end of its response; a request
-- that waits for a free connection is not charged for the wait (wrk, unlike
-- wrk2, does not correct for coordinated omission), so the paced runs need
-- more connections than RATE x latency.
--
-- done() prints one line "SERVE_RESULT {json}" for serve.sh to parse.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } vigia_timespec;
  int clock_gettime(int clk_id, vigia_timespec *tp);
]]
local ts = ffi.new("vigia_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
local counter = 0

-- Runs in the main Lua state, once per wrk thread, before init().
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local rate = tonumber(os.getenv("SERVE_RATE") or "0") or 0
local mode, overview_share, asns, period, next_slot, fixed, seq_next, seq_step

-- Runs in each thread's own Lua state.
function init(args)
  local m = os.getenv("SERVE_MODE") or "mix:20"
  local file = os.getenv("SERVE_ASNS") or ""
  if m:sub(1, 5) == "path:" then
    mode, overview_share, fixed = "path", 100, m:sub(6)
  elseif m == "asseq" then
    mode, overview_share = "asseq", 0
    seq_step = tonumber(os.getenv("SERVE_WRK_THREADS") or "1")
    seq_next = id or 1
  elseif m == "overview" or m == "as" then
    mode, overview_share = m, (m == "overview") and 100 or 0
  else
    local p = m:match("^mix:(%d+)$")
    if not p then error("serve.lua: unknown mode " .. m) end
    mode, overview_share = "mix", tonumber(p)
  end
  asns = {}
  if overview_share < 100 then
    local f = io.open(file, "r")
    if not f then error("serve.lua: cannot read ASN file '" .. file .. "'") end
    for line in f:lines() do
      if line:match("^%d+$") then asns[#asns + 1] = line end
    end
    f:close()
    if #asns == 0 then error("serve.lua: no ASNs in " .. file) end
  end
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
  for _ = 1, 10 do math.random() end
  if rate > 0 then
    -- Every thread paces an equal share of the rate.
    local nthreads = tonumber(os.getenv("SERVE_WRK_THREADS") or "1")
    period = 1000.0 * nthreads / rate
    next_slot = now_ms()
  end
end

function request()
  if fixed then return wrk.format("GET", fixed) end
  if seq_next then
    local asn = asns[(seq_next - 1) % #asns + 1]
    seq_next = seq_next + seq_step
    return wrk.format("GET", "/api/as/" .. asn)
  end
  if overview_share >= 100 or (overview_share > 0 and math.random(100) <= overview_share) then
    return wrk.format("GET", "/api/overview")
  end
  return wrk.format("GET", "/api/as/" .. asns[math.random(#asns)])
end

-- Defined only when pacing: wrk checks once whether the global exists, and
-- without it a connection sends its next request as soon as the answer is in.
if rate > 0 then
  function delay()
    local t = now_ms()
    local slot = next_slot
    if slot < t then slot = t end
    next_slot = slot + period
    return math.floor(slot - t + 0.5)
  end
end

function done(summary, latency, requests)
  local function pct(p) return latency:percentile(p) / 1000.0 end
  local e = summary.errors
  local secs = summary.duration / 1e6
  print(string.format(
    'SERVE_RESULT {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.3f, "p75": %.3f, "p90": %.3f, ' ..
    '"p99": %.3f, "p999": %.3f, "max": %.3f, "mean": %.3f, "non2xx": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d}',
    summary.requests, secs, summary.requests / secs, pct(50), pct(75), pct(90), pct(99), pct(99.9),
    latency.max / 1000.0, latency.mean / 1000.0, e.status, e.connect, e.read, e.write, e.timeout))
end
