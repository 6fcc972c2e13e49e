-- Folds a merged-away profile into a user's profile. Idempotent, so a merge interrupted by a
-- crash can simply be retried: events are keyed by id (no double counting), first/last and
-- `since` take the min/max, traits and context are plain sets.
--
-- KEYS[1] hash   KEYS[2] seen   KEYS[3] aliases
-- ARGV: keyBase, now, anonTtl, userTtl, userId, payload (JSON, every number as a string):
--   { seen: [[id, ts]], entries: {streamId: [[member, ts]]}, firstLast: {streamId: [first, last]},
--     traits: {key: json}, context: {key: json}, contextAt, memberships: {key: since},
--     firstSeenAt, consent ('1'/'0'/''), aliases: [id], overrides: {key: json or ''} }
-- Reply: the user profile's expiry (PEXPIRETIME: -1 = never), for the membership index.

-- @include profile

local h, seen, aliases = KEYS[1], KEYS[2], KEYS[3]
local base, now = ARGV[1], tonumber(ARGV[2])
local p = cjson.decode(ARGV[6])
local existed = redis.call('EXISTS', h) == 1

-- Consent: the user's own choice stands; a new user profile inherits the merged one's.
if not existed and p.consent ~= '' then redis.call('HSET', h, 'cs', p.consent) end
local consent_off = redis.call('HGET', h, 'cs') == '0'

if not consent_off then
  for _, pair in ipairs(p.seen) do redis.call('ZADD', seen, 'NX', pair[2], pair[1]) end
  for stream_id, list in pairs(p.entries) do
    for _, pair in ipairs(list) do redis.call('ZADD', base .. 's:' .. stream_id, pair[2], pair[1]) end
  end
  for stream_id, fl in pairs(p.firstLast) do
    local field = 's:' .. stream_id
    local first, last = tonumber(fl[1]), tonumber(fl[2])
    local mine = redis.call('HGET', h, field)
    if mine then
      local sep = string.find(mine, ':', 1, true)
      first = math.min(first, tonumber(string.sub(mine, 1, sep - 1)))
      last = math.max(last, tonumber(string.sub(mine, sep + 1)))
    end
    redis.call('HSET', h, field, string.format('%d:%d', first, last))
  end
  local context_at = tonumber(p.contextAt)
  if context_at and context_at > tonumber(redis.call('HGET', h, 'ca') or '-1') then
    for key, json in pairs(p.context) do redis.call('HSET', h, 'c:' .. key, json) end
    redis.call('HSET', h, 'ca', p.contextAt)
  end
end

-- The user's traits win over the anonymous ones; explicit overrides win over both.
for key, json in pairs(p.traits) do redis.call('HSETNX', h, 't:' .. key, json) end
for key, json in pairs(p.overrides) do
  if json == '' then redis.call('HDEL', h, 't:' .. key) else redis.call('HSET', h, 't:' .. key, json) end
end
for key, since in pairs(p.memberships) do
  local mine = redis.call('HGET', h, 'm:' .. key)
  if not mine or tonumber(since) < tonumber(mine) then redis.call('HSET', h, 'm:' .. key, since) end
end
local first_seen = tonumber(p.firstSeenAt)
local mine = tonumber(redis.call('HGET', h, 'fs') or '')
if first_seen and (not mine or first_seen < mine) then
  redis.call('HSET', h, 'fs', p.firstSeenAt)
elseif not mine then
  redis.call('HSET', h, 'fs', now)
end
for _, id in ipairs(p.aliases) do redis.call('SADD', aliases, id) end

redis.call('HSET', h, 'uid', ARGV[5])
redis.call('HINCRBY', h, 'v', 1)
local keys = { h, seen, aliases }
for _, field in ipairs(redis.call('HKEYS', h)) do
  if string.sub(field, 1, 2) == 's:' then keys[#keys + 1] = base .. field end
end
apply_ttl(keys, tonumber(ARGV[4]))
return redis.call('PEXPIRETIME', h)
