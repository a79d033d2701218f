import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/auth/users';
import { ledgerEntries } from '../../server/db/schema';
import { setupCodeFrom, startTestApp, type TestApp } from '../helpers/app';
import { TrpcHttp } from '../helpers/trpc-http';
import { subscribe } from '../helpers/trpc-subscription';
import { waitFor } from '../helpers/wait-for';

interface Started {
	generationId: string;
	conversationId: string;
	assistantMessageId: string;
}

interface ReportRow {
	key: string;
	label: string;
	generations: number;
	tokensIn: number;
	tokensOut: number;
	costNanoUsd: number;
}

const HOUR = 60 * 60 * 1000;

describe('usage.* and budgets.* over tRPC', () => {
	let app: TestApp;
	let root: TrpcHttp;
	let ada: TrpcHttp;
	let eve: TrpcHttp;
	/** ada's two replies, settled: ids and what the ledger charged for each. */
	const replies: Array<Started & { charged: number }> = [];

	const cookie = (client: TrpcHttp) => ({ cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') });
	const data = <T>(response: { json: { result?: { data?: unknown } } }) => response.json.result?.data as T;

	/** Starts a reply, follows it to its end, then waits (bounded) for its charge in the ledger. */
	async function reply(client: TrpcHttp, content: string): Promise<Started & { charged: number }> {
		const started = data<Started>(await client.mutation('generation.start', { content }));
		let last = '';
		for await (const e of subscribe(app.url, 'generation.attach', { generationId: started.generationId }, cookie(client))) {
			if (e.id === null) continue;
			last = (e.data as { type: string }).type;
			if (['done', 'failed', 'cancelled'].includes(last)) break;
		}
		expect(last).toBe('done');
		const charge = () =>
			app.services.db
				.select({ amount: ledgerEntries.amountNanoUsd })
				.from(ledgerEntries)
				.where(and(eq(ledgerEntries.generationId, started.generationId), eq(ledgerEntries.kind, 'charge')))
				.get();
		// Settlement runs after the stream ends, off the reply's path.
		await waitFor(() => charge() !== undefined, 10_000, `the charge of ${started.generationId}`);
		return { ...started, charged: charge()?.amount ?? 0 };
	}

	beforeAll(async () => {
		app = await startTestApp();
		root = new TrpcHttp(app.url);
		await root.mutation('auth.setup', { setupCode: setupCodeFrom(app.logs), username: 'root', password: 'long password' });
		await createUser(app.services.db, { username: 'ada', password: 'ada password', isAdmin: false });
		await createUser(app.services.db, { username: 'eve', password: 'eve password', isAdmin: false });
		ada = new TrpcHttp(app.url);
		eve = new TrpcHttp(app.url);
		await ada.mutation('auth.login', { username: 'ada', password: 'ada password' });
		await eve.mutation('auth.login', { username: 'eve', password: 'eve password' });
		replies.push(await reply(ada, 'Tell me something [[sim:len=400]]'));
		replies.push(await reply(ada, 'And again [[sim:len=900]]'));
	});
	afterAll(() => app?.stop());

	const window = () => ({ from: Date.now() - HOUR, to: Date.now() + HOUR });

	it('usage.message: model, tokens, billed cost from the ledger, source, estimate and latency', async () => {
		const [first] = replies;
		const res = await ada.query('usage.message', { messageId: first?.assistantMessageId });
		expect(res.status).toBe(200);
		const cost = data<Record<string, unknown>>(res);
		expect(cost).toMatchObject({
			messageId: first?.assistantMessageId,
			generationId: first?.generationId,
			model: 'sim/echo-mini',
			tokensIn: expect.any(Number),
			tokensOut: expect.any(Number),
			billedNanoUsd: first?.charged,
			source: 'provider',
			estimatedNanoUsd: expect.any(Number)
		});
		expect(cost.billedNanoUsd).toBeGreaterThan(0);
		expect(cost.tokensOut).toBeGreaterThan(0);
		const latency = cost.latency as { firstTokenMs: number; totalMs: number };
		expect(latency.firstTokenMs).toBeGreaterThanOrEqual(0);
		expect(latency.totalMs).toBeGreaterThanOrEqual(latency.firstTokenMs);
	});

	it("usage.message: another user's reply, a prompt and an unknown id are all NOT_FOUND", async () => {
		const [first] = replies;
		const theirs = await eve.query('usage.message', { messageId: first?.assistantMessageId });
		expect(theirs.status).toBe(404);
		expect(theirs.json.error?.data?.code).toBe('NOT_FOUND');
		expect((await ada.query('usage.message', { messageId: 'no-such-message' })).status).toBe(404);
		expect((await new TrpcHttp(app.url).query('usage.message', { messageId: first?.assistantMessageId })).status).toBe(401);
		expect((await ada.query('usage.message', { messageId: '' })).status).toBe(400);
	});

	it('usage.report: by model and by day, the sum of the charges', async () => {
		const total = replies.reduce((sum, r) => sum + r.charged, 0);
		const byModel = data<ReportRow[]>(await ada.query('usage.report', { groupBy: 'model', ...window() }));
		expect(byModel).toEqual([{ key: 'sim/echo-mini', label: expect.any(String), generations: 2, tokensIn: expect.any(Number), tokensOut: expect.any(Number), costNanoUsd: total }]);
		const byDay = data<ReportRow[]>(await ada.query('usage.report', { groupBy: 'day', ...window() }));
		expect(byDay.reduce((sum, r) => sum + r.costNanoUsd, 0)).toBe(total);
		expect(byDay.reduce((sum, r) => sum + r.generations, 0)).toBe(2);
		const byConversation = data<ReportRow[]>(await ada.query('usage.report', { groupBy: 'conversation', ...window() }));
		expect(byConversation.map((r) => r.key).sort()).toEqual(replies.map((r) => r.conversationId).sort());
	});

	it("usage.report: a user sees only their own spend; scope 'all' is for admins", async () => {
		expect(data<ReportRow[]>(await eve.query('usage.report', { groupBy: 'model', ...window() }))).toEqual([]);
		const denied = await eve.query('usage.report', { groupBy: 'user', ...window(), scope: 'all' });
		expect(denied.status).toBe(403);
		expect(denied.json.error?.data?.code).toBe('FORBIDDEN');
		const everyone = data<ReportRow[]>(await root.query('usage.report', { groupBy: 'user', ...window(), scope: 'all' }));
		expect(everyone).toEqual([expect.objectContaining({ label: 'ada', generations: 2, costNanoUsd: replies.reduce((s, r) => s + r.charged, 0) })]);
		const bad = await ada.query('usage.report', { groupBy: 'week', from: 10, to: 5 });
		expect(bad.status).toBe(400);
		expect(bad.json.error?.message).toMatch(/groupBy/);
		expect(bad.json.error?.data?.fieldErrors).toMatchObject({ groupBy: expect.any(String) });
	});

	it('budgets.set: FORBIDDEN for a user; an admin sets it and usage.me shows it', async () => {
		const budget = { scope: 'user', name: 'ada', limitUsd: '20', period: 'month', alertThresholds: [50, 100] };
		const refused = await ada.mutation('budgets.set', budget);
		expect(refused.status).toBe(403);
		expect(refused.json.error?.data?.code).toBe('FORBIDDEN');
		expect((await ada.query('budgets.list')).status).toBe(403);

		const before = data<Record<string, unknown>>(await ada.query('usage.me'));
		expect(before).toMatchObject({ user: 'ada', limitNanoUsd: null, period: 'month', team: null });

		const set = await root.mutation('budgets.set', budget);
		expect(set.status).toBe(200);
		expect(data(set)).toEqual({ scope: 'user', name: 'ada', period: 'month', limitNanoUsd: 20_000_000_000, alertThresholds: [50, 100] });
		const me = data<Record<string, unknown>>(await ada.query('usage.me'));
		expect(me).toMatchObject({
			user: 'ada',
			spentNanoUsd: replies.reduce((sum, r) => sum + r.charged, 0),
			reservedNanoUsd: 0,
			limitNanoUsd: 20_000_000_000,
			period: 'month',
			periodKey: expect.stringMatching(/^month:/),
			team: null
		});
		const listed = data<Array<Record<string, unknown>>>(await root.query('budgets.list'));
		expect(listed).toEqual([expect.objectContaining({ scope: 'user', name: 'ada', limitNanoUsd: 20_000_000_000 })]);
	});

	it('budgets.*: unknown names are NOT_FOUND with the message, bad input is 400, remove works', async () => {
		const missing = await root.mutation('budgets.set', { scope: 'team', name: 'nowhere', limitUsd: '5', period: 'day' });
		expect(missing.status).toBe(404);
		expect(missing.json.error?.message).toMatch(/No team named "nowhere"/);
		const badLimit = await root.mutation('budgets.set', { scope: 'user', name: 'ada', limitUsd: 'lots', period: 'day' });
		expect(badLimit.status).toBe(400);
		expect(badLimit.json.error?.message).toMatch(/limitUsd/);
		expect((await root.mutation('budgets.remove', { scope: 'user', name: 'nobody' })).status).toBe(404);
		expect((await eve.mutation('budgets.remove', { scope: 'user', name: 'ada' })).status).toBe(403);

		expect(data(await root.mutation('budgets.remove', { scope: 'user', name: 'ada' }))).toEqual({ removed: true });
		expect(data(await root.mutation('budgets.remove', { scope: 'user', name: 'ada' }))).toEqual({ removed: false });
		expect(data<Record<string, unknown>>(await ada.query('usage.me'))).toMatchObject({ limitNanoUsd: null });
	});
});
