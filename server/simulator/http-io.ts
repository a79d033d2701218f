import type { IncomingMessage, ServerResponse } from 'node:http';

/** Prompts of long conversations are big; anything past this is a client bug, not a prompt. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class BodyTooLargeError extends Error {
	override name = 'BodyTooLargeError';
}

export async function readBody(req: IncomingMessage): Promise<string> {
	const parts: Buffer[] = [];
	let size = 0;
	for await (const part of req as AsyncIterable<Buffer>) {
		size += part.length;
		if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`Request body exceeds ${MAX_BODY_BYTES} bytes`);
		parts.push(part);
	}
	return Buffer.concat(parts).toString('utf8');
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {}
): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json',
		'Content-Length': Buffer.byteLength(text),
		...headers
	});
	res.end(text);
}
