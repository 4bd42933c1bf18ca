export * from './keys';
export * from './live-state';
export * from './live-feed';
