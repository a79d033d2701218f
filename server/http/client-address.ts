import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from. Behind a reverse proxy every request comes from the proxy,
 * which would make per-address limits global: with `TRUST_PROXY` set, the last address the proxy
 * appended to X-Forwarded-For is used instead (earlier entries are whatever the client claimed).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
	const socketAddress = req.socket.remoteAddress ?? 'unknown';
	if (!trustProxy) return socketAddress;
	const forwarded = req.headers['x-forwarded-for'];
	const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
	const last = list[list.length - 1]?.trim();
	return last || socketAddress;
}
