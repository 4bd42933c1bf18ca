import { AppError } from '@relaydesk/service-kit';
import type { Tx } from '@relaydesk/db';
import { insertOperatorMessage, type MessageRow } from '../store/message.repository';

type OperatorMessage = Parameters<typeof insertOperatorMessage>[1];

/**
 * An operator's message, or the one his Idempotency-Key already made for the same request (a retry
 * on a weak connection: `created` false). The key on another conversation, another kind of message
 * or another text is a mistake the caller hears of, not a silent answer about something else.
 */
export async function operatorMessageOnce(tx: Tx, m: OperatorMessage): Promise<{ message: MessageRow; created: boolean }> {
  const result = await insertOperatorMessage(tx, m);
  if (!result.created) requireSameRequest(result.message, m);
  return result;
}

/** The message an Idempotency-Key made first, when it was made by the same request as `m`; 409 otherwise. */
export function requireSameRequest(first: MessageRow, m: Pick<OperatorMessage, 'conversationId' | 'kind' | 'text'>): void {
  if (first.conversationId !== m.conversationId) throw new AppError('conflict', 'This Idempotency-Key was used for another conversation');
  if (first.kind !== m.kind || first.text !== m.text) throw new AppError('conflict', `This Idempotency-Key was used for another message (${first.kind === 'note' ? 'a note' : 'a reply'} with other content): use a new key for a new message`);
}
