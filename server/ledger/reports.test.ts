import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../db/client';
import { conversations, generations, ledgerRecords, messages, models, teamMembers, teams, users } from '../db/schema';
import { messageCost, USAGE_GROUPS, usageEntries, usageReport } from './reports';

const opened: OpenDatabase[] = [];
afterEach(() => opened.splice(0).forEach((d) => d.close()));

const DAY = 24 * 60 * 60 * 1000;
const D1 = Date.UTC(2025, 2, 10);
const D2 = D1 + DAY;

type Entry = typeof ledgerRecords.$inferInsert;

function database() {
	const opened1 = openDatabase(':memory:');
	opened.push(opened1);
	const { db } = opened1;
	const user = (id: string, username: string) => ({ id, username, usernameKey: username, passwordHash: 'x', createdAt: 0 });
	db.insert(users).values([user('u1', 'ada'), user('u2', 'bob'), user('u3', 'cy')]).run();
	db.insert(teams).values({ id: 't1', name: 'research', createdAt: 0 }).run();
	db.insert(teamMembers).values([{ teamId: 't1', userId: 'u1' }, { teamId: 't1', userId: 'u2' }]).run();
	const model = (id: string, name: string, prompt: string, completion: string) => ({ id, name, promptPrice: prompt, completionPrice: completion, fetchedAt: 0 });
	db.insert(models)
		.values([model('sim/a', 'Sim A', '0.000001', '0.0000020000001'), model('sim/var', 'Variable', '-1', '-1')])
		.run();
	return opened1;
}

/** The same two rows the ledger writes for a settled call (reservation, settlement), plus any further corrections. */
function settled(g: { id: string; userId: string; teamId: string | null; model: string; at: number; cost: number; tokensIn: number; tokensOut: number }): Entry[] {
	const base = { generationId: g.id, userId: g.userId, teamId: g.teamId, model: g.model, periodAt: g.at, createdAt: g.at };
	return [
		{ ...base, kind: 'reservation', amountNanoUsd: 50_000_000 },
		{ ...base, kind: 'settlement', amountNanoUsd: g.cost, releasedNanoUsd: 50_000_000, source: 'provider', tokensIn: g.tokensIn, tokensOut: g.tokensOut }
	];
}

/** ada: a reply in "Trip plans" (charged, then corrected the next day) and an API call; bob and cy one reply each. */
function scenario() {
	const d = database();
	const { db } = d;
	db.insert(conversations)
		.values([
			{ id: 'c1', userId: 'u1', title: 'Trip plans', model: 'sim/a', updatedAt: 0 },
			{ id: 'c2', userId: 'u2', title: 'Bob talks', model: 'sim/a', updatedAt: 0 }
		])
		.run();
	db.insert(messages)
		.values([
			{ id: 'm0', conversationId: 'c1', role: 'user', content: 'hi', status: 'complete' },
			{ id: 'm1', conversationId: 'c1', role: 'assistant', content: 'hello', status: 'complete', model: 'sim/a', generationId: 'g1' },
			{ id: 'm2', conversationId: 'c2', role: 'assistant', content: 'yo', status: 'complete', model: 'sim/a', generationId: 'g2' },
			{ id: 'm3', conversationId: 'c1', role: 'assistant', content: '…', status: 'streaming', model: 'sim/var', generationId: 'g3' }
		])
		.run();
	const gen = (id: string, userId: string, conversationId: string | null, model: string, extra: Partial<typeof generations.$inferInsert> = {}) => ({
		id,
		userId,
		conversationId,
		models: [model],
		model,
		state: 'done' as const,
		createdAt: D1,
		...extra
	});
	db.insert(generations)
		.values([
			gen('g1', 'u1', 'c1', 'sim/a', { firstTokenAt: D1 + 250, finishedAt: D1 + 2_000, tokensIn: 1_000, tokensOut: 500 }),
			gen('g2', 'u2', 'c2', 'sim/a'),
			gen('g3', 'u1', 'c1', 'sim/var', { state: 'running', tokensIn: 10, tokensOut: 10 }),
			gen('g4', 'u1', null, 'sim/var', { origin: 'api' }),
			gen('g5', 'u3', null, 'sim/a', { origin: 'api' })
		])
		.run();
	db.insert(ledgerRecords)
		.values([
			...settled({ id: 'g1', userId: 'u1', teamId: 't1', model: 'sim/a', at: D1 + 1_000, cost: 2_000_000, tokensIn: 1_000, tokensOut: 500 }),
			{ generationId: 'g1', userId: 'u1', teamId: 't1', model: 'sim/a', kind: 'correction', amountNanoUsd: -30, source: 'generation-lookup', periodAt: D1 + 1_000, createdAt: D2 + 5 },
			...settled({ id: 'g2', userId: 'u2', teamId: 't1', model: 'sim/a', at: D1 + 2_000, cost: 700, tokensIn: 7, tokensOut: 70 }),
			{ generationId: 'g3', userId: 'u1', teamId: 't1', model: 'sim/var', kind: 'reservation', amountNanoUsd: 9_000, periodAt: D1, createdAt: D1 },
			...settled({ id: 'g4', userId: 'u1', teamId: 't1', model: 'sim/var', at: D2 + 10, cost: 5_000, tokensIn: 3, tokensOut: 4 }),
			...settled({ id: 'g5', userId: 'u3', teamId: null, model: 'sim/a', at: D2 + 20, cost: 11, tokensIn: 1, tokensOut: 1 })
		])
		.run();
	return d;
}

