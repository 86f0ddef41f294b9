-- Presence of one channel: a hash of members and a sorted set of their expiry times, refreshed by
-- each node for its own members, so that the members of a node that died disappear.
-- KEYS: 1 members (hash), 2 expiry (sorted set)
-- ARGV: 1 'add' | 'remove' | 'get', 2 TTL (ms); for 'add' then client id, member, client id,
--       member, ...; for 'remove' then client ids
-- Returns for 'get' the live members' entries, for the others nothing.
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[2])
if ARGV[1] == 'add' then
  for k = 3, #ARGV, 2 do
    redis.call('HSET', KEYS[1], ARGV[k], ARGV[k + 1])
    redis.call('ZADD', KEYS[2], ms + ttl, ARGV[k])
  end
  redis.call('PEXPIRE', KEYS[1], 2 * ttl)
  redis.call('PEXPIRE', KEYS[2], 2 * ttl)
  return {}
end
if ARGV[1] == 'remove' then
  for k = 3, #ARGV do
    redis.call('HDEL', KEYS[1], ARGV[k])
    redis.call('ZREM', KEYS[2], ARGV[k])
  end
  return {}
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ms)) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return redis.call('HVALS', KEYS[1])
