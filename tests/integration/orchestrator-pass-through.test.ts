import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestratorEvent, OrchestratorRequest } from '../../server/orchestrator/orchestrator-types';
import { startSimulator, type Simulator } from '../../server/simulator';
import { rig } from '../helpers/orchestrator-rig';

/** Deltas carry a chunk's extras (tool calls, reasoning, …) only for /v1 calls, which send `params`. */
describe('orchestrator: what a delta carries besides text', () => {
	let sim: Simulator;
	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
	});
	afterAll(async () => {
		await sim.close();
	});

	async function events(request: Partial<OrchestratorRequest>): Promise<OrchestratorEvent[]> {
		const { orchestrator } = rig(sim);
		const out: OrchestratorEvent[] = [];
		for await (const event of orchestrator.stream({ models: ['sim/echo-mini'], messages: [], signal: new AbortController().signal, ...request })) out.push(event);
		return out;
	}

	it("the app's replies (no params) get text deltas only, even when the provider also streams reasoning", async () => {
		const out = await events({ messages: [{ role: 'user', content: 'Hi [[sim:reasoning len=30]]' }] });
		const deltas = out.filter((e) => e.type === 'delta');
		expect(deltas.every((d) => d.type === 'delta' && d.text !== '' && d.extra === undefined)).toBe(true);
		expect(deltas.map((d) => (d.type === 'delta' ? d.text : '')).join('')).toHaveLength(30);
	});

	it('a /v1 call gets the reasoning first, and a reply that is only a tool call counts as begun at its first piece', async () => {
		const reasoned = await events({ messages: [{ role: 'user', content: 'Hi [[sim:reasoning len=30]]' }], params: {} });
		expect(reasoned[0]?.type).toBe('start');
		expect(reasoned[1]).toMatchObject({ type: 'delta', text: '', extra: { delta: { reasoning: expect.any(String) } } });

		const tools = [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } }];
		const called = await events({ messages: [{ role: 'user', content: 'Time? [[sim:tool=get_time]]' }], params: { tools } });
		expect(called.map((e) => e.type)).toEqual(['start', ...called.slice(1, -1).map(() => 'delta'), 'finish']);
		expect(called.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
		const pieces = called.flatMap((e) => (e.type === 'delta' ? (e.extra?.delta.tool_calls ?? []) : []));
		expect(pieces[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), function: { name: 'get_time', arguments: '' } });
		expect(JSON.parse(pieces.map((p) => p.function?.arguments ?? '').join(''))).toEqual({ tz: expect.any(String) });
	});
});
