import { connect, type Socket } from 'node:net';
import OpenAI, { APIError, AuthenticationError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, listApiTokens } from '../../server/auth/api-tokens';
import { createUser, findUserByUsername } from '../../server/auth/users';
import { startSimulator, type Simulator } from '../../server/simulator';
import { runAdmin } from '../helpers/admin-cli';
import { tempDir } from '../helpers/temp-dir';
import { startTestApp, type TestApp } from '../helpers/app';
import { dataOf, readSse } from '../helpers/sse';
import { waitFor } from '../helpers/wait-for';

const TOKEN_SHAPE = /^phk_[0-9a-f]{16}_[\w-]{43}$/;


const admin = (databasePath: string, args: string[]) => runAdmin(databasePath, args);

interface ErrorBody {
	error: { message: string; type: string; param: string | null; code: string | null };
}

const userSays = (content: string) => [{ role: 'user' as const, content }];

/** One raw HTTP/1.1 socket: what the server sent, and whether it has closed its side. */
function rawSocket(url: string): { socket: Socket; text: () => string; closed: () => boolean } {
	const { hostname, port } = new URL(url);
	const socket = connect(Number(port), hostname);
	socket.setEncoding('utf8');
	let text = '';
	let closed = false;
	socket.on('data', (chunk: string) => (text += chunk));
	socket.on('end', () => (closed = true));
	socket.on('close', () => (closed = true));
	socket.on('error', () => (closed = true));
	return { socket, text: () => text, closed: () => closed };
}

function rawPost(socket: Socket, token: string, body: unknown, connection: 'close' | 'keep-alive'): void {
	const json = JSON.stringify(body);
	socket.write(
		[
			'POST /v1/chat/completions HTTP/1.1',
			'Host: 127.0.0.1',
			`Authorization: Bearer ${token}`,
			'Content-Type: application/json',
			`Content-Length: ${Buffer.byteLength(json)}`,
			`Connection: ${connection}`,
			'',
			json
		].join('\r\n')
	);
}

