import type { DataSource } from 'typeorm';
import { makeEnvelope, transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { CallerIdentity } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import { AppError } from '@relaydesk/service-kit';
import { findClient, setClientName, setClientNote, type ClientRow } from '../store/client.repository';
import { appendLog } from '../store/log.repository';
import { canSee } from './conversation-rules';
import { changedEvents } from './events';

/** D34: a client is seen by whoever may open his conversation; anyone else gets 404. */
export async function visibleClient(tx: Tx, caller: CallerIdentity, id: string, lock = false): Promise<ClientRow> {
  const client = await findClient(tx, id, lock);
  if (!client || !canSee(caller, client.conversation)) throw new AppError('not_found', 'No such client');
  return client;
}

/** D17: the display name changes, originalName (what the channel sent) never; logged as renamed (D12). */
export function renameClient(db: DataSource, relay: OutboxRelay, caller: CallerIdentity, id: string, name: string): Promise<ClientRow> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const client = await visibleClient(tx, caller, id, true);
    if (client.name === name) return client;
    const at = new Date().toISOString();
    await setClientName(tx, id, name);
    await appendLog(tx, { conversationId: client.conversation.id, action: 'renamed', actorId: caller.operatorId, from: { name: client.name }, to: { name }, at });
    emit([
      makeEnvelope(
        'client.renamed',
        { clientId: id, conversationId: client.conversation.id, name, originalName: client.originalName, actorId: caller.operatorId, at },
        { source: 'conversation', partitionKey: client.conversation.id },
      ),
      ...(await changedEvents(tx, [client.conversation.id], { actorId: caller.operatorId })),
    ]);
    return { ...client, name };
  });
}

/**
 * D19: free text on the client, for operators who can see him. Two colleagues editing it at once:
 * the second save, made from the note as it was before the first, is refused rather than erase it.
 */
export async function setNote(db: DataSource, caller: CallerIdentity, id: string, note: string, previous?: string): Promise<ClientRow> {
  return db.transaction(async (tx) => {
    const client = await visibleClient(tx, caller, id, true);
    if (previous !== undefined && previous !== client.note) throw new AppError('conflict', 'A colleague changed this note while you were editing it: read theirs, then save yours again');
    await setClientNote(tx, id, note);
    return { ...client, note };
  });
}
