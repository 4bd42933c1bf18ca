import { sqlMigration } from '@relaydesk/db';

export const createChannelRoutes1732000000001 = sqlMigration(
  'createChannelRoutes1732000000001',
  [
    `
      CREATE TABLE channel_route (
        channel_id uuid PRIMARY KEY,
        group_id uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
  ],
  [
    'DROP TABLE channel_route',
  ],
);

export const routingMigrations = [createChannelRoutes1732000000001];
