import { heldAttachmentsAnswer } from '@relaydesk/contracts';
import type { BlobStore } from '@relaydesk/blob-store';
import type { ServiceClient } from '../http/service-client';
import type { PendingUploads } from '../store/pending-uploads';
import { systemCaller } from './system-caller';

const BATCH = 200;

export type SweepDeps = { pending: PendingUploads; blobs: BlobStore; conversation: ServiceClient };

/**
 * ADR 8: uploads pending longer than `olderThanMs` lost their send's answer. The conversation
 * service says which of them a message holds; the others' blobs are deleted. Answers how many blobs
 * it deleted and how many it found held.
 */
export async function sweepUnansweredUploads(deps: SweepDeps, olderThanMs: number): Promise<{ deleted: number; held: number }> {
  const outcome = { deleted: 0, held: 0 };
  for (;;) {
    const swept = await deps.pending.sweep(olderThanMs, BATCH, async (storageKeys) => {
      const answer = await deps.conversation.callAs(systemCaller, 'POST', '/attachments/held', { storageKeys });
      if (answer.status !== 200) throw new Error(`the conversation service answered ${answer.status} to which blobs are held`);
      const held = new Set(heldAttachmentsAnswer.parse(answer.body).held);
      for (const key of storageKeys) if (!held.has(key)) await deps.blobs.delete(key);
      outcome.held += held.size;
      outcome.deleted += storageKeys.length - held.size;
    });
    if (swept < BATCH) return outcome;
  }
}
