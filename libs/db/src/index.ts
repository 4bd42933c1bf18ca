export * from './data-source';
export * from './outbox';
export * from './inbox';
export * from './sql-migration';
export * from './prepared';
