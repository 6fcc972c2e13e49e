-- Counts the members of each segment in one partition of the membership index. Writes nothing.
--
-- An entry scored after `now` is a live member; one scored at or before `now` has lapsed (its
-- profile may have expired, or only its expiry moved since it was written) and is returned for
-- the caller to re-check against the profile (../member-index.ts).
--
-- KEYS[i] the index key of segment i in this partition
-- ARGV: now, limit (most lapsed entries returned per key)
-- Reply: per key {liveCount, {member, score, ...}} (lapsed entries, oldest first)

local now, limit = ARGV[1], tonumber(ARGV[2])
local replies = {}
for i, key in ipairs(KEYS) do
  replies[i] = {
    redis.call('ZCOUNT', key, '(' .. now, '+inf'),
    redis.call('ZRANGE', key, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit, 'WITHSCORES'),
  }
end
return replies
