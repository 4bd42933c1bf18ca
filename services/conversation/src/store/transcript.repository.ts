import type { Tx } from '@relaydesk/db';

export type TranscriptRow = {
  id: string;
  conversationId: string;
  requestedBy: string;
  requestedAt: string;
  status: 'queued' | 'sent' | 'failed';
  error: string | null;
  finishedAt: string | null;
  refusedRecipients: string[];
};

type Raw = Record<string, unknown>;
const toRow = (r: Raw): TranscriptRow => ({
  id: r['id'] as string,
  conversationId: r['conversation_id'] as string,
  requestedBy: r['requested_by'] as string,
  requestedAt: (r['requested_at'] as Date).toISOString(),
  status: r['status'] as TranscriptRow['status'],
  error: r['error'] as string | null,
  finishedAt: r['finished_at'] ? (r['finished_at'] as Date).toISOString() : null,
  refusedRecipients: r['refused_recipients'] as string[],
});

export async function insertTranscript(tx: Tx, t: { id: string; conversationId: string; requestedBy: string; requestedAt: string }): Promise<TranscriptRow> {
  const [row] = await tx.query<Raw[]>('INSERT INTO transcript (id, conversation_id, requested_by, requested_at) VALUES ($1, $2, $3, $4) RETURNING *', [
    t.id,
    t.conversationId,
    t.requestedBy,
    t.requestedAt,
  ]);
  return toRow(row!);
}

export async function findTranscript(tx: Tx, id: string): Promise<TranscriptRow | undefined> {
  const [row] = await tx.query<Raw[]>('SELECT * FROM transcript WHERE id = $1', [id]);
  return row && toRow(row);
}

/** The notification service's word is final: a repeated or late outcome changes nothing. */
export async function recordTranscriptOutcome(tx: Tx, o: { id: string; status: 'sent' | 'failed'; error: string | null; at: string; refusedRecipients: string[] }): Promise<void> {
  await tx.query(`UPDATE transcript SET status = $2, error = $3, finished_at = $4, refused_recipients = $5 WHERE id = $1 AND status = 'queued'`, [
    o.id,
    o.status,
    o.error,
    o.at,
    o.refusedRecipients,
  ]);
}