describe('messageCost', () => {
	it('gives model, tokens, billed (charge + corrections), catalog estimate, latency and source', () => {
		const { db } = scenario();
		expect(messageCost(db, 'm1', 'u1')).toEqual({
			messageId: 'm1',
			generationId: 'g1',
			model: 'sim/a',
			tokensIn: 1_000,
			tokensOut: 500,
			billedNanoUsd: 1_999_970,
			// 1000 × 1000 nano + 500 × 2000.0001 nano: the second part, 1_000_000.05, rounds half-to-even.
			estimatedNanoUsd: 2_000_000,
			source: 'provider',
			latency: { firstTokenMs: 250, totalMs: 2_000 }
		});
	});

	it("is null for another user's message, a user's own prompt, and an unknown id", () => {
		const { db } = scenario();
		expect(messageCost(db, 'm2', 'u1')).toBeNull();
		expect(messageCost(db, 'm1', 'u2')).toBeNull();
		expect(messageCost(db, 'm0', 'u1')).toBeNull();
		expect(messageCost(db, 'nope', 'u1')).toBeNull();
	});

	it('before settlement: no billed cost and no source; a variable price gives no estimate', () => {
		const { db } = scenario();
		expect(messageCost(db, 'm3', 'u1')).toMatchObject({
			model: 'sim/var',
			tokensIn: 10,
			tokensOut: 10,
			billedNanoUsd: null,
			estimatedNanoUsd: null,
			source: null,
			latency: { firstTokenMs: null, totalMs: null }
		});
	});
});

