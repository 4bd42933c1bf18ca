import { sqlMigration } from './sql-migration';

export const createOutboxAndInbox1732000000000 = sqlMigration(
  'createOutboxAndInbox1732000000000',
  [
    `
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        exchange text NOT NULL,
        routing_key text NOT NULL,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    `
      CREATE TABLE inbox (
        consumer text NOT NULL,
        message_id uuid NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`,
    'CREATE INDEX inbox_handled_at ON inbox (handled_at)',
  ],
  [
    'DROP TABLE inbox',
    'DROP TABLE outbox',
  ],
);
