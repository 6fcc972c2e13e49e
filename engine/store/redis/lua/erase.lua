-- Erases every key of a profile (GDPR). The aliases pointing at it live on other slots: their
-- ids are returned so the caller deletes them too.
--
-- KEYS[1] alias   KEYS[2] hash   KEYS[3] seen   KEYS[4] aliases
-- ARGV: keyBase
-- Reply: {'alias', target} or {'ok', existed, {segmentKey, since...}, {aliasId...}}

-- @include profile

local alias = redis.call('GET', KEYS[1])
if alias then return { 'alias', alias } end

local h = KEYS[2]
local existed = redis.call('EXISTS', h)
local memberships = {}
for _, field in ipairs(redis.call('HKEYS', h)) do
  if string.sub(field, 1, 2) == 'm:' then
    memberships[#memberships + 1] = string.sub(field, 3)
    memberships[#memberships + 1] = redis.call('HGET', h, field)
  end
end
local aliases = redis.call('SMEMBERS', KEYS[4])
drop_streams(h, ARGV[1])
redis.call('DEL', h, KEYS[3], KEYS[4])
return { 'ok', existed, memberships, aliases }
