import { conversationChanged } from '@relaydesk/contracts';
import { z } from 'zod';
import type { SearchEngine } from '../store/search-engine';

/** A page of the conversation service's export (GET /export/conversations). */
export const exportPage = z.object({ items: z.array(conversationChanged), nextAfter: z.string().nullable(), total: z.number().int().optional() });
export type ExportPage = z.infer<typeof exportPage>;

export type ReindexProgress = { done: number; total: number | undefined };

/**
 * Feeds every conversation of the export through `apply`, as the live feed does: the index stays
 * searchable throughout, and a change committed meanwhile arrives as a newer version and wins.
 * Answers how many conversations it applied.
 */
export async function reindex(engine: SearchEngine, readPage: (after: string | undefined) => Promise<ExportPage>, onProgress: (p: ReindexProgress) => void): Promise<number> {
  let after: string | undefined;
  let total: number | undefined;
  let done = 0;
  for (;;) {
    const page = await readPage(after);
    total ??= page.total;
    await engine.apply(page.items);
    done += page.items.length;
    onProgress({ done, total });
    if (!page.nextAfter) return done;
    after = page.nextAfter;
  }
}
