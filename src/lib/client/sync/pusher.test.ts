import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushRequest } from '../../domain/sync';
import { PUSH_MAX_BYTES } from '../../domain/sync/limits';
import { enqueue } from '../store/mutate';
import { MemorySyncServer } from './memory-sync-server';
import { openDevice, quiet, type Device } from './sync-test-device';

const devices: Device[] = [];
afterEach(async () => {
	for (const d of devices.splice(0)) {
		await d.engine.stop();
		d.store.close();
	}
});

describe('pushOutbox', () => {
	it('splits pushes by size as well as count, so imported long texts stay under the server’s body limit', async () => {
		const server = new MemorySyncServer();
		const d = await openDevice(server, 'ada');
		devices.push(d);
		await enqueue(d.store, 'conversation.import', { id: 'c1', model: 'm', createdAt: 1, updatedAt: 1 });
		// Six batches of about 950 kB each: far more than one push may carry, far fewer than 100 mutations.
		for (let b = 0; b < 6; b++) {
			const messages = Array.from({ length: 2 }, (_, i) => ({
				id: `m${b}-${i}`,
				parentId: null,
				role: 'assistant' as const,
				content: 'é'.repeat(240_000),
				model: null,
				createdAt: 2
			}));
			await enqueue(d.store, 'message.import', { conversationId: 'c1', messages });
		}
		d.engine.start();
		await quiet(d.engine);
		const bodies = d.connection.calls
			.filter((c) => c.type === 'push')
			.map((c) => new TextEncoder().encode(JSON.stringify(c.request as PushRequest)).length);
		expect(bodies.length).toBeGreaterThan(1);
		for (const bytes of bodies) expect(bytes).toBeLessThan(PUSH_MAX_BYTES + 1_000); // the envelope around the mutations
		expect(server.rows('ada').messages).toHaveLength(12);
	});
});
