-- Records a failed re-evaluation of a claimed profile: schedules a retry after an exponential
-- back-off (the first delay doubled per failure, capped), or gives up after the last attempt and
-- removes the entry. The count of consecutive failures lives next to the partition, under its
-- hash tag, and is cleared by the next successful finish (finish.lua), by giving up and by
-- erasure. A claim that no longer holds (a new event scheduled an earlier time meanwhile) keeps
-- that time: the failure is counted, nothing is rescheduled.
--
-- KEYS[1] due-set partition, KEYS[2] failure counts of that partition (hash: member -> count)
-- ARGV: member, leaseToken, now, firstDelayMs, maxDelayMs, maxAttempts
-- Reply: {attempt, 'retry', retryAt} | {attempt, 'gave_up'} | {attempt, 'superseded'}

local due, failures, member = KEYS[1], KEYS[2], ARGV[1]
local score = redis.call('ZSCORE', due, member)
local ours = score and tonumber(score) == tonumber(ARGV[2])
local attempt = redis.call('HINCRBY', failures, member, 1)
if attempt >= tonumber(ARGV[6]) then
  redis.call('HDEL', failures, member)
  if ours then redis.call('ZREM', due, member) end
  return { attempt, 'gave_up' }
end
if not ours then return { attempt, 'superseded' } end
local delay = math.min(tonumber(ARGV[4]) * 2 ^ (attempt - 1), tonumber(ARGV[5]))
local retry_at = math.floor(tonumber(ARGV[3]) + delay)
redis.call('ZADD', due, retry_at, member)
return { attempt, 'retry', retry_at }