describe('OpenAI-compatible API (/v1)', () => {
	let sim: Simulator;
	let app: TestApp;
	let token: string;
	let openai: OpenAI;

	beforeAll(async () => {
		// A standalone simulator, so the tests can read its stats (aborts, open completions).
		sim = await startSimulator();
		app = await startTestApp({ UPSTREAM_BASE_URL: sim.url, BREAKER_THRESHOLD: '1000', UPSTREAM_RETRY_BASE_DELAY_MS: '20' });
		await createUser(app.services.db, { username: 'ada', password: 'long password', isAdmin: false });
		const created = await admin(`${app.dir}/phosphor.db`, ['token', 'create', 'ada']);
		expect(created.status).toBe(0);
		token = created.stdout.trim();
		// The SDK retries 429/5xx by itself; these tests want to see each answer once.
		openai = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: token, maxRetries: 0, timeout: 15_000 });
	});
	afterAll(async () => {
		await app?.stop();
		await sim?.close();
	});

	const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }, init: RequestInit = {}) =>
		fetch(`${app.url}/v1/chat/completions`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: typeof body === 'string' ? body : JSON.stringify(body),
			...init
		});

	describe('admin CLI', () => {
		it('`token create` prints exactly one line: the token', async () => {
			const result = await admin(`${app.dir}/phosphor.db`, ['token', 'create', 'ada']);
			expect(result.status).toBe(0);
			expect(result.stdout).toMatch(/^phk_[0-9a-f]{16}_[\w-]{43}\n$/);
			expect(token).toMatch(TOKEN_SHAPE);
		}, 20_000);

		it('`token create` for an unknown user exits 1 with a message and prints nothing on stdout', async () => {
			const result = await admin(`${app.dir}/phosphor.db`, ['token', 'create', 'nobody']);
			expect(result.status).toBe(1);
			expect(result.stdout).toBe('');
			expect(result.stderr).toMatch(/No user named "nobody"/);
		}, 20_000);

		it('`token list` shows ids, dates and last use; `token revoke` takes a token or an id', async () => {
			const path = `${app.dir}/phosphor.db`;
			await openai.models.list(); // marks the main token as used
			const { id: spareId, token: spare } = createApiToken(app.services.db, findUserByUsername(app.services.db, 'ada')?.id ?? '');
			const mainId = token.split('_')[1] as string;

			const table = await admin(path, ['token', 'list', 'ada']);
			expect(table.status).toBe(0);
			expect(table.stdout).toMatch(/^ID\s+CREATED\s+LAST USED\s+REVOKED\n/);
			expect(table.stdout).toMatch(new RegExp(`^${mainId}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\s+-$`, 'm'));
			expect(table.stdout).not.toContain(spare.split('_').slice(2).join('_'));

			expect((await admin(path, ['token', 'revoke', spareId])).status).toBe(0);
			const again = await admin(path, ['token', 'revoke', spare]);
			expect(again.status).toBe(0);
			expect(again.stderr).toMatch(/already revoked/);
			const unknown = await admin(path, ['token', 'revoke', 'phk_0123456789abcdef_' + 'x'.repeat(43)]);
			expect(unknown.status).toBe(1);
			expect(unknown.stderr).toMatch(/No such API token/);

			const json = await admin(path, ['token', 'list', 'ada', '--json']);
			const listed = JSON.parse(json.stdout) as Array<{ id: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }>;
			expect(listed.find((t) => t.id === spareId)?.revokedAt).toEqual(expect.any(String));
			expect(listed.find((t) => t.id === mainId)).toMatchObject({ revokedAt: null, lastUsedAt: expect.any(String) });

			const revoked = await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${spare}` } });
			expect(revoked.status).toBe(401);
		}, 45_000);
	});

	describe('with the official openai client', () => {
		it('lists models in OpenAI shape', async () => {
			const page = await openai.models.list();
			expect(page.data.map((m) => m.id)).toContain('sim/echo-mini');
			expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'sim', created: expect.any(Number) });
			const raw = (await (await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).json()) as { object: string };
			expect(raw.object).toBe('list');
		}, 10_000);

		it('streams the same text a non-streaming call returns, with usage when asked', async () => {
			const prompt = 'Tell me about ledgers [[sim:len=600]]';
			const whole = await openai.chat.completions.create({ model: 'sim/echo-mini', messages: userSays(prompt) });
			expect(whole.object).toBe('chat.completion');
			expect(whole.id).toMatch(/^gen-/);
			expect(whole.model).toBe('sim/echo-mini');
			expect(whole.choices[0]?.message).toMatchObject({ role: 'assistant' });
			expect(whole.choices[0]?.finish_reason).toBe('stop');
			const text = whole.choices[0]?.message.content ?? '';
			expect(text).toHaveLength(600);
			expect(whole.usage?.total_tokens).toBe((whole.usage?.prompt_tokens ?? 0) + (whole.usage?.completion_tokens ?? 0));
			expect((whole.usage as { cost?: number } | undefined)?.cost).toBeGreaterThan(0);

			const stream = await openai.chat.completions.create({
				model: 'sim/echo-mini',
				messages: userSays(prompt),
				stream: true,
				stream_options: { include_usage: true }
			});
			const chunks = [];
			for await (const chunk of stream) chunks.push(chunk);
			expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
			expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'sim/echo-mini')).toBe(true);
			expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(text);
			const withChoices = chunks.filter((c) => c.choices.length > 0);
			expect(withChoices.at(-1)?.choices[0]?.finish_reason).toBe('stop');
			const usage = chunks.at(-1);
			expect(usage?.choices).toEqual([]);
			expect(usage?.usage).toMatchObject({ completion_tokens: whole.usage?.completion_tokens, prompt_tokens: whole.usage?.prompt_tokens });
		}, 15_000);

		it('sends no usage chunk unless asked, and ends with [DONE]', async () => {
			const res = await post({ model: 'sim/echo-mini', messages: userSays('short [[sim:len=40]]'), stream: true });
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
			const data = dataOf((await readSse(res, { idleMs: 5_000 })).events);
			expect(data.at(-1)).toBe('[DONE]');
			const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { choices: unknown[]; usage?: unknown });
			expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
		}, 10_000);

		it('accepts content as an array of text parts', async () => {
			const reply = await openai.chat.completions.create({
				model: 'sim/echo-mini',
				max_completion_tokens: 50,
				temperature: 0.2,
				messages: [
					{ role: 'system', content: 'Be brief.' },
					{ role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: 'there [[sim:len=30]]' }] }
				]
			});
			expect(reply.choices[0]?.message.content).toHaveLength(30);
		}, 10_000);

		it('tries the `models` fallbacks (OpenRouter style) and names the model that answered', async () => {
			const key = `fallback-${Date.now()}`;
			// The first model fails all three attempts (one try + two retries); the fallback is clean.
			const res = await post({
				model: 'sim/sonnet-like',
				models: ['sim/echo-mini'],
				messages: userSays(`fall back [[sim:status=503 fail-times=3 key=${key} len=20]]`)
			});
			expect(res.status).toBe(200);
			expect(((await res.json()) as { model: string }).model).toBe('sim/echo-mini');
		}, 15_000);
	});

	describe('connections', () => {
		it('a stream asked with `Connection: close` closes the socket when it ends', async () => {
			const raw = rawSocket(app.url);
			try {
				rawPost(raw.socket, token, { model: 'sim/echo-mini', messages: userSays('bye [[sim:len=40]]'), stream: true }, 'close');
				await waitFor(() => raw.text().includes('data: [DONE]') || raw.closed(), 10_000, 'the whole stream');
				expect(raw.text()).toMatch(/^HTTP\/1\.1 200 /);
				expect(raw.text()).toMatch(/\r\nconnection: close\r\n/i);
				expect(raw.text()).toContain('data: [DONE]');
				await waitFor(raw.closed, 2_000, 'the server to close the socket');
			} finally {
				raw.socket.destroy();
			}
		}, 15_000);

		it('a non-streaming reply asked with `Connection: close` closes the socket too', async () => {
			const raw = rawSocket(app.url);
			try {
				rawPost(raw.socket, token, { model: 'sim/echo-mini', messages: userSays('bye [[sim:len=40]]') }, 'close');
				await waitFor(() => raw.text().includes('"chat.completion"') || raw.closed(), 10_000, 'the reply');
				expect(raw.text()).toMatch(/^HTTP\/1\.1 200 /);
				expect(raw.text()).toMatch(/\r\nconnection: close\r\n/i);
				await waitFor(raw.closed, 2_000, 'the server to close the socket');
			} finally {
				raw.socket.destroy();
			}
		}, 15_000);

		it('a keep-alive stream leaves the socket open for the next request', async () => {
			const raw = rawSocket(app.url);
			try {
				rawPost(raw.socket, token, { model: 'sim/echo-mini', messages: userSays('again [[sim:len=40]]'), stream: true }, 'keep-alive');
				// The last chunk of a chunked body: the response is complete.
				await waitFor(() => raw.text().includes('data: [DONE]\n\n\r\n0\r\n\r\n') || raw.closed(), 10_000, 'the whole stream');
				expect(raw.text()).toMatch(/\r\nconnection: keep-alive\r\n/i);
				const first = raw.text().length;
				rawPost(raw.socket, token, { model: 'sim/echo-mini', messages: userSays('more [[sim:len=10]]') }, 'keep-alive');
				await waitFor(() => raw.text().slice(first).includes('"chat.completion"') || raw.closed(), 10_000, 'the second reply');
				expect(raw.text().slice(first)).toMatch(/^HTTP\/1\.1 200 /);
				expect(raw.closed()).toBe(false);
			} finally {
				raw.socket.destroy();
			}
		}, 15_000);
	});

	describe('auth and request errors', () => {
		const expectError = async (res: Response, status: number, shape: Partial<ErrorBody['error']>) => {
			expect(res.status).toBe(status);
			expect(res.headers.get('content-type')).toMatch(/^application\/json/);
			const body = (await res.json()) as ErrorBody;
			expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
			expect(body.error).toMatchObject(shape);
			expect(body.error.message.length).toBeGreaterThan(5);
			return body.error;
		};

		it('401 without a token, with a bad one, with a tampered one, and with a cookie only', async () => {
			const auth401 = { type: 'authentication_error', code: 'invalid_api_key', param: null };
			await expectError(await fetch(`${app.url}/v1/models`), 401, auth401);
			await expectError(await fetch(`${app.url}/v1/models`, { headers: { authorization: 'Bearer nope' } }), 401, auth401);
			const [, id, secret] = /^phk_([0-9a-f]{16})_(.+)$/.exec(token) ?? [];
			const otherId = id === '0123456789abcdef' ? 'fedcba9876543210' : '0123456789abcdef';
			await expectError(await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer phk_${otherId}_${secret}` } }), 401, auth401);
			await expectError(await post({ model: 'sim/echo-mini', messages: userSays('hi') }, { cookie: `phosphor_session=${secret}` }), 401, auth401);
			const sdk = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'phk_0000000000000000_' + 'a'.repeat(43), maxRetries: 0 });
			await expect(sdk.models.list()).rejects.toBeInstanceOf(AuthenticationError);
		}, 10_000);

		it('401 for a revoked token, checked on the next request', async () => {
			const user = findUserByUsername(app.services.db, 'ada');
			const fresh = createApiToken(app.services.db, user?.id ?? '');
			expect((await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${fresh.token}` } })).status).toBe(200);
			const result = await admin(`${app.dir}/phosphor.db`, ['token', 'revoke', fresh.token]);
			expect(result.status).toBe(0);
			await expectError(await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${fresh.token}` } }), 401, {
				type: 'authentication_error'
			});
			expect(listApiTokens(app.services.db, user?.id ?? '').find((t) => t.id === fresh.id)?.revokedAt).toEqual(expect.any(Number));
		}, 20_000);

		it('400 names the bad field', async () => {
			const bad = { type: 'invalid_request_error' };
			let e = await expectError(await post({ model: 'sim/echo-mini' }), 400, { ...bad, param: 'messages' });
			expect(e.message).toMatch(/^messages: /);
			await expectError(await post({ model: 42, messages: userSays('hi') }), 400, { ...bad, param: 'model' });
			await expectError(await post({ model: 'sim/echo-mini', messages: [{ role: 'robot', content: 'x' }] }), 400, { ...bad, param: 'messages.0.role' });
			await expectError(await post({ model: 'sim/echo-mini', messages: [{ role: 'tool', content: 'x' }] }), 400, { ...bad, param: 'messages.0.tool_call_id' });
			e = await expectError(
				await post({ model: 'sim/echo-mini', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://intranet/x.png' } }] }] }),
				400,
				{ ...bad, param: 'messages.0.content.0.image_url.url' }
			);
			expect(e.message).toMatch(/https:\/\/ URL or a data:image/);
			await expectError(await post({ model: 'sim/echo-mini', messages: userSays('hi'), temperature: 7 }), 400, { ...bad, param: 'temperature' });
			await expectError(await post({ model: 'sim/echo-mini', messages: userSays('hi'), max_tokens: -1 }), 400, { ...bad, param: 'max_tokens' });
			await expectError(await post('{"model": '), 400, { ...bad, code: 'invalid_json' });
			const sdkError = await openai.chat.completions.create({ model: '', messages: userSays('hi') }).catch((error: unknown) => error);
			expect(sdkError).toBeInstanceOf(APIError);
			expect((sdkError as APIError).status).toBe(400);
			expect((sdkError as APIError).param).toBe('model');
		}, 10_000);

		it('413 for a body over 20 MB, and the connection still serves the next request', async () => {
			const huge = JSON.stringify({ model: 'sim/echo-mini', messages: userSays('x'.repeat(21 * 1024 * 1024)) });
			await expectError(await post(huge), 413, { type: 'invalid_request_error', code: 'request_too_large' });
			// Chunked, so no Content-Length warns the server: it must count as it reads.
			const megabyte = new TextEncoder().encode('x'.repeat(1024 * 1024));
			let sent = 0;
			const body = new ReadableStream<Uint8Array>({
				pull(controller) {
					if (sent++ < 21) controller.enqueue(megabyte);
					else controller.close();
				}
			});
			const chunked = await post('', undefined, { body, duplex: 'half' } as RequestInit);
			await expectError(chunked, 413, { code: 'request_too_large' });
			expect((await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
		}, 15_000);

		it('404 for an unknown path, 405 for a wrong method', async () => {
			const headers = { authorization: `Bearer ${token}` };
			await expectError(await fetch(`${app.url}/v1/embeddings`, { method: 'POST', headers, body: '{}' }), 404, { code: 'unknown_url' });
			await expectError(await fetch(`${app.url}/v1`, { headers }), 404, { type: 'invalid_request_error' });
			const wrong = await fetch(`${app.url}/v1/chat/completions`, { headers });
			expect(wrong.headers.get('allow')).toBe('POST');
			await expectError(wrong, 405, { code: 'method_not_allowed' });
		}, 10_000);
	});

	describe('upstream failures', () => {
		const expectStatus = async (res: Response, status: number, type: string) => {
			expect(res.status).toBe(status);
			expect(res.headers.get('content-type')).toMatch(/^application\/json/);
			const body = (await res.json()) as ErrorBody;
			expect(body.error.type).toBe(type);
			return { body, headers: res.headers };
		};

		it('a 503 upstream, after the retries, is a 502 upstream_error', async () => {
			const res = await post({ model: 'sim/echo-mini', messages: userSays('down [[sim:status=503]]') });
			const { body } = await expectStatus(res, 502, 'upstream_error');
			expect(body.error.message).toMatch(/503/);
		}, 15_000);

		it('402 from the provider is a 402, also for a stream that has not started (no 200 stream)', async () => {
			await expectStatus(await post({ model: 'sim/echo-mini', messages: userSays('broke [[sim:status=402]]') }), 402, 'insufficient_quota');
			await expectStatus(await post({ model: 'sim/echo-mini', messages: userSays('broke [[sim:status=402]]'), stream: true }), 402, 'insufficient_quota');
		}, 15_000);

		it('429 after the retries, with Retry-After passed on', async () => {
			const res = await post({ model: 'sim/echo-mini', messages: userSays('busy [[sim:status=429]] [[sim:retry-after=0]]') });
			const { headers } = await expectStatus(res, 429, 'rate_limit_error');
			expect(headers.get('retry-after')).toBe('0');
			const viaSdk = await openai.chat.completions.create({ model: 'sim/echo-mini', messages: userSays('busy [[sim:status=429 retry-after=0]]') }).catch((e: unknown) => e);
			expect((viaSdk as APIError).status).toBe(429);
		}, 15_000);

		it('a mid-stream failure sends some deltas, then an error event, and no [DONE]', async () => {
			const res = await post({ model: 'sim/echo-mini', messages: userSays('cut [[sim:reset-after=3 len=400]]'), stream: true });
			expect(res.status).toBe(200);
			const data = dataOf((await readSse(res, { idleMs: 5_000 })).events);
			expect(data).not.toContain('[DONE]');
			const last = JSON.parse(data.at(-1) ?? '{}') as Partial<ErrorBody>;
			expect(last.error).toMatchObject({ type: 'upstream_error', code: 'upstream_error' });
			const deltas = data.slice(0, -1).map((d) => JSON.parse(d) as { choices: Array<{ delta: { content?: string } }> });
			expect(deltas.filter((c) => c.choices[0]?.delta.content).length).toBe(3);

			// The SDK turns the in-band error into an exception after the deltas.
			const seen: string[] = [];
			const stream = await openai.chat.completions.create({ model: 'sim/echo-mini', messages: userSays('cut [[sim:reset-after=3 len=400]]'), stream: true });
			const failure = await (async () => {
				for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
			})().catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(APIError);
			expect(seen.join('').length).toBeGreaterThan(0);
		}, 15_000);

		it('a client that hangs up mid-stream makes the server abort the upstream, and the server stays healthy', async () => {
			const abortedBefore = sim.stats.abortedByClient;
			const controller = new AbortController();
			const stream = await openai.chat.completions.create(
				{ model: 'sim/echo-mini', messages: userSays('slow [[sim:trickle=20 len=2000]]'), stream: true },
				{ signal: controller.signal }
			);
			let text = '';
			// The SDK ends an aborted stream quietly (or with an abort error, depending on timing).
			await (async () => {
				for await (const chunk of stream) {
					text += chunk.choices[0]?.delta.content ?? '';
					if (text.length >= 3) controller.abort();
				}
			})().catch(() => {});
			expect(text.length).toBeLessThan(100);
			await waitFor(() => sim.stats.abortedByClient > abortedBefore, 3_000, 'the simulator to see the abort');
			await waitFor(() => sim.stats.activeCompletions === 0, 3_000, 'no completion left running upstream');
			const next = await openai.chat.completions.create({ model: 'sim/echo-mini', messages: userSays('still there? [[sim:len=10]]') });
			expect(next.choices[0]?.message.content).toHaveLength(10);
		}, 15_000);

		it('a non-streaming caller that hangs up also ends the upstream request', async () => {
			const abortedBefore = sim.stats.abortedByClient;
			const controller = new AbortController();
			const pending = post({ model: 'sim/echo-mini', messages: userSays('slow whole [[sim:trickle=20 len=2000]]') }, undefined, {
				signal: controller.signal
			}).catch((error: unknown) => error);
			await waitFor(() => sim.stats.activeCompletions > 0, 3_000, 'the upstream request to start');
			controller.abort();
			expect(await pending).toBeInstanceOf(Error);
			await waitFor(() => sim.stats.abortedByClient > abortedBefore, 3_000, 'the simulator to see the abort');
		}, 15_000);
	});

	describe('with other server settings', () => {
		it('504 when the first token does not come in time', async () => {
			const slow = await startTestApp({ UPSTREAM_BASE_URL: sim.url, UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '300' });
			try {
				const user = await createUser(slow.services.db, { username: 'bob', password: 'long password', isAdmin: false });
				const { token: bobToken } = createApiToken(slow.services.db, user.id);
				const started = Date.now();
				for (const stream of [false, true]) {
					const res = await fetch(`${slow.url}/v1/chat/completions`, {
						method: 'POST',
						headers: { authorization: `Bearer ${bobToken}`, 'content-type': 'application/json' },
						body: JSON.stringify({ model: 'sim/echo-mini', messages: userSays('wait [[sim:hang]]'), stream })
					});
					expect(res.status).toBe(504);
					expect(((await res.json()) as ErrorBody).error).toMatchObject({ type: 'timeout_error', code: 'upstream_timeout' });
				}
				expect(Date.now() - started).toBeLessThan(5_000);
			} finally {
				await slow.stop();
			}
		}, 20_000);

		it('shutdown ends an open /v1 stream at once with an error event instead of waiting for it', async () => {
			const other = await startTestApp({ UPSTREAM_BASE_URL: sim.url });
			const user = await createUser(other.services.db, { username: 'dee', password: 'long password', isAdmin: false });
			const { token: deeToken } = createApiToken(other.services.db, user.id);
			const res = await fetch(`${other.url}/v1/chat/completions`, {
				method: 'POST',
				headers: { authorization: `Bearer ${deeToken}`, 'content-type': 'application/json' },
				body: JSON.stringify({ model: 'sim/echo-mini', messages: userSays('long [[sim:trickle=50 len=5000]]'), stream: true })
			});
			expect(res.status).toBe(200);
			let stopping: Promise<void> | null = null;
			const started = Date.now();
			const capture = await readSse(res, {
				idleMs: 5_000,
				until: () => {
					stopping ??= other.stop();
					return false;
				}
			});
			await stopping;
			expect(Date.now() - started).toBeLessThan(2_000);
			const last = JSON.parse(dataOf(capture.events).at(-1) ?? '{}') as Partial<ErrorBody>;
			expect(last.error).toMatchObject({ code: 'shutting_down' });
		}, 15_000);

		it('models: the stored catalog still serves when the upstream is down at boot; unknown models are refused', async () => {
			const dir = tempDir();
			const path = `${dir.path}/catalog.db`;
			const sim = await startSimulator();
			const online = await startTestApp({ UPSTREAM_BASE_URL: sim.url, DATABASE_PATH: path });
			await online.services.metering.catalog.loaded();
			const listed = online.services.metering.catalog.list().map((m) => m.id);
			await online.stop();
			await sim.close();
			const offline = await startTestApp({ UPSTREAM_BASE_URL: sim.url, DATABASE_PATH: path });
			try {
				const user = await createUser(offline.services.db, { username: 'cy', password: 'long password', isAdmin: false });
				const { token: cyToken } = createApiToken(offline.services.db, user.id);
				const res = await fetch(`${offline.url}/v1/models`, { headers: { authorization: `Bearer ${cyToken}` } });
				expect(res.status).toBe(200);
				const body = (await res.json()) as { data: Array<{ id: string; pricing: { prompt: string } }> };
				expect(body.data.map((m) => m.id)).toEqual(listed);
				expect(body.data.find((m) => m.id === 'sim/tiny-price')?.pricing.prompt).toBe('0.0000000375');
				await waitFor(() => /serving the stored catalog/.test(offline.logs.join('\n')), 5_000, 'the failed refresh in the log');
				expect(offline.services.metering.catalog.state).toBe('stored');

				const unknown = await fetch(`${offline.url}/v1/chat/completions`, {
					method: 'POST',
					headers: { authorization: `Bearer ${cyToken}`, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'sim/not-a-model', messages: [{ role: 'user', content: 'hi' }] })
				});
				expect(unknown.status).toBe(400);
				const error = ((await unknown.json()) as ErrorBody).error;
				expect(error).toMatchObject({ code: 'model_not_found', param: 'model' });
				expect(error.message).toMatch(/not in the catalog/);
			} finally {
				await offline.stop();
				dir.cleanup();
			}
		}, 30_000);
	});
});
