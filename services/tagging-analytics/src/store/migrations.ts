import { sqlMigration } from '@relaydesk/db';

/**
 * The read model of D25: one row per tagged message and tag, with the facts counted and filtered
 * by as they were when tagged. `tag` holds each tag's name once, to name the series.
 * The aggregate walks `created_at` ranges through covering indexes (no heap reads once vacuumed):
 * one for every group, one per group and one per operator; the messages list walks one tag newest first.
 */
export const createTaggedMessages1732000000601 = sqlMigration(
  'createTaggedMessages1732000000601',
  [
    `
      CREATE TABLE tagged_message (
        message_id uuid NOT NULL,
        tag_id uuid NOT NULL,
        tag_name text NOT NULL,
        created_at timestamptz NOT NULL,
        tagged_at timestamptz NOT NULL,
        conversation_id uuid NOT NULL,
        client_name text NOT NULL,
        channel text NOT NULL,
        group_id uuid NOT NULL,
        assignee_id uuid,
        tagged_by uuid NOT NULL,
        direction text NOT NULL,
        kind text NOT NULL,
        text text,
        PRIMARY KEY (message_id, tag_id)
      )`,
    'CREATE INDEX tagged_message_time ON tagged_message (created_at) INCLUDE (tag_id, group_id, assignee_id, channel)',
    'CREATE INDEX tagged_message_group_time ON tagged_message (group_id, created_at) INCLUDE (tag_id, assignee_id, channel)',
    'CREATE INDEX tagged_message_operator_time ON tagged_message (assignee_id, created_at) INCLUDE (tag_id, group_id, channel)',
    'CREATE INDEX tagged_message_tag_time ON tagged_message (tag_id, created_at, message_id)',
    'CREATE TABLE tag (id uuid PRIMARY KEY, name text NOT NULL)',
  ],
  ['DROP TABLE tag', 'DROP TABLE tagged_message'],
);

export const analyticsMigrations = [createTaggedMessages1732000000601];
