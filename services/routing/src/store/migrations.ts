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

/** A client message is routed only on a channel of its own type (a connector may not speak for a WhatsApp channel); rows from before have none. */
export const channelRouteType1732000000002 = sqlMigration(
  'channelRouteType1732000000002',
  ['ALTER TABLE channel_route ADD COLUMN channel_type text'],
  ['ALTER TABLE channel_route DROP COLUMN channel_type'],
);

export const routingMigrations = [createChannelRoutes1732000000001, channelRouteType1732000000002];
