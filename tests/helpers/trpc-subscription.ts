/** One server-sent event as tRPC frames it: `id:` is the tracked id, `data:` is JSON. */
export interface TrpcSseEvent {
	event: string | null;
	id: string | null;
	data: unknown;
}

/**
 * Opens a tRPC subscription over SSE the way httpSubscriptionLink does (GET, input in the URL),
 * and yields its events until the server ends the stream or `signal` aborts.
 */
export async function* subscribe(
	baseUrl: string,
	path: string,
	input: unknown,
	headers: Record<string, string>,
	signal?: AbortSignal
): AsyncGenerator<TrpcSseEvent> {
	const url = `${baseUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
	const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal });
	if (!res.ok || !res.body) throw new Error(`subscription ${path} answered ${res.status}: ${await res.text()}`);
	const decoder = new TextDecoder();
	let buffer = '';
	for await (const chunk of res.body) {
		buffer += decoder.decode(chunk as Uint8Array, { stream: true });
		let end: number;
		while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
			const block = buffer.slice(0, end);
			buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
			let event: string | null = null;
			let id: string | null = null;
			const data: string[] = [];
			for (const line of block.split(/\r?\n/)) {
				if (line.startsWith(':')) continue;
				const colon = line.indexOf(':');
				const field = colon === -1 ? line : line.slice(0, colon);
				const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
				if (field === 'event') event = value;
				else if (field === 'id') id = value;
				else if (field === 'data') data.push(value);
			}
			if (data.length === 0 && event === null) continue;
			const text = data.join('\n');
			if (event === 'serialized-error') throw new Error(`subscription ${path} failed: ${text}`);
			if (event === 'return') return;
			yield { event, id, data: text ? (JSON.parse(text) as unknown) : null };
		}
	}
}
