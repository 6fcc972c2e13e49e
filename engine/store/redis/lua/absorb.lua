#!lua
-- (The `#!lua` line declares the script's flags, none: out of memory, Redis refuses it whole before it runs.)
-- Folds a merged-away profile into a user's profile. Idempotent, so a merge interrupted by a
-- crash can simply be retried: events are keyed by id (no double counting), first/last and
-- `since` take the min/max, traits and context are plain sets.
--
-- Bounds: the overrides must fit beside the user's traits (else {'limit', ...} and nothing is
-- written, see trait_limit in includes/profile.lua); the merged profile's traits are copied only if they
-- all fit too; `seen` keeps the newest maxSeen ids. The caller sends only the context keys kept.
--
-- KEYS[1] hash   KEYS[2] seen   KEYS[3] aliases
-- ARGV: keyBase, now, anonTtl, userTtl, userId, maxTraits, maxTraitBytes, maxSeen,
--       payload (JSON, every number as a string):
--   { seen: [[id, ts]], entries: {streamId: [[member, ts]]}, firstLast: {streamId: [first, last]},
--     traits: {key: json}, context: {key: json}, contextAt, memberships: {key: since},
--     firstSeenAt, consent ('1'/'0'/''), aliases: [id], overrides: {key: json or ''} }
-- Reply: {'ok', the user profile's expiry (PEXPIRETIME: -1 = never), for the membership index}
--        or {'limit', name, max, actual}.

-- @include profile

local h, seen, aliases = KEYS[1], KEYS[2], KEYS[3]
local base, now = ARGV[1], tonumber(ARGV[2])
local max_traits, max_bytes, max_seen = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local p = cjson.decode(ARGV[9])
local existed = redis.call('EXISTS', h) == 1

-- The user's traits win over the merged ones; explicit overrides win over both. Checked first.
local mine = stored_traits(h)
local own = {}
for key, json in pairs(mine) do own[key] = json end
for key, json in pairs(p.overrides) do
  if json == '' then own[key] = nil else own[key] = json end
end
local mine_count, mine_bytes = traits_size(mine)
local own_count, own_bytes = traits_size(own)
local refused = trait_limit(mine_count, mine_bytes, own_count, own_bytes, max_traits, max_bytes)
if refused then return refused end
local merged = {}
for key, json in pairs(own) do merged[key] = json end
for key, json in pairs(p.traits) do
  if mine[key] == nil and p.overrides[key] == nil then merged[key] = json end
end
local merged_count, merged_bytes = traits_size(merged)
if trait_limit(own_count, own_bytes, merged_count, merged_bytes, max_traits, max_bytes) then merged = own end

-- Consent: the user's own choice stands; a new user profile inherits the merged one's.
if not existed and p.consent ~= '' then redis.call('HSET', h, 'cs', p.consent) end
local consent_off = redis.call('HGET', h, 'cs') == '0'

if not consent_off then
  for _, pair in ipairs(p.seen) do redis.call('ZADD', seen, 'NX', pair[2], pair[1]) end
  redis.call('ZREMRANGEBYRANK', seen, 0, -(max_seen + 1))
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

for key in pairs(mine) do
  if merged[key] == nil then redis.call('HDEL', h, 't:' .. key) end
end
for key, json in pairs(merged) do
  if mine[key] ~= json then redis.call('HSET', h, 't:' .. key, json) end
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
return { 'ok', redis.call('PEXPIRETIME', h) }
