-- wrk script: every request casts one ballot with its own token.
-- Tokens come from the file named by env TOKENS; each thread takes a disjoint slice.
local tokens = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(os.getenv("THREADS") or "1")
  local i = 0
  for line in io.lines(os.getenv("TOKENS")) do
    if i % n == id then table.insert(tokens, line) end
    i = i + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local token = tokens[counter]
  if token == nil then token = "exhausted" end
  return wrk.format(nil, "/api/v1/ballots", nil,
    '{"token":"' .. token .. '","answers":{"c1":["k' .. math.random(1, 2) .. '"]}}')
end

-- Think time between a connection's ballots (THINK_MS): 100 tablets each
-- sending a ballot every ~200 ms offer about 500 ballots per second.
local think = tonumber(os.getenv("THINK_MS") or "0")
function delay()
  return think
end
