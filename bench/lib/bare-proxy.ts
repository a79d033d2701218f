import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The floor: a bare Node pass-through proxy, no parsing, no auth, no policies.
 * Whatever our server adds beyond this is our own cost.
 */
export async function startBareProxy(upstream: URL): Promise<{ url: string; close(): Promise<void>; server: Server }> {
	const server = createServer((req, res) => {
		const forward = request(
			{ host: upstream.hostname, port: upstream.port, method: req.method, path: upstream.pathname + (req.url ?? '').replace(/^\/api\/v1/, ''), headers: req.headers },
			(upstreamRes) => {
				res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
				upstreamRes.pipe(res);
			}
		);
		forward.on('error', () => res.destroy());
		req.pipe(forward);
		res.on('close', () => forward.destroy());
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as AddressInfo;
	return {
		server,
		url: `http://127.0.0.1:${port}/api/v1`,
		close: () =>
			new Promise<void>((r) => {
				server.closeAllConnections();
				server.close(() => r());
			})
	};
}
