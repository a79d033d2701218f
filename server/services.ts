import type Database from 'better-sqlite3';
import type { LoginThrottle } from './auth/login-throttle';
import type { SetupCode } from './auth/setup-code';
import type { SessionStore } from './auth/sessions';
import type { Db } from './db/client';
import type { Env } from './env';
import type { Logger } from './log';
import type { EventBus } from './events/event-bus';
import type { GenerationJobs } from './generations/generation-jobs';
import type { JobMetering } from './ledger/metering';
import type { PolicyOrchestrator } from './orchestrator/orchestrator';
import type { Upstream } from './orchestrator/upstream';

/** Everything a request handler may use, built once at boot and passed down explicitly. */
export interface Services {
	env: Env;
	log: Logger;
	db: Db;
	sqlite: Database.Database;
	sessions: SessionStore;
	setupCode: SetupCode;
	loginThrottle: LoginThrottle;
	upstream: Upstream;
	/** The one event bus of the process. */
	bus: EventBus;
	orchestrator: PolicyOrchestrator;
	/** The ledger, the model catalog and the group-commit writer. */
	metering: JobMetering;
	jobs: GenerationJobs;
	/** Cookies get `Secure` when the app is served over https. */
	secureCookies: boolean;
}
