-- Finishes a claim: schedules the next re-evaluation or removes the member, but only if the
-- claim still holds (score = our lease token). If someone scheduled an earlier time meanwhile
-- (ZADD LT after a new event), that time stands. Either way the re-evaluation succeeded, so the
-- member's count of consecutive failures (fail.lua) is cleared.
--
-- KEYS[1] due-set partition, KEYS[2] failure counts of that partition
-- ARGV: member, leaseToken, nextAt ('' = remove)
-- Reply: 1 when applied, 0 when the claim had been superseded.

redis.call('HDEL', KEYS[2], ARGV[1])
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
