import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { eventually, id, m, signUp, watchEvents } from '../helpers/sync-client';

describe('sync pokes on events.watch', () => {
	let app: TestApp;

	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());

	it('a device watching events is told to pull when another device of the same user pushes; the poke carries no data', async () => {
		const laptop = await signUp(app);
		const phone = laptop.sibling();
		const watching = await watchEvents(app, laptop.http);
		try {
			await phone.push(m.createConversation(id('conv'), { title: 'From the phone' }));
			await eventually(() => watching.syncs().length >= 1, 5_000, 'a sync poke');
			const [poke] = watching.syncs();
			expect(Object.keys(poke ?? {}).sort()).toEqual(['at', 'type']);
			expect(JSON.stringify(watching.events)).not.toContain('From the phone');
		} finally {
			await watching.close();
		}
	});

	it('another user’s push, and a push that changes nothing, poke nobody', async () => {
		const ada = await signUp(app);
		const adaPhone = ada.sibling();
		const bob = await signUp(app);
		const watching = await watchEvents(app, ada.http);
		try {
			// Marks: each of these pushes of Ada's pokes her exactly once, in order on the one bus.
			await adaPhone.push(m.createConversation(id('conv')));
			await eventually(() => watching.syncs().length === 1, 5_000, 'the first mark');

			const conv = id('conv');
			await bob.push(m.createConversation(conv), m.rename(conv, 'Bob’s'));
			await bob.push(m.rename(id('conv'), 'rejected, still a change of Bob’s'));
			// Ada's phone resends what the server already has: nothing changes.
			await adaPhone.pushRaw([{ id: 1, name: 'conversation.create', args: m.createConversation(id('conv')).args }]);
			await adaPhone.pushRaw([]);

			await adaPhone.push(m.createConversation(id('conv')));
			await eventually(() => watching.syncs().length >= 2, 5_000, 'the second mark');
			// Bus events are delivered in order: anything for Bob's pushes or the no-op would have come before the mark.
			expect(watching.syncs()).toHaveLength(2);
		} finally {
			await watching.close();
		}
	});

	it('a reply’s progress pokes the devices of its owner', async () => {
		const ada = await signUp(app);
		const watching = await watchEvents(app, ada.http);
		try {
			const [conv, question, answer, generation] = [id('conv'), id('msg'), id('msg'), id('gen')];
			await ada.push(
				m.createConversation(conv),
				m.message(question, conv, null, 'Hello [[sim:len=50]]'),
				m.reply({ id: generation, conversationId: conv, userMessageId: question, assistantMessageId: answer })
			);
			await eventually(() => watching.events.some((e) => e.type === 'generation' && e.generationId === generation && e.state === 'done'), 10_000, 'the reply to end');
			// One for the push, one when it started running, one when it ended (and one when its cost settled).
			await eventually(() => watching.syncs().length >= 3, 5_000, 'pokes');
		} finally {
			await watching.close();
		}
	});
});
