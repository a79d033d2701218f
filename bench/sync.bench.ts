import { crossDevice } from './lib/sync/cross-device';
import { openBenchPage } from './lib/sync/browser';
import { fmt, median, percentile, report } from './lib/stats';

/**
 * The sync figures, each beside its target and its floor measured in the same run:
 * 1. initial sync into IndexedDB in headless Chromium: the pull applier vs a raw Dexie bulkPut;
 * 2. the server's share of cross-device latency (push → poke → pull) vs loopback round trips;
 * 3. liveQuery update latency after a local write with 100 open queries vs only the affected ones.
 */
const INITIAL_SYNC = { messages: 50_000, perConversation: 200, contentChars: 400, rounds: 5 };
const CROSS_DEVICE = { iterations: 300, warmup: 30 };
const LIVE_QUERY = { conversations: 50, perConversation: 20, queries: 100, writes: 200, block: 20 };

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const verdict = (met: boolean) => (met ? 'MET' : 'MISSED');

export async function syncBench(): Promise<void> {
	const browser = await openBenchPage();
	try {
		for (const part of [() => initialSync(browser), crossDeviceLatency, () => liveQueryLatency(browser)]) {
			const started = performance.now();
			await part();
			console.log(`  (${fmt((performance.now() - started) / 1000, 1)} s)`);
		}
	} finally {
		await browser.close();
	}
}

async function initialSync(browser: Awaited<ReturnType<typeof openBenchPage>>): Promise<void> {
	const o = INITIAL_SYNC;
	const r = await browser.call('initialSync', o);
	const browserName = r.userAgent.match(/HeadlessChrome\/\S+|Chrome\/\S+/)?.[0] ?? r.userAgent;
	console.log(
		`initial sync: ${int(o.messages)} messages (${r.pages} pages of 500, ~${r.rowJsonBytes} B of JSON each with ${o.contentChars} characters of text, all fields) ` +
			`into IndexedDB in ${browserName}; ${o.rounds} rounds, the four ways alternating in each, a fresh database each time, only the writes timed; medians`
	);
	const m = { raw: median(r.rates.raw), applier: median(r.rates.applier), rawPerPage: median(r.rates.rawPerPage), checked: median(r.rates.checked) };
	const ratio = m.applier / m.raw;
	const met = ratio >= 0.8 && m.applier >= 10_000;
	console.log(
		`  initial sync: applier ${int(m.applier)} msg/s (median of ${o.rounds}), raw bulkPut ${int(m.raw)} msg/s → ${fmt(ratio)}× (target ≥ 0.8× and ≥ 10,000/s): ${verdict(met)}`
	);
	report('applier: applyPull page by page, request cursor = stored', `${int(m.applier)} msg/s`, '≥ 10,000/s', m.applier >= 10_000);
	report('floor: raw Dexie bulkPut of all rows, one call', `${int(m.raw)} msg/s`, 'floor', null);
	report('applier ÷ raw bulkPut', `${fmt(ratio)}×`, '≥ 0.8×', ratio >= 0.8);
	report('raw bulkPut per page of 500 (the applier’s batching)', `${int(m.rawPerPage)} msg/s`, 'info', null);
	report('applier ÷ raw bulkPut per page', `${fmt(m.applier / m.rawPerPage)}×`, 'info', null);
	report('checked applier: request cursor older than stored', `${int(m.checked)} msg/s`, 'info', null);
	report('checked applier ÷ raw bulkPut', `${fmt(m.checked / m.raw)}×`, 'info', null);
	const rounds = (way: keyof typeof r.rates) => r.rates[way].map(int).join(' / ');
	console.log(`  rounds (msg/s): raw ${rounds('raw')}; applier ${rounds('applier')}; raw per page ${rounds('rawPerPage')}; checked ${rounds('checked')}`);
}

