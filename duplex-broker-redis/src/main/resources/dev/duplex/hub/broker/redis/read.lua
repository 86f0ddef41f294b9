-- A channel's position and retained publications: for a reader (never creates anything), or for
-- a subscriber (creates the stream's epoch when missing, so that the epoch it is told holds).
-- Entries older than the history TTL are dropped from the head first.
-- KEYS: 1 meta, 2 stream
-- ARGV: 1 create (1/0), 2 epoch to use if the stream has none, 3 meta TTL to set (ms, 0: leave
--       it), 4 since (offset, -1: from the oldest), 5 epoch of since ('*': any), 6 limit (0: the
--       position only), 7 history TTL (ms, 0: drop nothing)
-- Returns {epoch, top offset, oldest retained offset (top + 1 when none), offset, entry, ...}; the
-- entries only when since is in this epoch (or is '' at 0, a position read before the stream).
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  if ARGV[1] == '0' then
    return {'', 0, 1}
  end
  epoch = ARGV[2]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
  if ARGV[3] ~= '0' then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
  end
  return {epoch, 0, 1}
end
if ARGV[3] ~= '0' then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
local top = tonumber(redis.call('HGET', KEYS[1], 'o') or '0')
local oldest = top + 1
local cutoff = -1
if ARGV[7] ~= '0' then
  local now = redis.call('TIME')
  cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[7])
end
while true do
  local head = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
  if #head == 0 then
    break
  end
  local t = 0
  for k = 1, #head[1][2], 2 do
    if head[1][2][k] == 't' then
      t = tonumber(head[1][2][k + 1])
    end
  end
  if t >= cutoff then
    oldest = tonumber(string.sub(head[1][1], 3))
    break
  end
  redis.call('XDEL', KEYS[2], head[1][1])
end
local out = {epoch, top, oldest}
local limit = tonumber(ARGV[6])
local since = tonumber(ARGV[4])
local sameStream = ARGV[5] == '*' or ARGV[5] == epoch or (ARGV[5] == '' and since == 0)
if limit > 0 and sameStream then
  local start = '-'
  if since >= 0 then
    start = '0-' .. (since + 1)
  end
  for _, e in ipairs(redis.call('XRANGE', KEYS[2], start, '+', 'COUNT', limit)) do
    local d = ''
    for k = 1, #e[2], 2 do
      if e[2][k] == 'd' then
        d = e[2][k + 1]
      end
    end
    table.insert(out, tonumber(string.sub(e[1], 3)))
    table.insert(out, d)
  end
end
return out
