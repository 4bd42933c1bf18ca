import type { MigrationClass } from '@relaydesk/db';

export const analyticsMigrations: MigrationClass[] = [];
