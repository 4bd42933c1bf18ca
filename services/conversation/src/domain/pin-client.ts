import type { DataSource } from 'typeorm';
import { transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { CallerIdentity } from '@relaydesk/contracts';
import { setPin, type ClientRow } from '../store/client.repository';
import { appendLog } from '../store/log.repository';
import { visibleClient } from './client-profile';
import { decidePin, decideUnpin } from './conversation-rules';
import { changedEvents, movedEvent } from './events';

/** D30, D31: pin a client to the caller, or detach the pin; logged as pinned / unpinned (D12). */
export function pinClient(db: DataSource, relay: OutboxRelay, caller: CallerIdentity, clientId: string, on: boolean): Promise<ClientRow> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const client = await visibleClient(tx, caller, clientId, true);
    const holder = client.pinnedOperatorId;
    if (on) decidePin(caller, client.conversation, holder);
    else decideUnpin(caller, client.conversation, holder);
    const pinnedOperatorId = on ? caller.operatorId : null;
    const at = new Date().toISOString();
    const action = on ? 'pinned' : 'unpinned';
    await setPin(tx, clientId, pinnedOperatorId);
    await appendLog(tx, { conversationId: client.conversation.id, action, actorId: caller.operatorId, from: { pinnedOperatorId: holder }, to: { pinnedOperatorId }, at });
    const conv = { id: client.conversation.id, clientId };
    emit([movedEvent(conv, client.conversation, { action, to: client.conversation }, caller.operatorId, at), ...(await changedEvents(tx, [conv.id], { actorId: caller.operatorId }))]);
    return { ...client, pinnedOperatorId };
  });
}
