/** Empties the live state; see LiveState.clear. */
export const clearStateScript = `
-- Deletes the built marker and every key matching the patterns, all in one step: a change applied
-- halfway through a clear would leave its conversation's hash without the counter sets it is in.
-- ARGV: the built marker, then the key patterns. Answers how many keys it deleted.
redis.call('DEL', ARGV[1])
local deleted = 0
for i = 2, #ARGV do
  local cursor = '0'
  repeat
    local reply = redis.call('SCAN', cursor, 'MATCH', ARGV[i], 'COUNT', 1000)
    cursor = reply[1]
    if #reply[2] > 0 then deleted = deleted + redis.call('UNLINK', unpack(reply[2])) end
  until cursor == '0'
end
return deleted
`;
