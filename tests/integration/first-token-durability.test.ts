import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../server/auth/api-tokens';
import { createUser } from '../../server/auth/users';
import { generations } from '../../server/db/schema';
import { startSimulator, type Simulator } from '../../server/simulator';
import { setupCodeFrom, startTestApp, type TestApp } from '../helpers/app';
import { completions, until } from '../helpers/orchestrator-rig';
import { TrpcHttp } from '../helpers/trpc-http';

/**
 * docs/architecture.md#the-hot-path: the reservation's commit overlaps the upstream request
 * instead of preceding it, and the first token waits for it. A reservation that cannot be
 * saved stops the call before its first token and spends nothing.
 */
describe('the first token waits for a durable reservation', () => {
	let sim: Simulator;
	let app: TestApp;
	let reader: Database.Database;

	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
		app = await startTestApp({ UPSTREAM_BASE_URL: sim.url, BREAKER_THRESHOLD: '1000' });
		await new TrpcHttp(app.url).mutation('auth.setup', { setupCode: setupCodeFrom(app.logs), username: 'root', password: 'long password' });
		// A second connection sees only what is committed.
		reader = new Database(`${app.dir}/phosphor.db`, { readonly: true });
	});
	afterEach(() => {
		app.services.sqlite.exec('DROP TRIGGER IF EXISTS refuse_reservations');
	});
	afterAll(async () => {
		reader.close();
		await app.stop();
		await sim.close();
	});

	async function newUser(name: string) {
		const user = await createUser(app.services.db, { username: name, password: 'long password', isAdmin: false });
		return { user, token: createApiToken(app.services.db, user.id).token };
	}
	const chat = (token: string, content: string) =>
		fetch(`${app.url}/v1/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'sim/gpt-like', stream: true, messages: [{ role: 'user', content }] })
		});
	const committedRows = (userId: string) => (reader.prepare('SELECT count(*) AS n FROM ledger_records WHERE user_id = ?').get(userId) as { n: number }).n;
	/** Makes every reservation's row fail to write, as a full disk would, on every connection (the commit thread's too). */
	const refuseReservations = () =>
		app.services.sqlite.exec(
			"CREATE TRIGGER refuse_reservations BEFORE INSERT ON ledger_records WHEN NEW.kind = 'reservation' BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END"
		);

	it('the upstream request starts before the reservation commits; the reply begins only once it has', async () => {
		const { user, token } = await newUser('waiter');
		const writer = app.services.metering.writer;
		const flush = writer.flush.bind(writer);
		// Hold the group commit: queued writes wait until released.
		writer.flush = () => undefined;
		const before = completions(sim);
		let answered = false;
		const response = chat(token, 'Hello [[sim:len=20]]').then((res) => {
			answered = true;
			return res;
		});
		try {
			// The simulator served the whole completion while the reservation was still queued.
			await until(() => completions(sim) === before + 1 && sim.stats.activeCompletions === 0, 5_000);
			expect(app.services.metering.ledger.usage('user', user.id).reserved).toBeGreaterThan(0);
			expect(committedRows(user.id)).toBe(0);
			expect(answered).toBe(false);
		} finally {
			writer.flush = flush;
			flush();
		}
		const res = await response;
		expect(res.status).toBe(200);
		const body = await res.text();
		expect(body).toContain('data: [DONE]');
		expect(committedRows(user.id)).toBeGreaterThan(0);
		await until(() => app.services.metering.ledger.usage('user', user.id).reserved === 0, 5_000);
	});

	it('/v1: a reservation that cannot be saved fails the call with 503 before any token, aborts the upstream, spends nothing', async () => {
		const { user, token } = await newUser('unsaved');
		refuseReservations();
		const res = await chat(token, 'Long [[sim:len=5000 delay=5]]');
		expect(res.status).toBe(503);
		const body = (await res.json()) as { error: { code: string; message: string } };
		expect(body.error.code).toBe('ledger_unavailable');
		expect(body.error.message).toMatch(/could not save the budget reservation.*nothing was charged/);
		await until(() => sim.stats.activeCompletions === 0, 2_000);
		expect(app.services.metering.ledger.usage('user', user.id)).toMatchObject({ spent: 0, reserved: 0 });
		expect(committedRows(user.id)).toBe(0);
		expect(app.services.db.select().from(generations).where(eq(generations.userId, user.id)).all()).toEqual([]);
	});

	it('the app: a reservation that cannot be saved fails the reply with a reason a person can read, spends nothing', async () => {
		const { user } = await newUser('unsaved-app');
		const web = new TrpcHttp(app.url);
		await web.mutation('auth.login', { username: 'unsaved-app', password: 'long password' });
		refuseReservations();
		const started = (await web.mutation('generation.start', { content: 'Long [[sim:len=5000 delay=5]]', model: 'sim/gpt-like' })).json.result?.data as {
			generationId: string;
		};
		const row = () => app.services.db.select().from(generations).where(eq(generations.id, started.generationId)).get();
		await until(() => row()?.state === 'failed', 5_000);
		expect(row()?.failureReason).toMatch(/could not save the budget reservation/);
		expect(row()?.failureReason).not.toMatch(/\.\.$/);
		expect(app.services.metering.ledger.usage('user', user.id)).toMatchObject({ spent: 0, reserved: 0 });
		expect(committedRows(user.id)).toBe(0);
	});
});
