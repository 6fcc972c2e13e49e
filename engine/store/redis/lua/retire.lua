-- Ends a merged-away profile: deletes its data and leaves an alias to the profile it was folded
-- into, atomically, so no call ever sees the data gone without the alias.
--
-- Only if the profile is still at the version the merge exported (0 = nothing stored): an event
-- stored in between would otherwise be deleted unmerged. The caller then merges again.
--
-- KEYS[1] alias   KEYS[2] hash   KEYS[3] seen   KEYS[4] aliases
-- ARGV: keyBase, intoId, aliasTtl (ms, 0 = none), expectedVersion
-- Reply: {1, {segmentKey...}} when retired (the memberships it had, to leave the membership
--        index), {0} when the profile changed since the export.

-- @include profile

if (redis.call('HGET', KEYS[2], 'v') or '0') ~= ARGV[4] then return { 0 } end
local memberships = {}
for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
  if string.sub(field, 1, 2) == 'm:' then memberships[#memberships + 1] = string.sub(field, 3) end
end
drop_streams(KEYS[2], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return { 1, memberships }
