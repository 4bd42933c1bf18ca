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


/** Issue 5: operator messages handed to WhatsApp and Telegram, and statuses that beat the send's answer. */
export const outboundDeliveries1732000000100 = sqlMigration(
  'outboundDeliveries1732000000100',
  [
    `
      CREATE TABLE outbound_delivery (
        message_id uuid PRIMARY KEY,
        channel_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        attempts int NOT NULL,
        external_message_id text,
        last_error text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    'CREATE UNIQUE INDEX outbound_delivery_external ON outbound_delivery (channel_id, external_message_id) WHERE external_message_id IS NOT NULL',
    `
      CREATE TABLE early_delivery_status (
        channel_id uuid NOT NULL,
        external_message_id text NOT NULL,
        status text NOT NULL,
        report jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel_id, external_message_id, status)
      )`,
  ],
  ['DROP TABLE early_delivery_status, outbound_delivery'],
);

/**
 * The widget's history and resume point: the visitor's own messages (once they are on the bus) and
 * an order of the replies per visitor that a reconnecting widget resumes after.
 */
export const webchatHistory1732000000110 = sqlMigration(
  'webchatHistory1732000000110',
  [
    `
      CREATE TABLE webchat_visitor_message (
        id uuid PRIMARY KEY,
        channel_id uuid NOT NULL REFERENCES channel (id),
        visitor_id text NOT NULL,
        client_message_id text NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    'CREATE INDEX webchat_visitor_message_by_visitor ON webchat_visitor_message (channel_id, visitor_id, created_at, id)',
    'ALTER TABLE webchat_reply ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY',
    'CREATE INDEX webchat_reply_by_visitor_seq ON webchat_reply (channel_id, visitor_id, seq)',
  ],
  ['ALTER TABLE webchat_reply DROP COLUMN seq', 'DROP TABLE webchat_visitor_message'],
);

/** Issue 5: a super_admin switches a channel off without deleting it (webhooks then answer 403). */
export const channelEnabled1732000000120 = sqlMigration(
  'channelEnabled1732000000120',
  ['ALTER TABLE channel ADD COLUMN enabled boolean NOT NULL DEFAULT true'],
  ['ALTER TABLE channel DROP COLUMN enabled'],
);

/**
 * The visitor's own messages join the stream, in one order with the replies: a visitor's second tab
 * sees what the first one sent. Messages kept before take 0, as their tabs have them already.
 */
export const webchatVisitorMessageSeq1732000000130 = sqlMigration(
  'webchatVisitorMessageSeq1732000000130',
  [
    'ALTER TABLE webchat_visitor_message ADD COLUMN seq bigint NOT NULL DEFAULT 0',
    `DO $$ BEGIN
       EXECUTE format('ALTER TABLE webchat_visitor_message ALTER COLUMN seq SET DEFAULT nextval(%L::regclass)', pg_get_serial_sequence('webchat_reply', 'seq'));
     END $$`,
    'CREATE INDEX webchat_visitor_message_by_visitor_seq ON webchat_visitor_message (channel_id, visitor_id, seq)',
  ],
  ['ALTER TABLE webchat_visitor_message DROP COLUMN seq'],
);

/** D15: a visitor's file from the widget, kept as the inbound message carries it; its caption is optional. */
export const webchatVisitorFiles1732000000140 = sqlMigration(
  'webchatVisitorFiles1732000000140',
  [
    'ALTER TABLE webchat_visitor_message ADD COLUMN attachment jsonb, ALTER COLUMN text DROP NOT NULL',
    'ALTER TABLE webchat_visitor_message ADD CONSTRAINT webchat_visitor_message_has_content CHECK (text IS NOT NULL OR attachment IS NOT NULL)',
  ],
  [
    "UPDATE webchat_visitor_message SET text = attachment->>'fileName' WHERE text IS NULL",
    'ALTER TABLE webchat_visitor_message DROP CONSTRAINT webchat_visitor_message_has_content, DROP COLUMN attachment, ALTER COLUMN text SET NOT NULL',
  ],
);

export const ingestionMigrations = [
  createChannels1732000000020,
  webchatReplyAttachments1732000000070,
  outboundDeliveries1732000000100,
  webchatHistory1732000000110,
  channelEnabled1732000000120,
  webchatVisitorMessageSeq1732000000130,
  webchatVisitorFiles1732000000140,
];
