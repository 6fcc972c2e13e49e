-- Shared helpers, inlined where a per-profile script says `-- @include profile` (see ../../scripts.ts).
-- Every key a script touches shares the profile's hash tag, so the scripts run on one cluster slot.

-- The TTL (ms) a profile's keys get: user profiles (hash field `uid` set) keep `user_ttl`,
-- anonymous ones `anon_ttl`; 0 means no expiry.
local function profile_ttl(h, anon_ttl, user_ttl)
  if redis.call('HEXISTS', h, 'uid') == 1 then return user_ttl end
  return anon_ttl
end

-- Refreshes (or removes) the expiry of existing keys.
local function apply_ttl(keys, ttl)
  for _, key in ipairs(keys) do
    if ttl > 0 then redis.call('PEXPIRE', key, ttl) else redis.call('PERSIST', key) end
  end
end

-- The profile as a reply: the hash as a flat list, then each requested stream's members and
-- scores within retention (`{member, score, member, score...}`), in the order of `stream_keys`.
local function read_profile(h, stream_keys, retentions, now)
  local streams = {}
  for i, key in ipairs(stream_keys) do
    streams[i] = redis.call('ZRANGE', key, '(' .. (now - retentions[i]), '+inf', 'BYSCORE', 'WITHSCORES')
  end
  return { redis.call('HGETALL', h), streams }
end

-- Deletes every stream key of the profile (named by its `s:<streamId>` hash fields) and the fields.
local function drop_streams(h, base)
  for _, field in ipairs(redis.call('HKEYS', h)) do
    if string.sub(field, 1, 2) == 's:' then
      redis.call('DEL', base .. field)
      redis.call('HDEL', h, field)
    end
  end
end

-- Writes an evaluation's outcome on a profile whose version the caller has checked: bumps `v`,
-- sets the rules version, the due time and the memberships, refreshes the TTL and publishes the
-- change, all in the caller's atomic step (commit.lua, and ingest.lua's proposal).
-- args[at...]: rulesVersion, dueAt ('' = none), publishCommand ('PUBLISH' or 'SPUBLISH'), channel,
--   message ('' = nothing to announce), membershipCount, then (segmentKey, since)*.
-- Returns the segments entered and exited against the stored memberships (for the membership index).
local function write_outcome(h, anon_ttl, user_ttl, args, at)
  redis.call('HINCRBY', h, 'v', 1)
  redis.call('HSET', h, 'rv', args[at])
  if args[at + 1] == '' then redis.call('HDEL', h, 'due') else redis.call('HSET', h, 'due', args[at + 1]) end

  local before = {}
  for _, field in ipairs(redis.call('HKEYS', h)) do
    if string.sub(field, 1, 2) == 'm:' then
      before[string.sub(field, 3)] = true
      redis.call('HDEL', h, field)
    end
  end
  local entered = {}
  local a = at + 6
  for _ = 1, tonumber(args[at + 5]) do
    local key = args[a]
    redis.call('HSET', h, 'm:' .. key, args[a + 1])
    if before[key] then before[key] = nil else entered[#entered + 1] = key end
    a = a + 2
  end
  local exited = {}
  for key in pairs(before) do exited[#exited + 1] = key end

  apply_ttl({ h }, profile_ttl(h, anon_ttl, user_ttl))
  if args[at + 4] ~= '' then redis.call(args[at + 2], args[at + 3], args[at + 4]) end
  return entered, exited
end

-- The profile's traits as {key = json}.
local function stored_traits(h)
  local traits = {}
  local flat = redis.call('HGETALL', h)
  for i = 1, #flat, 2 do
    if string.sub(flat[i], 1, 2) == 't:' then traits[string.sub(flat[i], 3)] = flat[i + 1] end
  end
  return traits
end

-- Count and bytes of {key = json} as the bounds count them (engine/store/limits.ts): each key's
-- bytes plus its JSON's.
local function traits_size(traits)
  local count, bytes = 0, 0
  for key, json in pairs(traits) do
    count = count + 1
    bytes = bytes + #key + #json
  end
  return count, bytes
end

-- The refusal reply when traits grow past a bound (a profile over a bound lowered since may
-- still shrink), else nil.
local function trait_limit(before_count, before_bytes, count, bytes, max_traits, max_bytes)
  if count > max_traits and count > before_count then return { 'limit', 'maxTraits', max_traits, count } end
  if bytes > max_bytes and bytes > before_bytes then return { 'limit', 'maxTraitBytes', max_bytes, bytes } end
  return nil
end
