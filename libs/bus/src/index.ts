export * from './envelope';
export * from './topology';
export * from './bus';
export * from './consumer';
export * from './outbox-relay';
export * from './transactional-handler';
export * from './dlq';
export * from './inbox-retention';
