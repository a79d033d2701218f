// The sync protocol (push/pull, Replicache-style): shared by the server and every client.
export * from './limits';
export * from './rows';
export * from './mutations';
export * from './protocol';
