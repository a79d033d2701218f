import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingUpstream {
	/** The target's base URL with this proxy's origin: point UPSTREAM_BASE_URL here. */
	url: string;
	/** The JSON bodies of the chat completion requests that passed, in order. */
	chatBodies: Record<string, unknown>[];
	close(): Promise<void>;
}

/**
 * An HTTP proxy in front of an upstream (the simulator) that keeps each chat request body, so a
 * test sees exactly what the server sent upstream. Responses stream through untouched.
 */
export async function startRecordingUpstream(target: string): Promise<RecordingUpstream> {
	const targetUrl = new URL(target);
	const chatBodies: Record<string, unknown>[] = [];
	const server: Server = createServer((req, res) => {
		const parts: Buffer[] = [];
		req.on('data', (part: Buffer) => parts.push(part));
		req.on('end', () => {
			const body = Buffer.concat(parts);
			if (req.url?.endsWith('/chat/completions')) chatBodies.push(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
			const upstream = request(
				{ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: targetUrl.host } },
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				}
			);
			upstream.on('error', () => res.destroy());
			res.on('close', () => upstream.destroy());
			upstream.end(body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}${targetUrl.pathname}`,
		chatBodies,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}
