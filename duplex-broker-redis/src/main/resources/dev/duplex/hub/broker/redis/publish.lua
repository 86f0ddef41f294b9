#!lua
-- One publication to one channel, atomically: de-duplication by message id, the stream's epoch
-- (made when missing, so that lost history shows as a new epoch), the next offset, the entry in
-- the stream, and the fan-out to subscribed nodes, in that order, so that offsets and delivery
-- order can never disagree.
-- KEYS: 1 meta, 2 stream, 3 message-id key (the meta key when there is no id), 4 pub/sub channel
-- ARGV: 1 entry, 2 history size, 3 history TTL (ms), 4 meta TTL (ms), 5 de-duplication window
--       (ms, 0: no id), 6 epoch to use if the stream has none
-- Returns {epoch, offset, 1 if a duplicate of an earlier publication else 0}
if ARGV[5] ~= '0' then
  local earlier = redis.call('GET', KEYS[3])
  if earlier then
    local colon = string.find(earlier, ':', 1, true)
    return {string.sub(earlier, 1, colon - 1), tonumber(string.sub(earlier, colon + 1)), 1}
  end
end
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[6]
  redis.call('DEL', KEYS[2]) -- a stream left by a lost epoch numbers nothing any more
  redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
end
local offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
if ARGV[4] ~= '0' then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
if tonumber(ARGV[2]) > 0 then
  local now = redis.call('TIME')
  local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], '0-' .. offset, 't', ms, 'd', ARGV[1])
  if ARGV[3] ~= '0' then
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
  end
end
if ARGV[5] ~= '0' then
  redis.call('SET', KEYS[3], epoch .. ':' .. offset, 'PX', ARGV[5])
end
redis.call('SPUBLISH', KEYS[4], 'P|' .. epoch .. '|' .. offset .. '|' .. ARGV[1])
return {epoch, offset, 0}
