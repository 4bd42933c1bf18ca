import { sqlMigration, type MigrationClass } from '@relaydesk/db';

/** One row per D23 request: the snapshot to mail and where its sending stands. */
export const createTranscriptJobs1732000000801 = sqlMigration(
  'createTranscriptJobs1732000000801',
  [
    `
      CREATE TABLE transcript_job (
        transcript_id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL,
        request jsonb NOT NULL,
        requested_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        mail_message_id text,
        received_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`,
    `CREATE INDEX transcript_job_due ON transcript_job (next_attempt_at) WHERE status = 'queued'`,
  ],
  ['DROP TABLE transcript_job'],
);

/**
 * A finished job keeps only what makes a redelivered request a no-op (its id and outcome): the
 * snapshot of the client's messages goes once the mail is sent or has failed for good.
 */
export const dropFinishedSnapshots1732000000802 = sqlMigration(
  'dropFinishedSnapshots1732000000802',
  [`ALTER TABLE transcript_job ALTER COLUMN request DROP NOT NULL`, `UPDATE transcript_job SET request = NULL WHERE status <> 'queued'`],
  [`DELETE FROM transcript_job WHERE request IS NULL`, `ALTER TABLE transcript_job ALTER COLUMN request SET NOT NULL`],
);

export const notificationMigrations: MigrationClass[] = [createTranscriptJobs1732000000801, dropFinishedSnapshots1732000000802];
