/** Where the live state lives in Redis, under the deployment's key prefix. */
export const liveKeys = (prefix: string) => ({
  stream: `${prefix}live:stream`,
  conversation: (id: string) => `${prefix}live:conv:${id}`,
  /** #9: conversations in an operator's inbox. */
  mine: (operatorId: string) => `${prefix}live:mine:${operatorId}`,
  /** #10 of My inbox: those of them holding client messages nobody has viewed. */
  mineUnread: (operatorId: string) => `${prefix}live:mine_unread:${operatorId}`,
  /** #10 of Unassigned, per group: a caller's figure sums the groups he works in. */
  unassignedUnread: (groupId: string) => `${prefix}live:unassigned_unread:${groupId}`,
  /** Set once the projection holds every conversation; Redis losing its data loses this too. */
  built: `${prefix}live:built`,
  rebuilding: `${prefix}live:rebuilding`,
  /** Everything above but the stream, for a rebuild. */
  statePatterns: [`${prefix}live:conv:*`, `${prefix}live:mine:*`, `${prefix}live:mine_unread:*`, `${prefix}live:unassigned_unread:*`],
});
export type LiveKeys = ReturnType<typeof liveKeys>;
