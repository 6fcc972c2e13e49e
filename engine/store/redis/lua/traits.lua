#!lua
-- (The `#!lua` line declares the script's flags, none: out of memory, Redis refuses it whole before it runs.)
-- Sets traits key by key ('' removes one) and reads the profile back, within the trait bounds.
--
-- KEYS[1] alias   KEYS[2] hash   KEYS[2+i] stream i
-- ARGV: now, anonTtl, userTtl, streamCount, then per stream: retention, then maxTraits,
--       maxTraitBytes, traitCount, (key, json or '')*
-- Reply: {'alias', target}, {'ok', profile}, or {'limit', name, max, actual} when the traits would
--        pass a bound (see trait_limit in includes/profile.lua): nothing is written then.

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
local max_traits, max_bytes = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
local trait_count = tonumber(ARGV[a + 2])
a = a + 3

local traits = stored_traits(h)
local before_count, before_bytes = traits_size(traits)
local changes = {}
for i = 0, trait_count - 1 do
  local key, json = ARGV[a + 2 * i], ARGV[a + 1 + 2 * i]
  changes[#changes + 1] = { key, json }
  if json == '' then traits[key] = nil else traits[key] = json end
end
local count, bytes = traits_size(traits)
local refused = trait_limit(before_count, before_bytes, count, bytes, max_traits, max_bytes)
if refused then return refused end

for _, change in ipairs(changes) do
  if change[2] == '' then
    redis.call('HDEL', h, 't:' .. change[1])
  else
    redis.call('HSET', h, 't:' .. change[1], change[2])
  end
end
redis.call('HSETNX', h, 'fs', now)
redis.call('HINCRBY', h, 'v', 1)
apply_ttl({ h }, profile_ttl(h, tonumber(ARGV[2]), tonumber(ARGV[3])))
return { 'ok', read_profile(h, stream_keys, retentions, now) }
