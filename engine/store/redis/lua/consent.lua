#!lua
-- (The `#!lua` line declares the script's flags, none: out of memory, Redis refuses it whole before it runs.)
-- Sets the profile's behavioural consent; turning it off drops every stored event at once
-- (de-duplication set and streams) and the stored context (`c:*`, `ca`, `ck`), keeping traits and
-- consent.
--
-- KEYS[1] alias   KEYS[2] hash   KEYS[3] seen   KEYS[3+i] stream i
-- ARGV: keyBase ('<prefix>:{<id>}:'), now, anonTtl, userTtl, behavioral ('1' or '0'),
--       streamCount, then per stream: retention
-- Reply: {'alias', target} or {'ok', profile}.

-- @include profile

local alias = redis.call('GET', KEYS[1])
if alias then return { 'alias', alias } end

local h, seen = KEYS[2], KEYS[3]
local now = tonumber(ARGV[2])
if ARGV[5] == '0' then
  redis.call('DEL', seen)
  drop_streams(h, ARGV[1])
  for _, field in ipairs(redis.call('HKEYS', h)) do
    if string.sub(field, 1, 2) == 'c:' then redis.call('HDEL', h, field) end
  end
  redis.call('HDEL', h, 'ca', 'ck')
end
redis.call('HSET', h, 'cs', ARGV[5])
redis.call('HSETNX', h, 'fs', now)
redis.call('HINCRBY', h, 'v', 1)
apply_ttl({ h }, profile_ttl(h, tonumber(ARGV[3]), tonumber(ARGV[4])))

local stream_keys, retentions = {}, {}
for i = 1, tonumber(ARGV[6]) do
  stream_keys[i], retentions[i] = KEYS[3 + i], tonumber(ARGV[6 + i])
end
return { 'ok', read_profile(h, stream_keys, retentions, now) }
