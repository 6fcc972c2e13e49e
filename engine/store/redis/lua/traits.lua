-- Sets traits key by key ('' removes one) and reads the profile back.
--
-- KEYS[1] alias   KEYS[2] hash   KEYS[2+i] stream i
-- ARGV: now, anonTtl, userTtl, streamCount, then per stream: retention, then traitCount,
--       (key, json or '')*
-- Reply: {'alias', target} or {'ok', profile}.

-- @include profile

local alias = redis.call('GET', KEYS[1])
if alias then return { 'alias', alias } end

local h = KEYS[2]
local now = tonumber(ARGV[1])
local stream_keys, retentions = {}, {}
local a = 5
for i = 1, tonumber(ARGV[4]) do
  stream_keys[i], retentions[i] = KEYS[2 + i], tonumber(ARGV[a])
  a = a + 1
end
local trait_count = tonumber(ARGV[a])
a = a + 1
for _ = 1, trait_count do
  if ARGV[a + 1] == '' then
    redis.call('HDEL', h, 't:' .. ARGV[a])
  else
    redis.call('HSET', h, 't:' .. ARGV[a], ARGV[a + 1])
  end
  a = a + 2
end
redis.call('HSETNX', h, 'fs', now)
redis.call('HINCRBY', h, 'v', 1)
apply_ttl({ h }, profile_ttl(h, tonumber(ARGV[2]), tonumber(ARGV[3])))
return { 'ok', read_profile(h, stream_keys, retentions, now) }
