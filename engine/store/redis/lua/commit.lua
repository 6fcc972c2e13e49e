#!lua
-- (The `#!lua` line declares the script's flags, none: out of memory, Redis refuses it whole before it runs.)
-- Writes the outcome of an evaluation if the profile did not change since it was read, and
-- announces the change on the profile's channel in the same atomic step.
--
-- KEYS[1] hash
-- ARGV: expectedVersion, anonTtl, userTtl, then the outcome as write_outcome reads it
--       (rulesVersion, dueAt, publishCommand, channel, message, membershipCount, (segmentKey, since)*)
-- Reply: 0 when a newer write won (that writer saw strictly more and decides), else
--        {1, expiresAt (PEXPIRETIME: -1 = never), {entered segment...}, {exited segment...}}:
--        the memberships that changed against the stored ones, for the membership index.

-- @include profile

local h = KEYS[1]
if redis.call('HGET', h, 'v') ~= ARGV[1] then return 0 end
local entered, exited = write_outcome(h, tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV, 4)
return { 1, redis.call('PEXPIRETIME', h), entered, exited }
