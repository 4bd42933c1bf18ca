import type { MigrationClass } from '@relaydesk/db';

export const notificationMigrations: MigrationClass[] = [];
