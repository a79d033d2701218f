import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUsdExact, nanoUsd, parseUsd } from '../../src/lib/domain/money';
import { createApiToken } from '../../server/auth/api-tokens';
import { createUser } from '../../server/auth/users';
import { generations, ledgerEntries } from '../../server/db/schema';
import { priceCall } from '../../server/ledger/admission';
import { setBudget } from '../../server/ledger/budgets';
import { startSimulator, type Simulator } from '../../server/simulator';
import { setupCodeFrom, startTestApp, type TestApp } from '../helpers/app';
import { until } from '../helpers/orchestrator-rig';
import { TrpcHttp } from '../helpers/trpc-http';
import { subscribe } from '../helpers/trpc-subscription';

/** The ledger end to end: a real server, a real simulator whose billing we can read. */
describe('cost ledger through the server', () => {
	let sim: Simulator;
	let app: TestApp;
	let admin: TrpcHttp;

	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
		app = await startTestApp({ UPSTREAM_BASE_URL: sim.url, BREAKER_THRESHOLD: '1000' });
		admin = new TrpcHttp(app.url);
		await admin.mutation('auth.setup', { setupCode: setupCodeFrom(app.logs), username: 'root', password: 'long password' });
	});
	afterAll(async () => {
		await app.stop();
		await sim.close();
	});

	const entriesOf = (generationId: string) =>
		app.services.db.select().from(ledgerEntries).where(eq(ledgerEntries.generationId, generationId)).orderBy(ledgerEntries.id).all();
	const chargeOf = (generationId: string) =>
		app.services.db
			.select()
			.from(ledgerEntries)
			.where(and(eq(ledgerEntries.generationId, generationId), eq(ledgerEntries.kind, 'charge')))
			.get();

	async function newUser(name: string) {
		const user = await createUser(app.services.db, { username: name, password: 'long password', isAdmin: false });
		const { token } = createApiToken(app.services.db, user.id);
		return { user, token };
	}

	function chat(token: string, content: string, extra: Record<string, unknown> = {}, signal?: AbortSignal) {
		return fetch(`${app.url}/v1/chat/completions`, {
			method: 'POST',
			signal,
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'sim/gpt-like', messages: [{ role: 'user', content }], ...extra })
		});
	}

	it('settles a reply from the provider-reported cost, exactly what the simulator billed', async () => {
		const { token } = await newUser('payer');
		const res = await chat(token, 'Price me [[sim:len=500]]');
		expect(res.status).toBe(200);
		const upstreamId = ((await res.json()) as { id: string }).id;
		const record = sim.stats.generations.get(upstreamId);
		expect(record).toBeDefined();
		// The provider id and the settlement are written with the next batch, not before the reply.
		const rowOf = () => app.services.db.select().from(generations).where(eq(generations.upstreamId, upstreamId)).get();
		await until(() => chargeOf(rowOf()?.id ?? '') !== undefined);
		const row = rowOf();
		const charge = chargeOf(row?.id as string);
		expect(charge).toMatchObject({ source: 'provider', model: 'sim/gpt-like', amountNanoUsd: parseUsd(record?.cost ?? -1) });
		expect(entriesOf(row?.id as string).map((e) => e.kind)).toEqual(['reservation', 'release', 'charge']);
	});

	it('race: a budget that admits 10 requests, 200 fired at once: at most 10 admitted, the limit never passed', async () => {
		const { user, token } = await newUser('racer');
		const content = 'Race [[sim:len=200 delay=10]]';
		const priced = priceCall(app.services.metering.catalog, ['sim/gpt-like'], [{ role: 'user', content }], 50);
		const limit = nanoUsd(priced.worstCaseNanoUsd * 10 + Math.floor(priced.worstCaseNanoUsd / 2));
		setBudget(app.services.db, { scope: 'user', name: 'racer', limitUsd: formatUsdExact(limit), period: 'day' });
		const statuses = await Promise.all(
			Array.from({ length: 200 }, async () => {
				const res = await chat(token, content, { max_tokens: 50 });
				await res.text();
				return res.status;
			})
		);
		const admitted = statuses.filter((s) => s === 200).length;
		expect(admitted).toBeLessThanOrEqual(10);
		expect(admitted).toBeGreaterThan(0);
		expect(statuses.filter((s) => s !== 200).every((s) => s === 402)).toBe(true);
		await until(() => app.services.metering.ledger.usage('user', user.id).reserved === 0, 10_000);
		const usage = app.services.metering.ledger.usage('user', user.id);
		expect(usage.spent).toBeGreaterThan(0);
		expect(usage.spent + usage.reserved).toBeLessThanOrEqual(limit);
	});

	it('402 on /v1 names the budget; the app path fails the reply with the same reason', async () => {
		const { token } = await newUser('broke');
		setBudget(app.services.db, { scope: 'user', name: 'broke', limitUsd: '0.000000001', period: 'month' });
		const res = await chat(token, 'too dear');
		expect(res.status).toBe(402);
		const body = (await res.json()) as { error: { type: string; message: string } };
		expect(body.error.type).toBe('insufficient_quota');
		expect(body.error.message).toMatch(/Budget exceeded/);

		const web = new TrpcHttp(app.url);
		await web.mutation('auth.login', { username: 'broke', password: 'long password' });
		const started = (await web.mutation('generation.start', { content: 'too dear', model: 'sim/gpt-like' })).json.result?.data as { generationId: string };
		await until(() => app.services.db.select().from(generations).where(eq(generations.id, started.generationId)).get()?.state === 'failed');
		const row = app.services.db.select().from(generations).where(eq(generations.id, started.generationId)).get();
		expect(row?.failureReason).toMatch(/Budget exceeded/);
		expect(entriesOf(started.generationId)).toEqual([]);
	});

	it('abort: a stream the client abandons is settled from the generation lookup, at what the simulator billed', async () => {
		const { token } = await newUser('quitter');
		const controller = new AbortController();
		const res = await chat(token, 'Long [[sim:len=5000 delay=5]]', { stream: true }, controller.signal);
		const reader = (res.body as ReadableStream<Uint8Array>).getReader();
		let text = '';
		while (!text.includes('"content":"') || text.length < 2000) text += new TextDecoder().decode((await reader.read()).value);
		controller.abort();
		const upstreamId = /"id":"(gen-[^"]+)"/.exec(text)?.[1] as string;
		await until(() => sim.stats.generations.get(upstreamId)?.status === 'aborted', 2_000);
		const rowOf = () => app.services.db.select().from(generations).where(eq(generations.upstreamId, upstreamId)).get();
		await until(() => chargeOf(rowOf()?.id ?? '') !== undefined, 10_000);
		const row = rowOf();
		const record = sim.stats.generations.get(upstreamId);
		expect(chargeOf(row?.id as string)).toMatchObject({ source: 'generation-lookup', amountNanoUsd: parseUsd(record?.cost ?? -1) });
		expect(row?.state).toBe('cancelled');
	});

	it('generation.cancel aborts the upstream within 1 s, and the reply is settled from the generation lookup', async () => {
		const web = new TrpcHttp(app.url);
		await newUser('stopper');
		await web.mutation('auth.login', { username: 'stopper', password: 'long password' });
		const started = (await web.mutation('generation.start', { content: 'slow [[sim:trickle=20]]', model: 'sim/gpt-like' })).json.result?.data as { generationId: string };
		await until(() => !!app.services.db.select().from(generations).where(eq(generations.id, started.generationId)).get()?.upstreamId);
		const aborted = sim.stats.abortedByClient;
		await web.mutation('generation.cancel', { generationId: started.generationId });
		// The upstream request is aborted within a second of the Stop.
		expect(await until(() => sim.stats.abortedByClient > aborted, 1_000)).toBeLessThan(1_000);
		await until(() => chargeOf(started.generationId) !== undefined, 10_000);
		const upstreamId = app.services.db.select().from(generations).where(eq(generations.id, started.generationId)).get()?.upstreamId as string;
		expect(chargeOf(started.generationId)).toMatchObject({ source: 'generation-lookup', amountNanoUsd: parseUsd(sim.stats.generations.get(upstreamId)?.cost ?? -1) });
	});

	it('a budget alert emitted by the ledger reaches the user through events.watch', async () => {
		const web = new TrpcHttp(app.url);
		const { user } = await newUser('watched');
		await web.mutation('auth.login', { username: 'watched', password: 'long password' });
		// A 20k-character reply on this model costs about $0.075: over 1 % of $5.
		setBudget(app.services.db, { scope: 'user', name: 'watched', limitUsd: '5', period: 'month', alertThresholds: [1] });
		const cookie = [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		const controller = new AbortController();
		const received: Array<Record<string, unknown>> = [];
		const watching = (async () => {
			for await (const e of subscribe(app.url, 'events.watch', undefined, { cookie }, controller.signal)) {
				if (e.id === null) continue;
				received.push(e.data as Record<string, unknown>);
				if ((e.data as { type: string }).type === 'budget-alert') return;
			}
		})().catch(() => undefined);
		await until(() => app.services.bus.listenerCount >= 2);
		const started = (await web.mutation('generation.start', { content: `Big [[sim:len=20000]]`, model: 'sim/sonnet-like' })).json.result?.data as { generationId: string };
		await until(() => received.some((e) => e.type === 'budget-alert'), 15_000);
		controller.abort();
		await watching;
		const alert = received.find((e) => e.type === 'budget-alert');
		expect(alert).toMatchObject({ scope: 'user', scopeId: user.id, threshold: 1, period: 'month' });
		expect(received.some((e) => e.type === 'generation' && e.generationId === started.generationId)).toBe(true);
		expect(app.logs.join('\n')).toMatch(/budget alert: user .* reached 1% of its month limit/);
	});
});
