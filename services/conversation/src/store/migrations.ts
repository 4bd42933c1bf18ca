import { sqlMigration } from '@relaydesk/db';

export const createConversations1732000000010 = sqlMigration(
  'createConversations1732000000010',
  [
    `
      CREATE TABLE client (
        id uuid PRIMARY KEY,
        channel text NOT NULL,
        channel_id uuid NOT NULL,
        external_id text NOT NULL,
        name text NOT NULL,
        original_name text NOT NULL,
        phone text,
        note text NOT NULL DEFAULT '',
        blacklisted boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel_id, external_id)
      )`,
    `
      CREATE TABLE conversation (
        id uuid PRIMARY KEY,
        client_id uuid NOT NULL UNIQUE REFERENCES client (id),
        status text NOT NULL CHECK (status IN ('unassigned', 'in_progress', 'closed')),
        assignee_id uuid,
        group_id uuid NOT NULL,
        status_changed_at timestamptz NOT NULL,
        closed_at timestamptz,
        last_message_at timestamptz NOT NULL,
        last_message_text text,
        last_message_direction text,
        unread_count integer NOT NULL DEFAULT 0,
        CHECK ((status = 'unassigned') = (assignee_id IS NULL))
      )`,
    `CREATE INDEX conversation_unassigned ON conversation (status_changed_at DESC, id DESC) WHERE status = 'unassigned'`,
    `CREATE INDEX conversation_mine ON conversation (assignee_id, last_message_at DESC, id DESC) WHERE status = 'in_progress'`,
    `CREATE INDEX conversation_closed ON conversation (assignee_id, closed_at DESC, id DESC) WHERE status = 'closed'`,
    `CREATE INDEX conversation_all ON conversation (last_message_at DESC, id DESC)`,
    `
      CREATE TABLE message (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES conversation (id),
        direction text NOT NULL CHECK (direction IN ('in', 'out')),
        kind text NOT NULL CHECK (kind IN ('text', 'file', 'note', 'event')),
        text text,
        channel_id uuid NOT NULL,
        external_message_id text,
        sender_operator_id uuid,
        idempotency_key text,
        created_at timestamptz NOT NULL,
        delivery_status text,
        delivery_error jsonb,
        delivery_at timestamptz
      )`,
    `CREATE INDEX message_history ON message (conversation_id, created_at DESC, id DESC)`,
    `CREATE UNIQUE INDEX message_external ON message (channel_id, external_message_id) WHERE external_message_id IS NOT NULL`,
    `CREATE UNIQUE INDEX message_idempotency ON message (sender_operator_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    `
      CREATE TABLE conversation_log (
        id bigserial PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES conversation (id),
        action text NOT NULL,
        actor_id uuid,
        from_state jsonb,
        to_state jsonb NOT NULL,
        at timestamptz NOT NULL
      )`,
    `CREATE INDEX conversation_log_by_conversation ON conversation_log (conversation_id, id)`,
    // The log is never edited (D12).
    `
      CREATE FUNCTION conversation_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'conversation_log is append-only'; END $$`,
    `
      CREATE TRIGGER conversation_log_append_only BEFORE UPDATE OR DELETE ON conversation_log
      FOR EACH ROW EXECUTE FUNCTION conversation_log_is_append_only()`,
  ],
  [
    'DROP TABLE conversation_log, message, conversation, client',
    'DROP FUNCTION conversation_log_is_append_only',
  ],
);

/** D16. The lookup matches a prefix of the title or of the text's start, so both are indexed for LIKE 'prefix%'. */
export const createCannedResponses1732000000030 = sqlMigration(
  'createCannedResponses1732000000030',
  [
    `
      CREATE TABLE canned_response (
        id uuid PRIMARY KEY,
        scope text NOT NULL CHECK (scope IN ('global', 'personal')),
        owner_id uuid NOT NULL,
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 100),
        text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4000),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    `CREATE INDEX canned_response_title_prefix ON canned_response (lower(title) text_pattern_ops)`,
    // A lookup prefix is at most 100 characters, and a whole text may be too long for a btree entry.
    `CREATE INDEX canned_response_text_prefix ON canned_response (lower(left(text, 100)) text_pattern_ops)`,
    `CREATE INDEX canned_response_by_title ON canned_response (lower(title), id)`,
  ],
  ['DROP TABLE canned_response'],
);

