import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { OutboxRelay } from '@relaydesk/bus';
import { assignBody, changeGroupBody, conversationIdParams, idempotencyKey, listConversationsQuery, listLogQuery, listMessagesQuery, noBody, noteBody, operatorMessageBody } from '@relaydesk/contracts';
import { AppError, identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { z } from 'zod';
import { addNote } from '../domain/add-note';
import { blacklistClient } from '../domain/blacklist-client';
import { checkReply } from '../domain/check-reply';
import { canSee, decideHandOver, decideMove, type Move } from '../domain/conversation-rules';
import { decodeCursor, encodeCursor } from '@relaydesk/service-kit';
import { listTab } from '../domain/list-conversations';
import { moveConversation } from '../domain/move-conversation';
import { sendOperatorMessage } from '../domain/send-operator-message';
import { findConversation, type ConversationRow } from '../store/conversation.repository';
import { markConversationRead } from '../domain/mark-read';
import { readLog } from '../store/log.repository';
import { listMessages } from '../store/message.repository';
import { itemView, logView, messageView } from './views';

/** A log page ends at a movement's number (the log's own serial). */
const logSeq = z.string().regex(/^\d{1,19}$/);

const moves: Move[] = ['take', 'close', 'unassign', 'reopen'];

/** The conversation API behind the gateway; every request carries the gateway's signed identity. */
export function conversationRoutes(db: DataSource, relay: OutboxRelay): Router {
  const router = Router();

  async function visible(id: string, res: Parameters<typeof identityOf>[0]): Promise<ConversationRow> {
    const conv = await findConversation(db.manager, id);
    if (!conv || !canSee(identityOf(res), conv)) throw new AppError('not_found', 'No such conversation');
    return conv;
  }
  const idOf = (params: unknown): string => parseOrThrow(conversationIdParams, params, 'path').id;

  router.get('/conversations', async (req, res) => {
    const query = parseOrThrow(listConversationsQuery, req.query, 'query');
    const page = await listTab(db.manager, identityOf(res), query);
    res.json({ items: page.items.map(itemView), nextCursor: page.nextCursor });
  });

  router.get('/conversations/:id', async (req, res) => {
    const conv = await visible(idOf(req.params), res);
    res.json(itemView(conv));
  });

  for (const move of moves) {
    router.post(`/conversations/:id/${move}`, async (req, res) => {
      parseOrThrow(noBody, req.body ?? {}, 'body');
      const caller = identityOf(res);
      const conv = await moveConversation(db, relay, caller, idOf(req.params), (c) => decideMove(move, caller, c), move === 'take');
      res.json(itemView(conv));
    });
  }

  router.post('/conversations/:id/assign', async (req, res) => {
    const target = parseOrThrow(assignBody, req.body, 'body');
    const caller = identityOf(res);
    res.json(itemView(await moveConversation(db, relay, caller, idOf(req.params), (c) => decideHandOver(caller, c, target))));
  });

  router.post('/conversations/:id/group', async (req, res) => {
    const target = parseOrThrow(changeGroupBody, req.body, 'body');
    const caller = identityOf(res);
    res.json(itemView(await moveConversation(db, relay, caller, idOf(req.params), (c) => decideHandOver(caller, c, target))));
  });

  router.post('/conversations/:id/blacklist', async (req, res) => {
    parseOrThrow(noBody, req.body ?? {}, 'body');
    res.json(itemView(await blacklistClient(db, relay, identityOf(res), idOf(req.params), true)));
  });

  router.delete('/conversations/:id/blacklist', async (req, res) => {
    res.json(itemView(await blacklistClient(db, relay, identityOf(res), idOf(req.params), false)));
  });

  router.post('/conversations/:id/notes', async (req, res) => {
    const { text } = parseOrThrow(noteBody, req.body, 'body');
    const key = parseOrThrow(idempotencyKey, req.header('idempotency-key'), 'Idempotency-Key header');
    const { message, created } = await addNote(db, relay, identityOf(res), idOf(req.params), text, key);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).json(messageView(message));
  });

  router.get('/conversations/:id/messages', async (req, res) => {
    const conv = await visible(idOf(req.params), res);
    const q = parseOrThrow(listMessagesQuery, req.query, 'query');
    const list = `messages:${conv.id}`;
    const rows = await listMessages(db.manager, conv.id, decodeCursor(q.before, list, { field: 'before' }), q.limit + 1);
    const items = rows.slice(-q.limit);
    const oldest = items[0];
    res.json({ items: items.map(messageView), nextCursor: rows.length > q.limit && oldest ? encodeCursor({ key: oldest.createdAt, id: oldest.id }, list) : null });
  });

  router.post('/conversations/:id/messages', async (req, res) => {
    const id = idOf(req.params);
    const body = parseOrThrow(operatorMessageBody, req.body, 'body');
    const key = parseOrThrow(idempotencyKey, req.header('idempotency-key'), 'Idempotency-Key header');
    const { message, created } = await sendOperatorMessage(db, relay, identityOf(res), id, body, key);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).json(messageView(message));
  });

  // Internal: the gateway asks this before it stores an upload's bytes (D15).
  router.get('/conversations/:id/reply-check', async (req, res) => {
    const key = parseOrThrow(idempotencyKey, req.header('idempotency-key'), 'Idempotency-Key header');
    res.json(await checkReply(db.manager, identityOf(res), idOf(req.params), key));
  });

  router.post('/conversations/:id/read', async (req, res) => {
    parseOrThrow(noBody, req.body ?? {}, 'body');
    const id = idOf(req.params);
    await markConversationRead(db, relay, identityOf(res), id);
    res.json({ id, unreadCount: 0 });
  });

  router.get('/conversations/:id/log', async (req, res) => {
    const conv = await visible(idOf(req.params), res);
    const q = parseOrThrow(listLogQuery, req.query, 'query');
    const list = `log:${conv.id}`;
    const rows = await readLog(db.manager, conv.id, decodeCursor(q.before, list, { field: 'before', key: logSeq })?.key, q.limit + 1);
    const items = rows.slice(-q.limit);
    const oldest = items[0];
    res.json({ items: items.map(logView), nextCursor: rows.length > q.limit && oldest ? encodeCursor({ key: oldest.seq, id: conv.id }, list) : null });
  });

  return router;
}
