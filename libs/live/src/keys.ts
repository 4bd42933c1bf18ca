/**
 * The counter sets of D14, by kind. A set is named `<kind>:<operator or group id>` and holds the
 * ids of the conversations it counts; apply-change.script.ts decides membership.
 * - `mine:<operator>`: #9, the conversations in an operator's inbox.
 * - `mine_unread:<operator>`, `closed_unread:<operator>`: #10 of My inbox and of Closed.
 * - `unassigned_unread:<group>`, `all_unread:<group>`, `blacklist_unread:<group>`: #10 of
 *   Unassigned, All (every status but the blacklisted) and Blacklist; a caller's figure sums the
 *   groups in his scope.
 */
export const counterSetKinds = ['mine', 'mine_unread', 'closed_unread', 'unassigned_unread', 'all_unread', 'blacklist_unread'] as const;
export type CounterSetKind = (typeof counterSetKinds)[number];

/** Where the live state lives in Redis, under the deployment's key prefix. */
export const liveKeys = (prefix: string) => ({
  stream: `${prefix}live:stream`,
  /** A counter set by its name, `<kind>:<id>`. */
  counterSet: (name: string) => `${prefix}live:${name}`,
  /**
   * Set once the projection holds every conversation; Redis losing its data loses this too. The
   * number names the projection's shape: a release that adds counter sets bumps it, so the first
   * conversation service of that release rebuilds them from PostgreSQL.
   */
  built: `${prefix}live:built:2`,
  rebuilding: `${prefix}live:rebuilding`,
  /** Everything but the stream and the markers, for a rebuild: each conversation's state and the sets. */
  statePatterns: ['conv', ...counterSetKinds].map((kind) => `${prefix}live:${kind}:*`),
});
export type LiveKeys = ReturnType<typeof liveKeys>;
