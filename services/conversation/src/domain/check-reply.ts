import type { CallerIdentity, ChannelType, ReplyCheck } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import { AppError } from '@relaydesk/service-kit';
import { findConversation } from '../store/conversation.repository';
import { findByIdempotencyKey } from '../store/message.repository';
import { assertMayReply, canSee } from './conversation-rules';

/**
 * D8, D15: asked before an upload's bytes are stored: may the caller reply here, and through which
 * channel (whose limits the file must meet)? An Idempotency-Key he already used here is a replay,
 * which the send answers with the first message whatever the conversation's state now.
 */
export async function checkReply(tx: Tx, caller: CallerIdentity, conversationId: string, idempotencyKey: string | undefined): Promise<ReplyCheck> {
  const conv = await findConversation(tx, conversationId);
  if (!conv || !canSee(caller, conv)) throw new AppError('not_found', 'No such conversation');
  const channel = conv.channel as ChannelType;
  const first = idempotencyKey === undefined ? undefined : await findByIdempotencyKey(tx, caller.operatorId, idempotencyKey);
  if (first) {
    if (first.conversationId !== conversationId) throw new AppError('conflict', 'This Idempotency-Key was used for another conversation');
    return { channel, replay: true };
  }
  assertMayReply(caller, conv);
  return { channel, replay: false };
}
