import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { OutboxRelay } from '@relaydesk/bus';
import { conversationIdParams, createTagBody, listTagsQuery, tagMessagesBody } from '@relaydesk/contracts';
import { identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { findOrCreateNamedTag, tagMessages } from '../domain/tag-messages';
import { listTags } from '../store/tag.repository';
import { messageView, tagView } from './views';

/** D24 tags: the list, a new one (an existing name answers the existing tag), and tagging messages. */
export function tagRoutes(db: DataSource, relay: OutboxRelay): Router {
  const router = Router();

  router.get('/tags', async (req, res) => {
    const { prefix } = parseOrThrow(listTagsQuery, req.query, 'query');
    res.json({ items: (await listTags(db.manager, prefix)).map(tagView) });
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
