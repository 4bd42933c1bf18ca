export * from './blob-store';
export * from './local-directory-blob-store';
export * from './config';
export * from './sniff';
export * from './send-blob';
export * from './attachment-type';
export * from './receive-upload';
