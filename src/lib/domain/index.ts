// The domain's public surface: pure code shared by server and browser, importing only zod.
export * from './money';
export * from './money-schema';
export * from './epoch-ms';
export * from './ids';
export * from './model-id';
export * from './credentials';
export * from './user';
export * from './conversation';
export * from './message';
export * from './message-tree';
export * from './generation-state';
export * from './generation';
export * from './ledger-entry';
export * from './chat-input';
