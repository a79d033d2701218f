import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { readConversation } from '../store/queries';
import { MemorySyncServer } from '../sync/memory-sync-server';
import { openDevice, quiet, type Device } from '../sync/sync-test-device';
import { exportAllJson } from './export-json';
import { chatGptExportText } from './fixtures/chatgpt-export';
import { parseImportFile } from './parse';
import { planImport } from './plan';
import { readExistingConversationIds, runImport } from './run';

const MODEL = 'openai/gpt-4o-mini';
const devices: Device[] = [];
async function device(server: MemorySyncServer, userId: string) {
	const d = await openDevice(server, userId);
	devices.push(d);
	return d;
}
afterEach(async () => {
	for (const d of devices.splice(0)) {
		await d.engine.stop();
		d.store.close();
	}
});

async function importInto(d: Device, userId: string, text: string) {
	const plan = await planImport(parseImportFile(text), { userId, existing: await readExistingConversationIds(d.store.db), defaultModel: MODEL });
	return { plan, result: await runImport(d.store, plan) };
}

describe('import through sync (in-memory server)', () => {
	it('is accepted by the server, shows the same after the pull, and is not imported twice from another device', async () => {
		const server = new MemorySyncServer(() => 50);
		const first = await device(server, 'ada');
		const { plan } = await importInto(first, 'ada', chatGptExportText);
		const before = await exportAllJson(first.store.db, 1);
		first.engine.start();
		await quiet(first.engine);

		const rows = server.rows('ada');
		expect(rows.rejections).toEqual([]);
		expect(rows.conversations).toHaveLength(3);
		expect(rows.messages).toHaveLength(13);
		expect(await first.store.db.outbox.count()).toBe(0);
		for (const planned of plan.conversations) {
			const leafIds = planned.mutations.flatMap((m) => (m.name === 'conversation.setActiveLeaf' ? [m.args.leafId] : []));
			expect(leafIds).toHaveLength(1);
			expect(rows.conversations.find((c) => c.id === planned.id)?.activeLeafId).toBe(leafIds[0]);
		}
		// Pulled rows show what the queued import showed (the server sets updatedAt when it applies the settings).
		const strip = (e: typeof before) => e.conversations.map(({ updatedAt: _u, ...c }) => c).sort((a, b) => (a.id < b.id ? -1 : 1));
		expect(strip(await exportAllJson(first.store.db, 1))).toEqual(strip(before));

		const second = await device(server, 'ada');
		second.engine.start();
		await quiet(second.engine);
		const again = await importInto(second, 'ada', chatGptExportText);
		expect(again.plan.summary).toMatchObject({ conversations: 0, skipped: 3 });
		expect(await second.store.db.outbox.count()).toBe(0);
		const a = plan.conversations.find((c) => c.sourceId === 'conv-a');
		expect((await readConversation(second.store.db, a?.id ?? ''))?.branch).toHaveLength(4);
	});

	it('lets two people import the same file', async () => {
		const server = new MemorySyncServer(() => 50);
		const ada = await device(server, 'ada');
		const bob = await device(server, 'bob');
		await importInto(ada, 'ada', chatGptExportText);
		await importInto(bob, 'bob', chatGptExportText);
		ada.engine.start();
		bob.engine.start();
		await quiet(ada.engine);
		await quiet(bob.engine);
		for (const user of ['ada', 'bob']) {
			expect(server.rows(user).rejections).toEqual([]);
			expect(server.rows(user).messages).toHaveLength(13);
		}
	});
});
