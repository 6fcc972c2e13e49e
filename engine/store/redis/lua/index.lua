-- Sets or removes entries of the membership index in one partition (every key shares the
-- partition's hash tag, so this runs on one slot). An entry is a profile id scored with the time
-- it must be re-checked by (see ../member-index.ts).
--
-- With an expected score, the entry changes only if it still has that score: a count that
-- re-checked a lapsed entry never undoes what a commit wrote meanwhile.
--
-- KEYS[i] an index key `<prefix>:members:{p<n>}:<segment>` (a key may repeat)
-- ARGV: per key i: profileId, expected score ('' = any), new score ('' = remove)
-- Reply: 1.

for i, key in ipairs(KEYS) do
  local member, expected, score = ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i]
  if expected == '' or tonumber(redis.call('ZSCORE', key, member)) == tonumber(expected) then
    if score == '' then
      redis.call('ZREM', key, member)
    else
      redis.call('ZADD', key, score, member)
    end
  end
end
return 1
