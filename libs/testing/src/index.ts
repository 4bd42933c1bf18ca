export * from './infra';
export * from './wait';
export * from './services';
export * from './http-client';
export * from './workspace';
export * from './stream-client';
export * from './whatsapp-stand-in';
export * from './telegram-stand-in';
