-- Re-checks one profile for the membership index: does it still exist, until when, and is it
-- still a member of each given segment. Writes nothing.
--
-- KEYS[1] hash
-- ARGV: segmentKey...
-- Reply: {expiresAt (PEXPIRETIME: -1 = never, -2 = no such profile), {1 or 0 per segment}}

local h = KEYS[1]
local expires_at = redis.call('PEXPIRETIME', h)
local member = {}
for i, key in ipairs(ARGV) do
  member[i] = expires_at == -2 and 0 or redis.call('HEXISTS', h, 'm:' .. key)
end
return { expires_at, member }
