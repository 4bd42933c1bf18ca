export * from './infra';
export * from './wait';
export * from './services';
