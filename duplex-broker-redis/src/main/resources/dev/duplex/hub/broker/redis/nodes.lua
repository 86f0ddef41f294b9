-- The node registry: each node reports itself every heartbeat; nodes silent for longer than the
-- forget time are removed. Also returns every node's last report and when it was seen.
-- KEYS: 1 reports (hash), 2 seen (sorted set)
-- ARGV: 1 node id ('' to only read), 2 report, 3 forget after (ms)
-- Returns {now (ms), id, seen (ms), report, id, seen, report, ...}
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZADD', KEYS[2], ms, ARGV[1])
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ms - tonumber(ARGV[3]))) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
local out = {ms}
local seen = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for k = 1, #seen, 2 do
  table.insert(out, seen[k])
  table.insert(out, tonumber(seen[k + 1]))
  table.insert(out, redis.call('HGET', KEYS[1], seen[k]) or '')
end
return out
