package io.seckill.order.internal;

import java.time.Duration;
import java.util.function.Supplier;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.order.internal.PaymentProvider.ProviderUnavailableException;

import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.stereotype.Component;

/**
 * The order module's two retries, on Resilience4j (its metrics,
 * {@code resilience4j.retry.calls}, show on the management port):
 * <ul>
 * <li>a transaction the database rolled back as a deadlock victim or lock timeout
 * (nothing of it happened): concurrent expiries, cancellations and payments updating the
 * same rows and index entries meet that way on InnoDB;</li>
 * <li>a payment-provider call that got no answer: asked again with the same idempotency
 * key, which the provider's contract makes safe.</li>
 * </ul>
 * Both block (they run on the blocking scheduler or on the workers' sweep thread).
 */
@Component
class OrderRetries {

	private final Retry lockConflicts;

	private final Retry providerCalls;

	OrderRetries(MeterRegistry meters) {
		RetryRegistry registry = RetryRegistry.ofDefaults();
		this.lockConflicts = registry.retry("order-lock-conflicts",
				RetryConfig.custom()
					.maxAttempts(5)
					.intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(10), 2))
					.retryExceptions(PessimisticLockingFailureException.class)
					.build());
		this.providerCalls = registry.retry("payment-provider",
				RetryConfig.custom()
					.maxAttempts(3)
					.intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(100), 2))
					.retryExceptions(ProviderUnavailableException.class)
					.build());
		TaggedRetryMetrics.ofRetryRegistry(registry).bindTo(meters);
	}

	<T> T onLockConflict(Supplier<T> transaction) {
		return this.lockConflicts.executeSupplier(transaction);
	}

	<T> T onNoAnswer(Supplier<T> providerCall) {
		return this.providerCalls.executeSupplier(providerCall);
	}

}
