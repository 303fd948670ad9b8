-- wrk script: counts the answers whose status is not the one expected (`wrk ... <url> -- 401`),
-- since wrk's own count puts every non-2xx answer together. Prints one line for http.ts to read.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1])
  unexpected = 0
  example = 0
end

function response(status)
  if status ~= expected then
    unexpected = unexpected + 1
    example = status
  end
end

function done()
  local total, seen = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
    if thread:get("example") ~= 0 then seen = thread:get("example") end
  end
  io.write(string.format("Unexpected statuses: %d (last seen %d)\n", total, seen))
end
