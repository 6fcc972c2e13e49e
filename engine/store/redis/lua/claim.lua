-- Claims the due profiles of one due-set partition for this poller.
--
-- Claiming moves each due member's score to the lease end (a `.5` fraction marks it as a lease:
-- real schedules are whole milliseconds), so other pollers skip it until the lease ends; a poller
-- that dies mid-claim leaves the member to be claimed again then. Nothing is ever lost.
--
-- KEYS[1] due-set partition
-- ARGV: now, leaseToken (lease end + 0.5), limit
-- Reply: {{member...}, nextScore or false} (the earliest score still in the future)

local key, now = KEYS[1], ARGV[1]
local upcoming = redis.call('ZRANGE', key, '(' .. now, '+inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
local due = redis.call('ZRANGE', key, '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do redis.call('ZADD', key, ARGV[2], member) end
return { due, upcoming[2] or false }
