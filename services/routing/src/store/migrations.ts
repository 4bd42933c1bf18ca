import type { MigrationInterface, QueryRunner } from 'typeorm';

export class createChannelRoutes1732000000001 implements MigrationInterface {
  name = 'createChannelRoutes1732000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE channel_route (
        channel_id uuid PRIMARY KEY,
        group_id uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE channel_route');
  }
}

export const routingMigrations = [createChannelRoutes1732000000001];
