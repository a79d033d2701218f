import { startBareProxy } from './bare-proxy';

/**
 * The floor proxy as a process of its own, as our server is: sharing the bench client's event
 * loop would make it both cheaper (no extra process to wake) and slower (queued behind the client).
 */
const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('UPSTREAM_URL is required');
const proxy = await startBareProxy(new URL(upstream));
console.log(`Bare proxy listening on ${proxy.url}`);
process.once('SIGTERM', () => process.exit(0));
