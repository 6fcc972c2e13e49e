-- Shared helpers, included at the top of the per-profile scripts (see ../scripts.ts).
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