/** D27: how many messages a client wrote while blacklisted, for the unlock rule. */
export const countBlockedMessages1732000000040 = sqlMigration(
  'countBlockedMessages1732000000040',
  ['ALTER TABLE client ADD COLUMN blocked_messages integer NOT NULL DEFAULT 0'],
  ['ALTER TABLE client DROP COLUMN blocked_messages'],
);

/** D30: the operator a client is pinned to. */
export const pinClients1732000000050 = sqlMigration(
  'pinClients1732000000050',
  ['ALTER TABLE client ADD COLUMN pinned_operator_id uuid'],
  ['ALTER TABLE client DROP COLUMN pinned_operator_id'],
);

/** The live state in Redis keeps, per conversation, the newest of its `conversation.changed` events. */
export const versionConversations1732000000060 = sqlMigration(
  'versionConversations1732000000060',
  ['ALTER TABLE conversation ADD COLUMN version bigint NOT NULL DEFAULT 0'],
  ['ALTER TABLE conversation DROP COLUMN version'],
);

/** D15: the file of a message; bytes in the blob store (storage_key), or at a connector's URL. */
export const createAttachments1732000000070 = sqlMigration(
  'createAttachments1732000000070',
  [
    `
      CREATE TABLE attachment (
        id uuid PRIMARY KEY,
        message_id uuid NOT NULL UNIQUE REFERENCES message (id),
        conversation_id uuid NOT NULL REFERENCES conversation (id),
        storage_key text,
        external_url text,
        file_name text NOT NULL,
        mime_type text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        created_at timestamptz NOT NULL,
        CHECK (storage_key IS NOT NULL OR external_url IS NOT NULL)
      )`,
  ],
  ['DROP TABLE attachment'],
);

/**
 * D24 tags live beside the messages they mark: tagging checks the conversation and records the
 * assignee in the same transaction as its event (ADR 0012). D23 transcripts keep their status here,
 * so GET /transcripts/:id answers from the moment the POST did.
 */
export const createTagsAndTranscripts1732000000080 = sqlMigration(
  'createTagsAndTranscripts1732000000080',
  [
    `
      CREATE TABLE tag (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        name_key text NOT NULL UNIQUE,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL
      )`,
    `
      CREATE TABLE message_tag (
        message_id uuid NOT NULL REFERENCES message (id),
        tag_id uuid NOT NULL REFERENCES tag (id),
        tagged_by uuid NOT NULL,
        tagged_at timestamptz NOT NULL,
        PRIMARY KEY (message_id, tag_id)
      )`,
    `
      CREATE TABLE transcript (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES conversation (id),
        requested_by uuid NOT NULL,
        requested_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
        error text,
        finished_at timestamptz
      )`,
  ],
  ['DROP TABLE transcript', 'DROP TABLE message_tag', 'DROP TABLE tag'],
);

/** D23: a mail the server took for some recipients and refused for others says which it refused. */
export const recordRefusedRecipients1732000000090 = sqlMigration(
  'recordRefusedRecipients1732000000090',
  [`ALTER TABLE transcript ADD COLUMN refused_recipients text[] NOT NULL DEFAULT '{}'`],
  ['ALTER TABLE transcript DROP COLUMN refused_recipients'],
);

/** ADR 8: the gateway's sweep of unanswered uploads asks which blobs messages hold, by key. */
export const indexAttachmentKeys1732000000100 = sqlMigration(
  'indexAttachmentKeys1732000000100',
  ['CREATE INDEX attachment_storage_key ON attachment (storage_key) WHERE storage_key IS NOT NULL'],
  ['DROP INDEX attachment_storage_key'],
);

export const conversationMigrations = [
  createConversations1732000000010,
  createCannedResponses1732000000030,
  countBlockedMessages1732000000040,
  pinClients1732000000050,
  versionConversations1732000000060,
  createAttachments1732000000070,
  createTagsAndTranscripts1732000000080,
  recordRefusedRecipients1732000000090,
  indexAttachmentKeys1732000000100,
];
