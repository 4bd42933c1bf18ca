import type { CallerIdentity } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import { AppError } from '@relaydesk/service-kit';
import { findAttachment, type AttachmentRow } from '../store/attachment.repository';
import { findConversation } from '../store/conversation.repository';
import { canSee } from './conversation-rules';

/** D15, D34: a file is as visible as its conversation; anything else is "no such attachment". */
export async function visibleAttachment(tx: Tx, caller: CallerIdentity, id: string): Promise<AttachmentRow> {
  const attachment = await findAttachment(tx, id);
  const conv = attachment && (await findConversation(tx, attachment.conversationId));
  if (!attachment || !conv || !canSee(caller, conv)) throw new AppError('not_found', 'No such attachment');
  return attachment;
}
