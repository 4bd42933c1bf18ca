/** One movement of a conversation (D12) as `GET /conversations/:id/log` answers it. */
export type LogEntry = {
  action: string;
  actor: { id: string; name: string | null } | null;
  from: LogState | null;
  to: LogState;
  at: string;
  /** Names of the operators and groups the states mention, by id. */
  names?: Record<string, string | null>;
};
type LogState = { status?: string; assigneeId?: string | null; groupId?: string; pinnedOperatorId?: string | null; name?: string };

/** A log entry as a sentence: who did what, to whom or where. */
export function describeLogEntry(e: LogEntry): string {
  const name = (id: string | null | undefined, fallback: string) => (id ? (e.names?.[id] ?? fallback) : fallback);
  const who = e.actor ? (e.actor.name ?? 'An operator') : 'Relaydesk';
  const group = name(e.to.groupId, 'another group');
  const assignee = name(e.to.assigneeId, 'an operator');
  switch (e.action) {
    case 'created':
      return e.actor ? `${who} wrote to the client first (outgoing), group ${group}` : `The client wrote; waiting in Unassigned, group ${group}`;
    case 'taken':
      return `${who} took it`;
    case 'assigned':
      return e.actor ? `${who} assigned it to ${assignee}` : `The client wrote again; straight to ${assignee}'s inbox (pinned client)`;
    case 'group_changed':
      return e.from?.groupId ? `${who} moved it from group ${name(e.from.groupId, 'another group')} to group ${group}` : `${who} moved it to group ${group}`;
    case 'unassigned':
      return e.actor ? `${who} returned it to Unassigned` : 'The client wrote again; back to Unassigned';
    case 'closed':
      return `${who} closed it`;
    case 'reopened':
      return `${who} started it again`;
    case 'blacklisted':
      return `${who} sent the client to the black list`;
    case 'unlocked':
      return `${who} unlocked it`;
    case 'pinned':
      return `${who} pinned the client to ${name(e.to.pinnedOperatorId, 'an operator')}`;
    case 'unpinned':
      return `${who} detached the client`;
    case 'renamed':
      return `${who} renamed the client from “${e.from?.name ?? ''}” to “${e.to.name ?? ''}”`;
    default:
      return `${who}: ${e.action}`;
  }
}
