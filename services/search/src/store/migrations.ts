import { sqlMigration } from '@relaydesk/db';

/**
 * The PostgreSQL engine's index. Words are made in TypeScript (`wordsOf`) and stored as lexemes
 * with `array_to_tsvector`, so PostgreSQL's parser never drops emoji or splits words otherwise.
 * Visibility columns sit on `conversation` only: a move (take, assign, blacklist) rewrites one row,
 * never the conversation's messages.
 */
export const createSearchIndex1732000000401 = sqlMigration(
  'createSearchIndex1732000000401',
  [
    `
      CREATE TABLE conversation (
        id uuid PRIMARY KEY,
        client_id uuid NOT NULL,
        version integer NOT NULL,
        item jsonb NOT NULL,
        group_id uuid NOT NULL,
        assignee_id uuid,
        status text NOT NULL,
        blacklisted boolean NOT NULL,
        name_words tsvector NOT NULL,
        active_at timestamptz NOT NULL
      )`,
    'CREATE INDEX conversation_client ON conversation (client_id)',
    'CREATE INDEX conversation_name_words ON conversation USING gin (name_words)',
    `
      CREATE TABLE message (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL,
        kind text NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL,
        words tsvector NOT NULL
      )`,
    'CREATE INDEX message_words ON message USING gin (words)',
    'CREATE INDEX message_conversation ON message (conversation_id, created_at DESC, id DESC)',
  ],
  ['DROP TABLE message', 'DROP TABLE conversation'],
);

/** Newest-first walks over the matches of a common word (postgres-engine.ts). */
export const addRecentMessageIndex1732000000402 = sqlMigration(
  'addRecentMessageIndex1732000000402',
  ['CREATE INDEX message_recent ON message (created_at DESC)'],
  ['DROP INDEX message_recent'],
);

/**
 * When each message was indexed (its transaction's clock at the insert, not its commit), so the
 * indexing lag (stored → searchable) can be read from the database (bench/search-bench.ts). Rows
 * that exist when this runs get the migration's time.
 */
export const addMessageIndexedAt1732000000403 = sqlMigration(
  'addMessageIndexedAt1732000000403',
  ['ALTER TABLE message ADD COLUMN indexed_at timestamptz NOT NULL DEFAULT clock_timestamp()'],
  ['ALTER TABLE message DROP COLUMN indexed_at'],
);

export const searchMigrations = [createSearchIndex1732000000401, addRecentMessageIndex1732000000402, addMessageIndexedAt1732000000403];
