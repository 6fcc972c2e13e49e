-- Writes the outcome of an evaluation if the profile did not change since it was read, and
-- announces the change on the profile's channel in the same atomic step.
--
-- KEYS[1] hash
-- ARGV: expectedVersion, rulesVersion, dueAt ('' = none), anonTtl, userTtl, publishCommand
--       ('PUBLISH' or 'SPUBLISH'), channel, message ('' = nothing to announce),
--       membershipCount, then (segmentKey, since)*
-- Reply: 1 when written, 0 when a newer write won (that writer saw strictly more and decides).

-- @include profile

local h = KEYS[1]
if redis.call('HGET', h, 'v') ~= ARGV[1] then return 0 end

redis.call('HINCRBY', h, 'v', 1)
redis.call('HSET', h, 'rv', ARGV[2])
if ARGV[3] == '' then redis.call('HDEL', h, 'due') else redis.call('HSET', h, 'due', ARGV[3]) end

for _, field in ipairs(redis.call('HKEYS', h)) do
  if string.sub(field, 1, 2) == 'm:' then redis.call('HDEL', h, field) end
end
local a = 10
for _ = 1, tonumber(ARGV[9]) do
  redis.call('HSET', h, 'm:' .. ARGV[a], ARGV[a + 1])
  a = a + 2
end

apply_ttl({ h }, profile_ttl(h, tonumber(ARGV[4]), tonumber(ARGV[5])))
if ARGV[8] ~= '' then redis.call(ARGV[6], ARGV[7], ARGV[8]) end
return 1
