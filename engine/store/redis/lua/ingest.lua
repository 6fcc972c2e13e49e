#!lua
-- (The `#!lua` line declares the script's flags, none: out of memory, Redis refuses it whole before it runs.)
-- Stores a batch of events on one profile and reads the profile back: one round trip per batch.
--
-- KEYS[1] alias   KEYS[2] hash   KEYS[3] seen   KEYS[3+i] stream i (every stream of the rule set)
-- ARGV: now, anonTtl, userTtl, dedupeWindow, rulesVersion, maxEntriesPerStream, maxSeen,
--       contextFingerprint, keptKeyCount, (keptKey)*, streamCount, then per stream: id, retention,
--       then eventCount, then per event: id, timestamp, contextCount, (key, json or '')*, entryCount,
--       (streamIndex, member)*,
--       then a proposal: expectation ('' = none, 'new' = the profile must not exist yet, else
--       '<firstSeen>:<version>' it must have), and if there is one the outcome as write_outcome
--       reads it (rulesVersion, dueAt, publishCommand, channel, message, membershipCount, (segmentKey, since)*)
-- Reply: {'alias', target} when the id was merged away, else
--        {'ok', accepted, duplicates, withheld, profile (see read_profile), committed (0 or 1),
--         expiresAt, {entered segment...}, {exited segment...}} (the last three as commit.lua's).
--
-- Idempotency is structural: an event id already in `seen` (ZADD NX answers 0) adds nothing.
-- `seen` keeps at most maxSeen ids (the oldest go first) besides the age window.
--
-- Context arrives projected onto the kept paths (engine/store/limits.ts `ContextPolicy`): only
-- kept top-level keys, '' deleting the stored value. A profile whose context was stored under
-- another policy (hash field `ck` holds its fingerprint) loses the keys this one does not keep.
--
-- The proposal is the caller's evaluation of the profile it expects these events to produce
-- (engine/store/predict.ts). It is written, and its change announced, in this same step only if
-- the profile was exactly as expected (first-seen time and version: every write bumps the
-- version, and a profile erased or expired then created again has another first-seen time) and
-- every event was stored, so the outcome is the one the caller evaluated. Otherwise nothing of it
-- is written and the caller evaluates the profile returned, as without a proposal.

-- @include profile

local alias = redis.call('GET', KEYS[1])
if alias then return { 'alias', alias } end

local h, seen = KEYS[2], KEYS[3]
local stored = redis.call('HMGET', h, 'fs', 'v', 'ck')
local now = tonumber(ARGV[1])
local anon_ttl, user_ttl, dedupe = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local max_entries, max_seen = tonumber(ARGV[6]), tonumber(ARGV[7])
local fingerprint = ARGV[8]
local a = 10 + tonumber(ARGV[9])
local kept_from, kept_to = 10, a - 1
local stream_count = tonumber(ARGV[a])
local stream_ids, retentions, stream_keys = {}, {}, {}
a = a + 1
for i = 1, stream_count do
  stream_ids[i], retentions[i], stream_keys[i] = ARGV[a], tonumber(ARGV[a + 1]), KEYS[3 + i]
  a = a + 2
end
local event_count = tonumber(ARGV[a])
a = a + 1

-- Forget ids older than the de-duplication window first, so the window is exact.
redis.call('ZREMRANGEBYSCORE', seen, '-inf', '(' .. (now - dedupe))
local consent_off = redis.call('HGET', h, 'cs') == '0'
local accepted, duplicates, withheld = 0, 0, 0
local context_at = tonumber(redis.call('HGET', h, 'ca') or '-1')
local touched = {}

for _ = 1, event_count do
  local id, ts = ARGV[a], tonumber(ARGV[a + 1])
  local context_count = tonumber(ARGV[a + 2])
  local context_at_arg = a + 3
  local entry_at = context_at_arg + 2 * context_count
  local entry_count = tonumber(ARGV[entry_at])
  a = entry_at + 1 + 2 * entry_count

  if consent_off then
    withheld = withheld + 1
  elseif redis.call('ZADD', seen, 'NX', ts, id) == 0 then
    duplicates = duplicates + 1
  else
    accepted = accepted + 1
    for e = 0, entry_count - 1 do
      local index = tonumber(ARGV[entry_at + 1 + 2 * e])
      local member = ARGV[entry_at + 2 + 2 * e]
      redis.call('ZADD', stream_keys[index], ts, member)
      touched[index] = true
      local field = 's:' .. stream_ids[index]
      local first_last = redis.call('HGET', h, field)
      if first_last then
        local sep = string.find(first_last, ':', 1, true)
        local first = tonumber(string.sub(first_last, 1, sep - 1))
        local last = tonumber(string.sub(first_last, sep + 1))
        if ts < first or ts > last then
          redis.call('HSET', h, field, math.min(first, ts) .. ':' .. math.max(last, ts))
        end
      else
        redis.call('HSET', h, field, ts .. ':' .. ts)
      end
    end
    -- The most recent event's context wins, key by key.
    if ts >= context_at then
      for c = 0, context_count - 1 do
        local field, json = 'c:' .. ARGV[context_at_arg + 2 * c], ARGV[context_at_arg + 1 + 2 * c]
        if json == '' then redis.call('HDEL', h, field) else redis.call('HSET', h, field, json) end
      end
      context_at = ts
      redis.call('HSET', h, 'ca', ts)
    end
  end
end

if accepted > 0 then
  -- A new profile starts as evaluated by the current rules with no membership, so the common
  -- case (no membership yet) needs no second round trip to record the rules version.
  if redis.call('HSETNX', h, 'fs', now) == 1 then redis.call('HSET', h, 'rv', ARGV[5]) end
  if stored[3] ~= fingerprint then
    -- A profile new in this call holds only context this policy kept: nothing to prune.
    if stored[1] then
      local kept = {}
      for i = kept_from, kept_to do kept[ARGV[i]] = true end
      for _, field in ipairs(redis.call('HKEYS', h)) do
        if string.sub(field, 1, 2) == 'c:' and not kept[string.sub(field, 3)] then redis.call('HDEL', h, field) end
      end
    end
    redis.call('HSET', h, 'ck', fingerprint)
  end
  redis.call('ZREMRANGEBYRANK', seen, 0, -(max_seen + 1))
  redis.call('HINCRBY', h, 'v', 1)
  local keys = { h, seen }
  for index in pairs(touched) do
    redis.call('ZREMRANGEBYSCORE', stream_keys[index], '-inf', '(' .. (now - retentions[index]))
    redis.call('ZREMRANGEBYRANK', stream_keys[index], 0, -(max_entries + 1))
    keys[#keys + 1] = stream_keys[index]
  end
  apply_ttl(keys, profile_ttl(h, anon_ttl, user_ttl))
end

local expectation = ARGV[a]
local committed, entered, exited = 0, {}, {}
if expectation ~= '' and accepted > 0 and accepted == event_count then
  local as_expected
  if expectation == 'new' then
    as_expected = not stored[1] and not stored[2]
  else
    as_expected = stored[1] and stored[2] and expectation == stored[1] .. ':' .. stored[2]
  end
  if as_expected then
    entered, exited = write_outcome(h, anon_ttl, user_ttl, ARGV, a + 1)
    committed = 1
  end
end

return {
  'ok', accepted, duplicates, withheld, read_profile(h, stream_keys, retentions, now),
  committed, redis.call('PEXPIRETIME', h), entered, exited,
}
