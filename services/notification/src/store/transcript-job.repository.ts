import type { TranscriptRequested } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';

export type TranscriptJob = { transcriptId: string; request: TranscriptRequested; requestedAt: Date; attempts: number };

/** Queues a request; one that is already queued (a redelivery, a replay) changes nothing. */
export async function queueTranscriptJob(tx: Tx, request: TranscriptRequested): Promise<void> {
  await tx.query(
    `INSERT INTO transcript_job (transcript_id, conversation_id, request, requested_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (transcript_id) DO NOTHING`,
    [request.transcriptId, request.conversationId, JSON.stringify(request), request.requestedAt],
  );
}

/**
 * Locks one due job for the caller's transaction; other replicas skip it. The lock lasts as long
 * as the transaction, so a process that dies while sending leaves nothing behind to expire.
 */
export async function lockDueTranscriptJob(tx: Tx): Promise<TranscriptJob | undefined> {
  const rows: { transcript_id: string; request: TranscriptRequested; requested_at: Date; attempts: number }[] = await tx.query(
    `SELECT transcript_id, request, requested_at, attempts FROM transcript_job
     WHERE status = 'queued' AND next_attempt_at <= now()
     ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
  );
  const row = rows[0];
  return row && { transcriptId: row.transcript_id, request: row.request, requestedAt: row.requested_at, attempts: row.attempts };
}

/** Sent: the message snapshot is dropped (dropFinishedSnapshots1732000000802), the outcome stays. */
export async function markTranscriptSent(tx: Tx, transcriptId: string, attempts: number, mailMessageId: string): Promise<void> {
  await tx.query(
    `UPDATE transcript_job SET status = 'sent', attempts = $2, mail_message_id = $3, finished_at = now(), request = NULL WHERE transcript_id = $1`,
    [transcriptId, attempts, mailMessageId],
  );
}

export async function markTranscriptFailed(tx: Tx, transcriptId: string, attempts: number, error: string): Promise<void> {
  await tx.query(
    `UPDATE transcript_job SET status = 'failed', attempts = $2, last_error = $3, finished_at = now(), request = NULL WHERE transcript_id = $1`,
    [transcriptId, attempts, error],
  );
}

export async function rescheduleTranscriptJob(tx: Tx, transcriptId: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void> {
  await tx.query(`UPDATE transcript_job SET attempts = $2, last_error = $3, next_attempt_at = $4 WHERE transcript_id = $1`, [
    transcriptId,
    attempts,
    error,
    nextAttemptAt,
  ]);
}