async function crossDeviceLatency(): Promise<void> {
	const s = await crossDevice(CROSS_DEVICE.iterations, CROSS_DEVICE.warmup);
	console.log(
		`cross-device: device A pushes one change (alternately message.create with 400 characters and conversation.rename) to the real server (own process, temp DB); ` +
			`device B, on its events.watch poke, pulls until it has the row. Total = A sends → B has the row. ` +
			`Floor = the same four loopback legs against the same server's /healthz (A's POST, then B's GET, same bytes and cookie), alternating with it. ` +
			`Server share = total − floor, per percentile. ${s.total.length} iterations each after ${CROSS_DEVICE.warmup} warm-up`
	);
	const p = (v: number[], q: number) => percentile(v, q);
	const share50 = p(s.total, 50) - p(s.floor, 50);
	const share95 = p(s.total, 95) - p(s.floor, 95);
	console.log(
		`  cross-device: server share p50 ${fmt(share50)} ms (total ${fmt(p(s.total, 50))} − floor ${fmt(p(s.floor, 50))}), p95 ${fmt(share95)} ms (target p50 ≤ 10 ms): ${verdict(share50 <= 10)}`
	);
	report('server share p50 / p95 (total − floor)', `${fmt(share50)} / ${fmt(share95)} ms`, 'p50 ≤ 10 ms', share50 <= 10);
	report('total p50 / p95 (A sends → B has the row)', `${fmt(p(s.total, 50))} / ${fmt(p(s.total, 95))} ms`, 'info', null);
	report('floor p50 / p95 (/healthz POST then GET)', `${fmt(p(s.floor, 50))} / ${fmt(p(s.floor, 95))} ms`, 'floor', null);
	report('  A sends → poke reaches B, p50 / p95', `${fmt(p(s.poke, 50))} / ${fmt(p(s.poke, 95))} ms`, 'info', null);
	report('  A sends → A has the push answer, p50 / p95', `${fmt(p(s.pushAnswered, 50))} / ${fmt(p(s.pushAnswered, 95))} ms`, 'info', null);
	report('  POST /healthz round trip (floor’s first leg), p50 / p95', `${fmt(p(s.floorFirst, 50))} / ${fmt(p(s.floorFirst, 95))} ms`, 'info', null);
	report('  B’s pull that found it, round trip p50 / p95', `${fmt(p(s.pull, 50))} / ${fmt(p(s.pull, 95))} ms`, 'info', null);
}

async function liveQueryLatency(browser: Awaited<ReturnType<typeof openBenchPage>>): Promise<void> {
	const o = LIVE_QUERY;
	const r = await browser.call('liveQueryLatency', o);
	console.log(
		`liveQuery: a store of ${o.conversations} conversations × ${o.perConversation} messages in Chromium, ${r.queries.list + r.queries.conversation} liveQuery subscriptions open ` +
			`(${r.queries.list} readConversationList, ${r.queries.conversation} readConversation over every id). ${r.many.fromStart.length} writes, alternately message.create ` +
			`(seen by readConversation of its conversation) and conversation.rename (seen by readConversationList), each then acknowledged as a pull and left to settle. ` +
			`Timed: enqueue() called → the affected query emits a value containing the change (and, second, from enqueue() resolved). ` +
			`Floor: the same writes with only those 2 queries open, in blocks of ${o.block} alternating with the 100`
	);
	const p = (v: number[], q: number) => percentile(v, q);
	const pp = (v: number[]) => `${fmt(p(v, 50))} / ${fmt(p(v, 95))} ms`;
	const ok = (v: number[]) => p(v, 50) <= 3 && p(v, 95) <= 7;
	console.log(
		`  liveQuery: write → affected query updated, ${r.queries.list + r.queries.conversation} queries open, p50 ${fmt(p(r.many.fromStart, 50))} ms / p95 ${fmt(p(r.many.fromStart, 95))} ms; ` +
			`floor (2 queries) ${fmt(p(r.floor.fromStart, 50))} / ${fmt(p(r.floor.fromStart, 95))} ms (target ≤ 3 ms / ≤ 7 ms): ${verdict(ok(r.many.fromStart))}`
	);
	report('enqueue() called → affected query emits, 100 queries', pp(r.many.fromStart), '≤ 3 / ≤ 7 ms', ok(r.many.fromStart));
	report('enqueue() resolved → affected query emits, 100 queries', pp(r.many.fromResolved), '≤ 3 / ≤ 7 ms', ok(r.many.fromResolved));
	report('floor: called → emits, only the 2 affected queries', pp(r.floor.fromStart), 'floor', null);
	report('floor: resolved → emits, only the 2 affected queries', pp(r.floor.fromResolved), 'floor', null);
	report('  enqueue() called → resolved, 100 queries / 2 queries (p50)', `${fmt(p(r.many.enqueue, 50))} / ${fmt(p(r.floor.enqueue, 50))} ms`, 'info', null);
	report('  the open queries run once, all at once, no liveQuery (p50)', `${fmt(p(r.many.pass, 50))} / ${fmt(p(r.floor.pass, 50))} ms`, 'info', null);
	report('  …of which calling them (synchronous part) (p50)', `${fmt(p(r.many.passStart, 50))} / ${fmt(p(r.floor.passStart, 50))} ms`, 'info', null);
}
