/** Applies one conversation.changed to the live state; see LiveState.apply. */
export const applyChangeScript = `
-- Applies one conversation.changed to the live state if it is newer than what Redis holds.
-- ARGV: prefix, id, version, status, assigneeId ('' = none), groupId, unread (0|1), blacklisted (0|1),
--       event JSON ('' = no stream entry), stream max length.
-- Answers the stream entry id, '' when applied without one, or false for a repeat or a straggler.
local p, id, version = ARGV[1], ARGV[2], tonumber(ARGV[3])
local key = p .. 'live:conv:' .. id
local old = redis.call('HMGET', key, 'v', 's', 'a', 'g', 'u', 'b')
if old[1] and tonumber(old[1]) >= version then return false end

-- The counter sets (keys.ts names their kinds) a conversation in this state belongs to, by their
-- names without the prefix.
local function sets(status, assignee, group, unread, blacklisted)
  local names = {}
  if not status then return names end
  if blacklisted == '1' then
    if unread == '1' then names[#names + 1] = 'blacklist_unread:' .. group end
    return names
  end
  if status == 'in_progress' then names[#names + 1] = 'mine:' .. assignee end
  if unread ~= '1' then return names end
  names[#names + 1] = 'all_unread:' .. group
  if status == 'in_progress' then
    names[#names + 1] = 'mine_unread:' .. assignee
  elseif status == 'unassigned' then
    names[#names + 1] = 'unassigned_unread:' .. group
  elseif status == 'closed' and assignee ~= '' then
    names[#names + 1] = 'closed_unread:' .. assignee
  end
  return names
end

local before = sets(old[2], old[3], old[4], old[5], old[6])
local after = sets(ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
local inBefore, inAfter, counts = {}, {}, {}
for _, n in ipairs(before) do inBefore[n] = true end
for _, n in ipairs(after) do inAfter[n] = true end
for _, n in ipairs(before) do
  if not inAfter[n] then
    redis.call('SREM', p .. 'live:' .. n, id)
    counts[n] = redis.call('SCARD', p .. 'live:' .. n)
  end
end
for _, n in ipairs(after) do
  if not inBefore[n] then
    redis.call('SADD', p .. 'live:' .. n, id)
    counts[n] = redis.call('SCARD', p .. 'live:' .. n)
  end
end
redis.call('HSET', key, 'v', ARGV[3], 's', ARGV[4], 'a', ARGV[5], 'g', ARGV[6], 'u', ARGV[7], 'b', ARGV[8])

if ARGV[9] == '' then return '' end
local previous = ''
if old[1] then previous = cjson.encode({ status = old[2], assigneeId = old[3], groupId = old[4] }) end
if next(counts) == nil then counts = '{}' else counts = cjson.encode(counts) end
return redis.call('XADD', p .. 'live:stream', 'MAXLEN', '~', ARGV[10], '*', 'change', ARGV[9], 'previous', previous, 'counts', counts)
`;
