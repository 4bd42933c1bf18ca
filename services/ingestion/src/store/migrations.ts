import { sqlMigration } from '@relaydesk/db';

export const createChannels1732000000020 = sqlMigration(
  'createChannels1732000000020',
  [
    `
      CREATE TABLE channel (
        id uuid PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('whatsapp', 'telegram', 'webchat', 'api')),
        name text NOT NULL,
        group_id uuid NOT NULL,
        settings jsonb NOT NULL,
        api_key_hash text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    `
      CREATE TABLE webchat_reply (
        message_id uuid PRIMARY KEY,
        channel_id uuid NOT NULL REFERENCES channel (id),
        visitor_id text NOT NULL,
        text text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    'CREATE INDEX webchat_reply_by_visitor ON webchat_reply (channel_id, visitor_id, created_at)',
  ],
  [
    'DROP TABLE webchat_reply, channel',
  ],
);

/** D15: an operator's file for the visitor's widget, as the outbound message carries it (storageKey, name, type, size). */
export const webchatReplyAttachments1732000000070 = sqlMigration(
  'webchatReplyAttachments1732000000070',
  ['ALTER TABLE webchat_reply ADD COLUMN attachment jsonb'],
  ['ALTER TABLE webchat_reply DROP COLUMN attachment'],
);

export const ingestionMigrations = [createChannels1732000000020, webchatReplyAttachments1732000000070];
