-- Reads everything a merge needs from the profile being merged away. Writes nothing.
--
-- KEYS[1] alias   KEYS[2] hash   KEYS[3] seen   KEYS[4] aliases (set of ids merged into this one)
-- ARGV: keyBase ('<prefix>:{<id>}:')
-- Reply: {'alias', target}, {'none'}, or
--        {'ok', hash, seen, aliases, {streamId, {member, score...}}*}

local alias = redis.call('GET', KEYS[1])
if alias then return { 'alias', alias } end

local h = KEYS[2]
if redis.call('EXISTS', h) == 0 then return { 'none' } end

local streams = {}
for _, field in ipairs(redis.call('HKEYS', h)) do
  if string.sub(field, 1, 2) == 's:' then
    local id = string.sub(field, 3)
    streams[#streams + 1] = { id, redis.call('ZRANGE', ARGV[1] .. field, 0, -1, 'WITHSCORES') }
  end
end
return {
  'ok',
  redis.call('HGETALL', h),
  redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES'),
  redis.call('SMEMBERS', KEYS[4]),
  streams,
}
