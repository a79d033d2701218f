import { errorMessage, trpc } from '../client/trpc';

export interface SessionUser {
	id: string;
	username: string;
	isAdmin: boolean;
}

type Phase = 'loading' | 'setup' | 'login' | 'ready' | 'offline';

/** Who is signed in, and which screen that means. One instance for the app. */
class Session {
	phase = $state<Phase>('loading');
	user = $state<SessionUser | null>(null);
	error = $state<string | null>(null);

	async load(): Promise<void> {
		try {
			const status = await trpc.auth.status.query();
			this.user = status.user;
			this.phase = status.user ? 'ready' : status.needsSetup ? 'setup' : 'login';
			this.error = null;
		} catch (error) {
			this.phase = 'offline';
			this.error = errorMessage(error);
		}
	}

	async setup(input: { setupCode: string; username: string; password: string }): Promise<void> {
		this.user = await trpc.auth.setup.mutate(input);
		this.phase = 'ready';
	}

	async login(input: { username: string; password: string }): Promise<void> {
		this.user = await trpc.auth.login.mutate(input);
		this.phase = 'ready';
	}

	async logout(): Promise<void> {
		await trpc.auth.logout.mutate();
		this.user = null;
		this.phase = 'login';
	}
}

export const session = new Session();
