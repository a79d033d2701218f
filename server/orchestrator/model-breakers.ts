import { circuitBreaker, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, handleWhen } from 'cockatiel';
import type { EventBus } from '../events/event-bus';
import { countsAgainstProvider } from './classify-failure';

const STATE_NAME = {
	[CircuitState.Closed]: 'closed',
	[CircuitState.Open]: 'open',
	[CircuitState.HalfOpen]: 'half-open',
	[CircuitState.Isolated]: 'open'
} as const;

/**
 * One ConsecutiveBreaker per model: a failing model is paused without pausing the others.
 * (A SamplingBreaker never trips at a small team's traffic.)
 */
export class ModelBreakers {
	#breakers = new Map<string, CircuitBreakerPolicy>();

	constructor(
		private readonly threshold: number,
		private readonly halfOpenAfterMs: number,
		private readonly bus: EventBus
	) {}

	get(model: string): CircuitBreakerPolicy {
		let breaker = this.#breakers.get(model);
		if (!breaker) {
			breaker = circuitBreaker(handleWhen(countsAgainstProvider), {
				halfOpenAfter: this.halfOpenAfterMs,
				breaker: new ConsecutiveBreaker(this.threshold)
			});
			breaker.onStateChange((state) => this.bus.emit({ type: 'breaker', model, state: STATE_NAME[state] }));
			this.#breakers.set(model, breaker);
		}
		return breaker;
	}

	/** States for display and metrics. */
	snapshot(): Array<{ model: string; state: 'open' | 'half-open' | 'closed' }> {
		return [...this.#breakers].map(([model, b]) => ({ model, state: STATE_NAME[b.state] }));
	}
}
