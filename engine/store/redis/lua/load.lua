-- Reads a profile in one round trip. Writes nothing.
--
-- KEYS[1] alias   KEYS[2] hash   KEYS[2+i] stream i
-- ARGV: now, streamCount, then per stream: retention
-- Reply: {'alias', target} or {'ok', profile} (see read_profile).

-- @include profile

local alias = redis.call('GET', KEYS[1])
if alias then return { 'alias', alias } end

local now = tonumber(ARGV[1])
local stream_keys, retentions = {}, {}
for i = 1, tonumber(ARGV[2]) do
  stream_keys[i], retentions[i] = KEYS[2 + i], tonumber(ARGV[2 + i])
end
return { 'ok', read_profile(KEYS[2], stream_keys, retentions, now) }
