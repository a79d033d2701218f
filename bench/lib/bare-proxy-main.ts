import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBareProxy } from './bare-proxy';

/**
 * The floor proxy as a process of its own, as our server is: sharing the bench client's event
 * loop would make it both cheaper (no extra process to wake) and slower (queued behind the client).
 */
const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('UPSTREAM_URL is required');
const proxy = await startBareProxy(new URL(upstream));
// Memory and CPU readings on a port of their own, so the proxy's handler stays a bare pass-through.
const probe = createServer((_req, res) => {
	const { rss, heapUsed } = process.memoryUsage();
	const { user, system } = process.cpuUsage();
	res.setHeader('Content-Type', 'application/json');
	res.end(JSON.stringify({ rss, heapUsed, cpuSeconds: (user + system) / 1e6 }));
});
await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
console.log(`Bare proxy listening on ${proxy.url} memory at http://127.0.0.1:${(probe.address() as AddressInfo).port}/`);
process.once('SIGTERM', () => process.exit(0));
