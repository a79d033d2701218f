import type { IncomingMessage } from 'node:http';
import { OpenAiApiError } from './errors';

/**
 * Room for a long conversation with a few images inline (a phone photo is 3–6 MB as a base64
 * data: URL); anything bigger is a client bug, not a prompt.
 */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

const tooLarge = () =>
	new OpenAiApiError(413, 'invalid_request_error', `The request body is larger than ${MAX_BODY_BYTES} bytes.`, 'request_too_large');

/** Thrown when the caller hung up before sending the whole body: nobody is left to answer. */
export class ClientGoneError extends Error {
	override name = 'ClientGoneError';
}

/**
 * Reads and parses a JSON body of at most `limit` bytes. Past the limit it stops keeping data
 * but lets the rest drain (rather than destroying the socket), so the caller can still read
 * the 413: a client still uploading would otherwise see a reset instead of an answer.
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) {
		req.resume();
		throw tooLarge();
	}
	const raw = await new Promise<Buffer>((resolve, reject) => {
		const parts: Buffer[] = [];
		let size = 0;
		const onData = (part: Buffer) => {
			size += part.length;
			if (size <= limit) return void parts.push(part);
			cleanup();
			req.resume();
			reject(tooLarge());
		};
		const onEnd = () => {
			cleanup();
			resolve(Buffer.concat(parts, size));
		};
		const onClose = () => {
			cleanup();
			reject(new ClientGoneError('The client closed the connection before sending the whole body.'));
		};
		const cleanup = () => {
			req.off('data', onData);
			req.off('end', onEnd);
			req.off('error', onClose);
			req.off('close', onClose);
		};
		req.on('data', onData);
		req.on('end', onEnd);
		req.on('error', onClose);
		req.on('close', onClose);
	});
	try {
		return JSON.parse(raw.toString('utf8')) as unknown;
	} catch {
		throw new OpenAiApiError(400, 'invalid_request_error', 'The request body is not valid JSON.', 'invalid_json');
	}
}
