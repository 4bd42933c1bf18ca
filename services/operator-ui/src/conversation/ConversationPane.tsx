/**
 * One conversation: its preview before "Start conversation" (Unassigned), history, composer,
 * actions and the client's profile. `onLeave`: the conversation left the caller's view (closed,
 * handed over, no longer visible), so the workspace can show the next one.
 */
export function ConversationPane({ conversationId }: { conversationId: string; onLeave: () => void }) {
  return <section className="pane">Conversation {conversationId}</section>;
}
