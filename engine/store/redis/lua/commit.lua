-- Writes the outcome of an evaluation if the profile did not change since it was read, and
-- announces the change on the profile's channel in the same atomic step.
--
-- KEYS[1] hash
-- ARGV: expectedVersion, rulesVersion, dueAt ('' = none), anonTtl, userTtl, publishCommand
--       ('PUBLISH' or 'SPUBLISH'), channel, message ('' = nothing to announce),
--       membershipCount, then (segmentKey, since)*
-- Reply: 0 when a newer write won (that writer saw strictly more and decides), else
--        {1, expiresAt (PEXPIRETIME: -1 = never), {entered segment...}, {exited segment...}}:
--        the memberships that changed against the stored ones, for the membership index.

-- @include profile

local h = KEYS[1]
if redis.call('HGET', h, 'v') ~= ARGV[1] then return 0 end

redis.call('HINCRBY', h, 'v', 1)
redis.call('HSET', h, 'rv', ARGV[2])
if ARGV[3] == '' then redis.call('HDEL', h, 'due') else redis.call('HSET', h, 'due', ARGV[3]) end

local before = {}
for _, field in ipairs(redis.call('HKEYS', h)) do
  if string.sub(field, 1, 2) == 'm:' then
    before[string.sub(field, 3)] = true
    redis.call('HDEL', h, field)
  end
end
local entered = {}
local a = 10
for _ = 1, tonumber(ARGV[9]) do
  local key = ARGV[a]
  redis.call('HSET', h, 'm:' .. key, ARGV[a + 1])
  if before[key] then before[key] = nil else entered[#entered + 1] = key end
  a = a + 2
end
local exited = {}
for key in pairs(before) do exited[#exited + 1] = key end

apply_ttl({ h }, profile_ttl(h, tonumber(ARGV[4]), tonumber(ARGV[5])))
if ARGV[8] ~= '' then redis.call(ARGV[6], ARGV[7], ARGV[8]) end
return { 1, redis.call('PEXPIRETIME', h), entered, exited }
