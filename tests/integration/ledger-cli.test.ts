import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoUsd } from '../../src/lib/domain/money';
import { findUserByUsername } from '../../server/auth/users';
import { BatchedWriter } from '../../server/db/batched-writer';
import { openDatabase } from '../../server/db/client';
import { conversations, generations, ledgerRecords } from '../../server/db/schema';
import { Ledger } from '../../server/ledger/ledger';
import { runAdmin, type CliResult } from '../helpers/admin-cli';
import { tempDir } from '../helpers/temp-dir';

const HEADER = 'date,user,team,generation_id,conversation_id,model,tokens_in,tokens_out,cost_usd,cost_nano_usd,source,kind';


describe('admin CLI: teams, budgets and usage', () => {
	const dir = tempDir('phosphor-ledger-cli-');
	const databasePath = `${dir.path}/phosphor.db`;
	afterAll(() => dir.cleanup());

	const admin = (...args: string[]) => runAdmin(databasePath, args);

	/** Runs the commands one after another (they write), failing loudly on the first that does not exit 0. */
	async function ok(...commands: string[][]): Promise<CliResult[]> {
		const results: CliResult[] = [];
		for (const args of commands) {
			const result = await admin(...args);
			expect(result, `admin ${args.join(' ')}`).toMatchObject({ status: 0 });
			results.push(result);
		}
		return results;
	}

	beforeAll(async () => {
		await ok(['user', 'add', 'ada'], ['user', 'add', 'bob'], ['team', 'add', 'research'], ['team', 'member', 'add', 'research', 'ada']);
	}, 60_000);

	it('`team list` shows the team and its member; a second `team add` of the name exits 1', async () => {
		const [listed, again, json] = await Promise.all([admin('team', 'list'), admin('team', 'add', 'research'), admin('team', 'list', '--json')]);
		expect(listed.stdout).toMatch(/^TEAM\s+MEMBERS\nresearch\s+ada\n$/);
		expect(again.status).toBe(1);
		expect(again.stderr).toMatch(/A team named "research" already exists/);
		expect(JSON.parse(json.stdout)).toEqual([{ name: 'research', members: ['ada'] }]);
	}, 60_000);

	it('`budget set` for a user and for team:<name> prints one confirmation line each', async () => {
		const [user, team] = await ok(
			['budget', 'set', 'ada', '--limit-usd', '20', '--period', 'month', '--alerts', '80,100'],
			['budget', 'set', 'team:research', '--limit-usd', '150.5', '--period', 'day']
		);
		expect(user?.stdout).toBe('Budget for user ada: $20.00 per month, alerts at 80%, 100%.\n');
		expect(team?.stdout).toBe('Budget for team research: $150.50 per day, alerts at 80%, 100%.\n');
		const list = await admin('budget', 'list', '--json');
		expect(JSON.parse(list.stdout)).toEqual([
			expect.objectContaining({ scope: 'team', name: 'research', period: 'day', limitNanoUsd: 150_500_000_000 }),
			expect.objectContaining({ scope: 'user', name: 'ada', period: 'month', limitNanoUsd: 20_000_000_000, alertThresholds: [80, 100] })
		]);
	}, 60_000);

	it('`usage show --json` has the contract keys: the limit in nano-USD, null without a budget', async () => {
		// A real settled call for ada now, through the ledger, so the counters move.
		const database = openDatabase(databasePath);
		const ada = findUserByUsername(database.db, 'ada');
		const ledger = new Ledger(database.sqlite, new BatchedWriter(database.sqlite));
		await ledger.reserve({ generationId: 'live-1', userId: ada?.id ?? '', model: 'sim/echo-mini', amountNanoUsd: nanoUsd(5_000_000) });
		await ledger.settle({ generationId: 'live-1', amountNanoUsd: nanoUsd(1_234_567), source: 'provider', model: 'sim/echo-mini', tokensIn: 10, tokensOut: 20 });
		await ledger.reserve({ generationId: 'live-2', userId: ada?.id ?? '', model: 'sim/echo-mini', amountNanoUsd: nanoUsd(3_000) });
		database.close();

		const [adaJson, bobJson] = await Promise.all([admin('usage', 'show', 'ada', '--json'), admin('usage', 'show', 'bob', '--json')]);
		expect(adaJson.status).toBe(0);
		expect(JSON.parse(adaJson.stdout)).toEqual({
			user: 'ada',
			period: 'month',
			period_key: expect.stringMatching(/^month:\d{4}-\d\d$/),
			spent_nano_usd: 1_234_567,
			reserved_nano_usd: 3_000,
			limit_nano_usd: 20_000_000_000,
			team: {
				name: 'research',
				period: 'day',
				period_key: expect.stringMatching(/^day:\d{4}-\d\d-\d\d$/),
				spent_nano_usd: 1_234_567,
				reserved_nano_usd: 3_000,
				limit_nano_usd: 150_500_000_000
			}
		});
		expect(JSON.parse(bobJson.stdout)).toMatchObject({ user: 'bob', period: 'month', spent_nano_usd: 0, reserved_nano_usd: 0, limit_nano_usd: null, team: null });

		const human = await admin('usage', 'show', 'ada');
		expect(human.stdout).toMatch(/^user ada: \$0\.0012 spent, \$0\.000003 reserved, limit \$20\.00 — this month \(\d{4}-\d\d, UTC\)\n/);
		expect(human.stdout).toMatch(/\nteam research: \$0\.0012 spent, .* limit \$150\.50 — today \(\d{4}-\d\d-\d\d, UTC\)\n$/);
	}, 60_000);

	it('`usage export` writes only CSV: a header and one row per charge and correction in the days given', async () => {
		const database = openDatabase(databasePath);
		const ada = findUserByUsername(database.db, 'ada')?.id ?? '';
		const bob = findUserByUsername(database.db, 'bob')?.id ?? '';
		const teamId = database.sqlite.prepare<[], { id: string }>("SELECT id FROM teams WHERE name = 'research'").get()?.id ?? null;
		database.db.insert(conversations).values({ id: 'conv-1', userId: ada, title: 'Plans, "draft"', model: 'sim/echo-mini', updatedAt: 0 }).run();
		database.db.insert(generations).values({ id: 'old-1', userId: ada, conversationId: 'conv-1', models: ['sim/echo-mini'], state: 'done' }).run();
		const at = (iso: string) => Date.parse(iso);
		const row = (kind: 'reservation' | 'settlement' | 'correction', generationId: string, userId: string, amount: number, createdAt: number) => ({
			generationId,
			userId,
			teamId: userId === ada ? teamId : null,
			kind,
			amountNanoUsd: amount,
			releasedNanoUsd: kind === 'settlement' ? 9_000_000 : null,
			source: kind === 'settlement' || kind === 'correction' ? ('provider' as const) : null,
			model: 'sim/echo-mini',
			tokensIn: kind === 'settlement' ? 100 : null,
			tokensOut: kind === 'settlement' ? 250 : null,
			periodAt: createdAt,
			createdAt
		});
		database.db
			.insert(ledgerRecords)
			.values([
				row('reservation', 'old-1', ada, 9_000_000, at('2025-01-10T12:00:00Z')),
				row('settlement', 'old-1', ada, 4_200_000, at('2025-01-10T12:00:01Z')),
				row('correction', 'old-1', ada, -1, at('2025-01-11T23:59:59.999Z')),
				row('settlement', 'old-2', bob, 7, at('2025-01-11T00:00:00Z')),
				row('settlement', 'too-early', bob, 1, at('2025-01-09T23:59:59.999Z')),
				row('settlement', 'too-late', bob, 1, at('2025-01-12T00:00:00Z'))
			])
			.run();
		database.close();

		const exported = await admin('usage', 'export', '--from', '2025-01-10', '--to', '2025-01-11');
		expect(exported.status).toBe(0);
		expect(exported.stdout.split('\r\n')).toEqual([
			HEADER,
			'2025-01-10T12:00:01.000Z,ada,research,old-1,conv-1,sim/echo-mini,100,250,0.0042,4200000,provider,charge',
			'2025-01-11T00:00:00.000Z,bob,,old-2,,sim/echo-mini,100,250,0.000000007,7,provider,charge',
			'2025-01-11T23:59:59.999Z,ada,research,old-1,conv-1,sim/echo-mini,,,-0.000000001,-1,provider,correction',
			''
		]);

		const empty = await admin('usage', 'export', '--from', '2020-01-01', '--to', '2020-12-31');
		expect(empty.stdout).toBe(`${HEADER}\r\n`);
	}, 60_000);

	it('refuses bad input: unknown names exit 1 with a message, a bad command line exits 2', async () => {
		const [unknownUser, unknownTeam, unknownMember, badPeriod, noLimit, badLimit, badAlerts, unknownShow, noTo, badDate] = await Promise.all([
			admin('budget', 'set', 'nobody', '--limit-usd', '5', '--period', 'day'),
			admin('budget', 'set', 'team:nowhere', '--limit-usd', '5', '--period', 'day'),
			admin('team', 'member', 'add', 'research', 'nobody'),
			admin('budget', 'set', 'ada', '--limit-usd', '20', '--period', 'week'),
			admin('budget', 'set', 'ada', '--period', 'month'),
			admin('budget', 'set', 'ada', '--limit-usd', 'twenty', '--period', 'month'),
			admin('budget', 'set', 'ada', '--limit-usd', '20', '--period', 'month', '--alerts', '80,lots'),
			admin('usage', 'show', 'nobody', '--json'),
			admin('usage', 'export', '--from', '2025-01-01'),
			admin('usage', 'export', '--from', '2025-02-30', '--to', '2025-03-01')
		]);
		expect(unknownUser).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/No user named "nobody"/) });
		expect(unknownTeam).toMatchObject({ status: 1, stderr: expect.stringMatching(/No team named "nowhere"/) });
		expect(unknownMember).toMatchObject({ status: 1, stderr: expect.stringMatching(/No user named "nobody"/) });
		expect(unknownShow).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/No user named "nobody"/) });
		for (const result of [unknownUser, unknownTeam, unknownMember, unknownShow]) expect(result.stderr).not.toMatch(/\n\s+at /);

		expect(badPeriod).toMatchObject({ status: 2, stderr: expect.stringMatching(/--period/) });
		expect(noLimit).toMatchObject({ status: 2, stderr: expect.stringMatching(/needs --limit-usd/) });
		expect(badLimit).toMatchObject({ status: 2, stderr: expect.stringMatching(/--limit-usd: Give the limit in USD/) });
		expect(badAlerts).toMatchObject({ status: 2, stderr: expect.stringMatching(/--alerts: "lots"/) });
		expect(noTo).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/needs --from and --to/) });
		expect(badDate).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/--from "2025-02-30" is not a date/) });

		// Nothing above changed ada's budget.
		const shown = JSON.parse((await admin('usage', 'show', 'ada', '--json')).stdout) as { limit_nano_usd: number; period: string };
		expect(shown).toMatchObject({ limit_nano_usd: 20_000_000_000, period: 'month' });
	}, 120_000);

	it('`budget remove` removes once, then says there is nothing to remove', async () => {
		const [removed, again] = await ok(['budget', 'remove', 'team:research'], ['budget', 'remove', 'team:research']);
		expect(removed?.stdout).toBe('Removed the budget of team research.\n');
		expect(again?.stdout).toMatch(/has no budget; nothing removed/);
		const list = await admin('budget', 'list');
		expect(list.stdout).toMatch(/^SCOPE\s+NAME\s+LIMIT\s+PERIOD\s+SPENT\s+RESERVED\s+ALERTS\nuser\s+ada\s+\$20\.00\s+month\s+\$0\.0012\s+\$0\.000003\s+80%,100%\n$/);
		const shown = JSON.parse((await admin('usage', 'show', 'ada', '--json')).stdout) as { team: { limit_nano_usd: number | null; period: string } };
		expect(shown.team).toMatchObject({ limit_nano_usd: null, period: 'month' });
	}, 60_000);
});
