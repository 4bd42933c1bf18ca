export * from './errors';
export * from './config';
export * from './logger';
export * from './signed-token';
export * from './identity';
export * from './http-app';
export * from './shutdown';
export * from './cursor';
