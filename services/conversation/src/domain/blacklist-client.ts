import type { DataSource } from 'typeorm';
import { transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { CallerIdentity } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { findClient, setBlacklisted } from '../store/client.repository';
import { bumpVersions, findConversation, lockConversation, setStateCounted, stateOf, type ConversationRow } from '../store/conversation.repository';
import { appendLog } from '../store/log.repository';
import { canSee, decideBlacklist, decideUnlock, inScope } from './conversation-rules';
import { changedEventsOf, movedEvent } from './events';

/** D27: put the conversation's client on the blacklist, or take him off it (the unlock rule). */
export function blacklistClient(db: DataSource, relay: OutboxRelay, caller: CallerIdentity, conversationId: string, on: boolean): Promise<ConversationRow> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    // The client is locked before his conversation, as every writer of both does (a client message, a pin, a rename).
    const clientId = (await findConversation(tx, conversationId))?.clientId;
    const client = clientId === undefined ? undefined : await findClient(tx, clientId, true);
    const conv = await lockConversation(tx, conversationId);
    if (!client || !conv || !(canSee(caller, conv) || inScope(caller, conv.groupId))) throw new AppError('not_found', 'No such conversation');
    const decision = on ? decideBlacklist(caller, conv, client.blacklisted) : decideUnlock(caller, conv, client.blacklisted, client.blockedMessages);
    const at = new Date().toISOString();
    await setBlacklisted(tx, client.id, on);
    await appendLog(tx, { conversationId: conv.id, action: decision.action, actorId: caller.operatorId, from: stateOf(conv), to: stateOf(decision.to), at });
    const after = decision.to.status !== conv.status ? await setStateCounted(tx, conv.id, decision.to, at) : (await bumpVersions(tx, [conv.id]))[0]!;
    emit([movedEvent(conv, conv, decision, caller.operatorId, at), ...changedEventsOf([after], { actorId: caller.operatorId })]);
    return after;
  });
}
