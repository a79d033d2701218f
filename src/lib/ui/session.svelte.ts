import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { clearLastUser, readLastUser, writeLastUser } from '../client/store/storage';
import { errorMessage, trpc } from '../client/trpc';
import { workspace } from './workspace.svelte';

export interface SessionUser {
	id: string;
	username: string;
	isAdmin: boolean;
}

type Phase = 'loading' | 'setup' | 'login' | 'ready' | 'unreachable';

/** Who is signed in, and which screen that means. One instance for the app. */
class Session {
	phase = $state<Phase>('loading');
	user = $state<SessionUser | null>(null);
	error = $state<string | null>(null);
	/** Ready from this device's data while the server cannot be reached (it is checked again later). */
	offline = $state(false);

	async load(): Promise<void> {
		try {
			const status = await trpc.auth.status.query();
			this.offline = false;
			this.error = null;
			if (status.user) await this.#enter(status.user);
			else this.phase = status.needsSetup ? 'setup' : 'login';
		} catch (error) {
			// No server: the last user's local data still opens and reads, and writes queue.
			const last = readLastUser();
			if (last) {
				this.offline = true;
				await this.#enter({ ...last, isAdmin: false });
				// Back online: learn who the server says is signed in (an expired session shows as "Signed out").
				window.addEventListener('online', () => void this.#recheck(), { once: true });
			} else {
				this.phase = 'unreachable';
				this.error = errorMessage(error);
			}
		}
	}

	async setup(input: { setupCode: string; username: string; password: string }): Promise<void> {
		await this.#enter(await trpc.auth.setup.mutate(input));
	}

	async login(input: { username: string; password: string }): Promise<void> {
		const user = await trpc.auth.login.mutate(input);
		const resuming = workspace.store?.userId === user.id;
		await this.#enter(user);
		if (resuming) workspace.resume();
	}

	/** "Keep" leaves this device's copy for the next sign-in; "wipe" deletes it (the server keeps everything synced). */
	async logout(keep: boolean): Promise<void> {
		const user = this.user;
		await trpc.auth.logout.mutate().catch(() => undefined);
		if (user && !keep) await workspace.wipe(user.id);
		else await workspace.close();
		clearLastUser();
		this.user = null;
		this.phase = 'login';
		// The next person starts from the top, not on a page of the previous one's conversations.
		await goto(resolve('/'));
	}

	/** The session ended on the server (expired): sign in again; this device keeps its data and queue. */
	expired(): void {
		this.phase = 'login';
	}

	async #recheck(): Promise<void> {
		try {
			const status = await trpc.auth.status.query();
			this.offline = false;
			if (status.user && status.user.id === this.user?.id) this.user = status.user;
		} catch {
			window.addEventListener('online', () => void this.#recheck(), { once: true });
		}
	}

	async #enter(user: SessionUser): Promise<void> {
		writeLastUser({ id: user.id, username: user.username });
		// Another person on this browser: close the previous user's store before anything renders.
		if (workspace.store && workspace.store.userId !== user.id) await workspace.close();
		this.user = user;
		await workspace.open(user.id);
		this.phase = 'ready';
	}
}

export const session = new Session();
