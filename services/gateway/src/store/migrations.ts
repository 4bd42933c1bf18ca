import { sqlMigration } from '@relaydesk/db';

export const createIdentity1732000000100 = sqlMigration(
  'createIdentity1732000000100',
  [
    `
      CREATE TABLE operators (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        email text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('super_admin', 'operator')),
        permissions text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    'CREATE UNIQUE INDEX operators_email_key ON operators (lower(email))',
    `
      CREATE TABLE groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    'CREATE UNIQUE INDEX groups_name_key ON groups (lower(name))',
    `
      CREATE TABLE operator_groups (
        operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        PRIMARY KEY (operator_id, group_id)
      )`,
    'CREATE INDEX operator_groups_group_id ON operator_groups (group_id)',
  ],
  [
    'DROP TABLE operator_groups',
    'DROP TABLE groups',
    'DROP TABLE operators',
  ],
);

/** Access tokens issued before a password change are refused. */
export const revokeTokensOnPasswordChange1732000000110 = sqlMigration(
  'revokeTokensOnPasswordChange1732000000110',
  ['ALTER TABLE operators ADD COLUMN tokens_valid_after timestamptz'],
  ['ALTER TABLE operators DROP COLUMN tokens_valid_after'],
);

/** ADR 8: uploads whose send has not answered yet, for the sweep of those that never will. */
export const trackPendingUploads1732000000120 = sqlMigration(
  'trackPendingUploads1732000000120',
  ['CREATE TABLE pending_upload (storage_key text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())', 'CREATE INDEX pending_upload_created_at ON pending_upload (created_at)'],
  ['DROP TABLE pending_upload'],
);

/** An operator who left: he can no longer log in, and nobody can assign him conversations. */
export const deactivateOperators1732000000130 = sqlMigration(
  'deactivateOperators1732000000130',
  ['ALTER TABLE operators ADD COLUMN deactivated_at timestamptz'],
  ['ALTER TABLE operators DROP COLUMN deactivated_at'],
);

/** Access tokens logged out before they expire; a row is useless once its token has expired. */
export const revokeTokensOnLogout1732000000140 = sqlMigration(
  'revokeTokensOnLogout1732000000140',
  [
    `
      CREATE TABLE revoked_tokens (
        token_id uuid PRIMARY KEY,
        operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL
      )`,
    'CREATE INDEX revoked_tokens_operator_id ON revoked_tokens (operator_id)',
    'CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at)',
  ],
  ['DROP TABLE revoked_tokens'],
);

export const gatewayMigrations = [
  createIdentity1732000000100,
  revokeTokensOnPasswordChange1732000000110,
  trackPendingUploads1732000000120,
  deactivateOperators1732000000130,
  revokeTokensOnLogout1732000000140,
];
