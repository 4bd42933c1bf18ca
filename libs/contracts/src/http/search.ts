import { z } from 'zod';
import { conversationListItem } from '../events/conversation-changed';
import { messageKinds } from '../events/message-stored';
import { isoTime, uuid } from '../primitives';

/** D26. `q`'s length rules (3 to 200 characters after trimming) are the search service's, with their own message. */
export const searchQuery = z.strictObject({
  q: z.string({ error: 'required: the words to search for' }),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().min(1).max(500).optional(),
});
export type SearchQuery = z.infer<typeof searchQuery>;

/** `[start, end)` in UTF-16 code units of the text: the words a query word starts. */
const highlightRanges = z.array(z.tuple([z.number().int(), z.number().int()]));

/** One conversation found (API.md GET /search), newest first; the gateway adds names to `conversation`. */
export const searchHitView = z.object({
  conversation: conversationListItem,
  nameHighlight: highlightRanges,
  messageCount: z.number().int().min(0),
  matches: z.array(
    z.object({ messageId: uuid, kind: z.enum(messageKinds).exclude(['event']), text: z.string(), createdAt: isoTime, highlight: highlightRanges }),
  ),
});
export type SearchHitView = z.infer<typeof searchHitView>;
