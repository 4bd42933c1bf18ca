import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { OutboxRelay } from '@relaydesk/bus';
import { conversationIdParams, createTagBody, listTagsQuery, tagMessagesBody, tagName } from '@relaydesk/contracts';
import { decodeCursor, encodeCursor, identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { findOrCreateNamedTag, tagMessages } from '../domain/tag-messages';
import { listTags } from '../store/tag.repository';
import { messageView, tagView } from './views';

/** D24 tags: the list, a new one (an existing name answers the existing tag), and tagging messages. */
export function tagRoutes(db: DataSource, relay: OutboxRelay): Router {
  const router = Router();

  router.get('/tags', async (req, res) => {
    const { prefix, cursor, limit } = parseOrThrow(listTagsQuery, req.query, 'query');
    const list = `tags:${prefix ?? ''}`;
    const rows = await listTags(db.manager, { prefix, afterName: decodeCursor(cursor, list, { key: tagName })?.key, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    res.json({ items: items.map(tagView), nextCursor: rows.length > limit && last ? encodeCursor({ key: last.name, id: last.id }, list) : null });
  });

  router.post('/tags', async (req, res) => {
    const { name } = parseOrThrow(createTagBody, req.body, 'body');
    const { tag, created } = await findOrCreateNamedTag(db.manager, identityOf(res), name);
    res.status(created ? 201 : 200).json(tagView(tag));
  });

  router.post('/conversations/:id/tags', async (req, res) => {
    const { id } = parseOrThrow(conversationIdParams, req.params, 'path');
    const body = parseOrThrow(tagMessagesBody, req.body, 'body');
    const { tag, messages } = await tagMessages(db, relay, identityOf(res), id, body);
    res.json({ tag: tagView(tag), items: messages.map(messageView) });
  });

  return router;
}