describe('usageReport', () => {
	const all = { from: D1, to: D2 + DAY };

	it('sums charges and corrections per model; reservations and releases never count', () => {
		const { db } = scenario();
		expect(usageReport(db, { groupBy: 'model', ...all })).toEqual([
			{ key: 'sim/a', label: 'Sim A', generations: 3, tokensIn: 1_008, tokensOut: 571, costNanoUsd: 2_000_000 - 30 + 700 + 11 },
			{ key: 'sim/var', label: 'Variable', generations: 1, tokensIn: 3, tokensOut: 4, costNanoUsd: 5_000 }
		]);
	});

	it('by day puts a correction on the day it was made, days in order', () => {
		const { db } = scenario();
		expect(usageReport(db, { groupBy: 'day', ...all })).toEqual([
			{ key: '2025-03-10', label: '2025-03-10', generations: 2, tokensIn: 1_007, tokensOut: 570, costNanoUsd: 2_000_700 },
			{ key: '2025-03-11', label: '2025-03-11', generations: 3, tokensIn: 4, tokensOut: 5, costNanoUsd: -30 + 5_000 + 11 }
		]);
	});

	it('by user, team and conversation, with API calls and teamless users kept', () => {
		const { db } = scenario();
		const costs = (groupBy: (typeof USAGE_GROUPS)[number]) => usageReport(db, { groupBy, ...all }).map((r) => [r.key, r.label, r.costNanoUsd]);
		expect(costs('user')).toEqual([
			['u1', 'ada', 2_004_970],
			['u2', 'bob', 700],
			['u3', 'cy', 11]
		]);
		expect(costs('team')).toEqual([
			['t1', 'research', 2_005_670],
			['', 'no team', 11]
		]);
		expect(costs('conversation')).toEqual([
			['c1', 'Trip plans', 1_999_970],
			['', 'API (no conversation)', 5_011],
			['c2', 'Bob talks', 700]
		]);
	});

	it('counts [from, to): an entry at `to` belongs to the next range', () => {
		const { db } = scenario();
		const first = usageReport(db, { groupBy: 'user', from: D1, to: D2 + 5 });
		const second = usageReport(db, { groupBy: 'user', from: D2 + 5, to: D2 + DAY });
		expect(first.find((r) => r.key === 'u1')?.costNanoUsd).toBe(2_000_000);
		expect(second.find((r) => r.key === 'u1')?.costNanoUsd).toBe(-30 + 5_000);
		expect(usageReport(db, { groupBy: 'user', from: 0, to: D1 })).toEqual([]);
	});

	it('restricted to one user, shows nothing of anyone else', () => {
		const { db } = scenario();
		const rows = usageReport(db, { groupBy: 'team', ...all, userId: 'u2' });
		expect(rows).toEqual([{ key: 't1', label: 'research', generations: 1, tokensIn: 7, tokensOut: 70, costNanoUsd: 700 }]);
	});

	it('every grouping adds up to the same exact total as the entries themselves', () => {
		const arbitraryEntry = fc.record({
			user: fc.constantFrom('u1', 'u2', 'u3'),
			generation: fc.integer({ min: 0, max: 20 }),
			kind: fc.constantFrom('reservation', 'settlement', 'correction'),
			amount: fc.integer({ min: -1_000_000_000, max: 1_000_000_000_000 }),
			at: fc.integer({ min: D1 - DAY, max: D2 + 2 * DAY }),
			model: fc.constantFrom('sim/a', 'sim/var', null),
			tokens: fc.option(fc.nat(100_000))
		});
		fc.assert(
			fc.property(fc.array(arbitraryEntry, { maxLength: 40 }), (entries) => {
				const { db } = database();
				const seen = new Set<string>();
				const rows: Entry[] = [];
				for (const e of entries) {
					// One reservation and one settlement per generation, as the unique index allows.
					const generationId = `g${e.generation}`;
					if (e.kind !== 'correction' && seen.has(`${generationId}:${e.kind}`)) continue;
					seen.add(`${generationId}:${e.kind}`);
					rows.push({ generationId, userId: e.user, teamId: e.user === 'u3' ? null : 't1', kind: e.kind, amountNanoUsd: e.amount, releasedNanoUsd: e.kind === 'settlement' ? 1 : null, model: e.model, tokensIn: e.tokens, tokensOut: e.tokens, periodAt: e.at, createdAt: e.at });
				}
				if (rows.length) db.insert(ledgerRecords).values(rows).run();
				const inRange = rows.filter((r) => (r.kind === 'settlement' || r.kind === 'correction') && r.createdAt >= D1 && r.createdAt < D2 + DAY);
				const total = inRange.reduce((sum, r) => sum + BigInt(r.amountNanoUsd), 0n);
				const tokens = inRange.reduce((sum, r) => sum + (r.tokensIn ?? 0), 0);
				for (const groupBy of USAGE_GROUPS) {
					const report = usageReport(db, { groupBy, from: D1, to: D2 + DAY });
					expect(report.reduce((sum, r) => sum + BigInt(r.costNanoUsd), 0n)).toBe(total);
					expect(report.reduce((sum, r) => sum + r.tokensIn, 0)).toBe(tokens);
					expect(new Set(report.map((r) => r.key)).size).toBe(report.length);
				}
				opened.pop()?.close();
			}),
			{ numRuns: 60 }
		);
	});
});

describe('usageEntries', () => {
	it('lists charges and corrections oldest first, with username, team and conversation', () => {
		const { db } = scenario();
		const rows = usageEntries(db, { from: D1, to: D2 + DAY });
		expect(rows.map((r) => [r.generationId, r.kind, r.amountNanoUsd])).toEqual([
			['g1', 'charge', 2_000_000],
			['g2', 'charge', 700],
			['g1', 'correction', -30],
			['g4', 'charge', 5_000],
			['g5', 'charge', 11]
		]);
		expect(rows[0]).toMatchObject({ username: 'ada', teamName: 'research', conversationId: 'c1', model: 'sim/a', tokensIn: 1_000, tokensOut: 500, source: 'provider' });
		expect(rows[4]).toMatchObject({ username: 'cy', teamName: null, conversationId: null });
	});
});
