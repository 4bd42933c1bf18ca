import { createHash } from 'node:crypto';
import type { CallerIdentity, Page, TaggedMessagesQuery } from '@relaydesk/contracts';
import { decodeCursor, encodeCursor } from '@relaydesk/service-kit';
import type { TaggedMessage, TaggedMessageRepository } from '../store/tagged-message.repository';
import { analyticsScope } from './access';
import { resolvePeriod } from './buckets';

export type TaggedMessageItem = Omit<TaggedMessage, 'tagName'> & { link: string };

/**
 * D25: the messages behind a count, newest first by the message's time. A tag never used (or not
 * known here) gives an empty page: the conversation service owns tags, so absent is not unknown.
 */
export async function listTaggedMessages(
  store: Pick<TaggedMessageRepository, 'pageOfTag'>,
  caller: CallerIdentity,
  tagId: string,
  query: TaggedMessagesQuery,
): Promise<Page<TaggedMessageItem>> {
  const groupIds = analyticsScope(caller, query.groupId);
  const period = resolvePeriod(query);
  const list = listOf(tagId, period, query);
  const rows = await store.pageOfTag(tagId, { ...period, groupIds, operatorId: query.operatorId, channel: query.channel }, decodeCursor(query.cursor, list), query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ key: _key, tagName: _tagName, ...row }) => ({ ...row, link: `/api/v1/conversations/${row.conversationId}` })),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ key: last.key, id: last.messageId }, list) : null,
  };
}

/** The list a cursor belongs to: this tag and these resolved filters, hashed to keep the cursor short. */
function listOf(tagId: string, period: { fromMs: number; toMs: number }, query: TaggedMessagesQuery): string {
  const filters = [tagId, period.fromMs, period.toMs, query.groupId ?? '', query.operatorId ?? '', query.channel ?? ''].join('|');
  return `tagged:${createHash('sha256').update(filters).digest('base64url').slice(0, 16)}`;
}
