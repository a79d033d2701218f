import { connect, createServer, type Server, type Socket } from 'node:net';

export type UpstreamMode = 'forward' | 'refuse' | 'hang';

export interface SwitchableUpstream {
	/** The target's URL with this proxy's port: point UPSTREAM_BASE_URL here. */
	url: string;
	setMode(mode: UpstreamMode): Promise<void>;
	close(): Promise<void>;
}

/**
 * A TCP stand-in for a provider that can be switched between working (`forward` to the target),
 * down (`refuse`: nothing listens on the port) and hanging (`hang`: connections are accepted and
 * never answered), on one fixed port, so a server under test keeps the same base URL throughout.
 */
export async function startSwitchableUpstream(target: string, mode: UpstreamMode = 'forward'): Promise<SwitchableUpstream> {
	const targetUrl = new URL(target);
	let current = mode;
	const sockets = new Set<Socket>();
	let server: Server | null = null;
	let port = 0;

	const listen = () =>
		new Promise<void>((resolve, reject) => {
			const s = createServer((socket) => {
				sockets.add(socket);
				socket.once('close', () => sockets.delete(socket));
				socket.on('error', () => socket.destroy());
				if (current !== 'forward') return;
				const upstream = connect(Number(targetUrl.port), targetUrl.hostname);
				upstream.on('error', () => socket.destroy());
				socket.once('close', () => upstream.destroy());
				upstream.once('close', () => socket.destroy());
				socket.pipe(upstream).pipe(socket);
			});
			s.once('error', reject);
			s.listen(port, '127.0.0.1', () => {
				port = (s.address() as { port: number }).port;
				server = s;
				resolve();
			});
		});
	const stop = async () => {
		const s = server;
		server = null;
		for (const socket of sockets) socket.destroy();
		if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
	};

	if (mode === 'refuse') {
		await listen();
		await stop();
	} else {
		await listen();
	}
	const url = new URL(target);
	url.port = String(port);
	return {
		url: url.toString().replace(/\/$/, ''),
		async setMode(next) {
			current = next;
			await stop();
			if (next !== 'refuse') await listen();
		},
		close: stop
	};
}
