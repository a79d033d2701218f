/**
 * Speaks tRPC's HTTP wire format by hand (no batching, no transformer), with a cookie jar,
 * so tests see the real status codes and headers a browser would.
 */
export class TrpcHttp {
	cookies = new Map<string, string>();

	constructor(
		readonly baseUrl: string,
		private readonly headers: Record<string, string> = {}
	) {}

	async query(path: string, input?: unknown) {
		const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
		return this.#send(`${this.baseUrl}/trpc/${path}${qs}`, { method: 'GET' });
	}

	async mutation(path: string, input?: unknown, headers: Record<string, string> = {}) {
		return this.#send(`${this.baseUrl}/trpc/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: input === undefined ? undefined : JSON.stringify(input)
		});
	}

	async #send(url: string, init: RequestInit) {
		const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		const response = await fetch(url, {
			...init,
			headers: { ...this.headers, ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) }
		});
		for (const line of response.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const eq = pair?.indexOf('=') ?? -1;
			if (!pair || eq < 0) continue;
			const value = pair.slice(eq + 1);
			if (/max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
			else this.cookies.set(pair.slice(0, eq), value);
		}
		const text = await response.text();
		const json = text ? (JSON.parse(text) as TrpcEnvelope) : {};
		return { status: response.status, headers: response.headers, setCookie: response.headers.getSetCookie(), json };
	}
}

export interface TrpcEnvelope {
	result?: { data?: unknown };
	error?: { message: string; code: number; data?: { code?: string; httpStatus?: number; fieldErrors?: Record<string, string> | null } };
}
