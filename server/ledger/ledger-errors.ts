import { formatUsd, nanoUsd } from '../../src/lib/domain/money';
import type { BudgetPeriod } from './periods';

/** A hard limit would be passed: the call is refused before it is made (402 on /v1). */
export class BudgetExceededError extends Error {
	override name = 'BudgetExceededError';
	constructor(
		readonly scope: 'user' | 'team',
		readonly period: BudgetPeriod,
		readonly limitNanoUsd: number,
		readonly committedNanoUsd: number,
		readonly neededNanoUsd: number
	) {
		super(
			`Budget exceeded: this reply could cost up to $${usd(neededNanoUsd)}, and the ${scope} budget has ` +
				`$${usd(Math.max(0, limitNanoUsd - committedNanoUsd))} of $${usd(limitNanoUsd)} left this ${period === 'total' ? 'budget' : period}. ` +
				'Ask an admin to raise the limit, or choose a cheaper model or a shorter max_tokens.'
		);
	}
}

const usd = (nano: number) => formatUsd(nanoUsd(nano)).replace(/^\$/, '');

/**
 * A call's reservation was held in memory but its row could not be written (disk full, I/O
 * error): the call is ended before its first token, and nothing is charged for it.
 */
export class ReservationNotSavedError extends Error {
	override name = 'ReservationNotSavedError';
	constructor(cause: unknown) {
		super('The server could not save the budget reservation for this reply, so it was stopped before it began; nothing was charged. Try again.', { cause });
	}
}
