package io.seckill.purchase.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Coalesces one activity's admissions: the first request goes out at once; requests that
 * arrive while {@code inFlight} calls are running wait and leave together, up to
 * {@code maxBatch}, as soon as a call returns. No timer, so an idle node adds no latency
 * and a busy one pays one Redis round trip per batch instead of per request. Each request
 * is still judged alone and atomically by the script.
 *
 * <p>
 * Waiting is bounded: past {@code maxWaiting} requests, or {@code maxWait} in the queue,
 * or once its client went away, a request is answered UNAVAILABLE without being sent, so
 * nothing is admitted for a client that was already told it failed.
 */
final class AdmissionBatches {

	/** One waiting admission and where its answer goes. */
	static final class Pending {

		final RedisAdmission.Attempt attempt;

		final MonoSink<Outcome> answer;

		final long queuedAt = System.nanoTime();

		volatile boolean cancelled;

		Pending(RedisAdmission.Attempt attempt, MonoSink<Outcome> answer) {
			this.attempt = attempt;
			this.answer = answer;
		}

	}

	private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();

	private final AtomicInteger waitingCount = new AtomicInteger();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final int maxBatch;

	private final int maxInFlight;

	private final int maxWaiting;

	private final long maxWaitNanos;

	private final Function<List<RedisAdmission.Attempt>, Mono<List<Outcome>>> call;

	AdmissionBatches(int maxBatch, int maxInFlight, int maxWaiting, Duration maxWait,
			Function<List<RedisAdmission.Attempt>, Mono<List<Outcome>>> call) {
		this.maxBatch = Math.max(1, maxBatch);
		this.maxInFlight = Math.max(1, maxInFlight);
		this.maxWaiting = Math.max(1, maxWaiting);
		this.maxWaitNanos = maxWait.toNanos();
		this.call = call;
	}

	Mono<Outcome> admit(RedisAdmission.Attempt attempt) {
		return Mono.create((sink) -> {
			if (this.waitingCount.incrementAndGet() > this.maxWaiting) {
				this.waitingCount.decrementAndGet();
				sink.error(notSent());
				return;
			}
			Pending pending = new Pending(attempt, sink);
			sink.onCancel(() -> pending.cancelled = true);
			this.waiting.add(pending);
			drain();
		});
	}

	private static ApiException notSent() {
		return new ApiException(ErrorCode.UNAVAILABLE, "Too many purchases are waiting for Redis; nothing was taken");
	}

	private void drain() {
		while (this.waitingCount.get() > 0) {
			int running = this.inFlight.get();
			if (running >= this.maxInFlight) {
				// The call that ends next drains again.
				return;
			}
			if (!this.inFlight.compareAndSet(running, running + 1)) {
				continue;
			}
			List<Pending> batch = takeBatch();
			if (batch.isEmpty()) {
				this.inFlight.decrementAndGet();
				continue;
			}
			send(batch);
		}
	}

	private List<Pending> takeBatch() {
		List<Pending> batch = new ArrayList<>(Math.min(this.maxBatch, 16));
		long now = System.nanoTime();
		Pending next;
		while (batch.size() < this.maxBatch && (next = this.waiting.poll()) != null) {
			this.waitingCount.decrementAndGet();
			if (next.cancelled) {
				continue;
			}
			if (now - next.queuedAt > this.maxWaitNanos) {
				next.answer.error(notSent());
				continue;
			}
			batch.add(next);
		}
		return batch;
	}

	private void send(List<Pending> batch) {
		List<RedisAdmission.Attempt> attempts = new ArrayList<>(batch.size());
		batch.forEach((pending) -> attempts.add(pending.attempt));
		AtomicBoolean finished = new AtomicBoolean();
		Mono<List<Outcome>> reply;
		try {
			reply = this.call.apply(attempts);
		}
		catch (RuntimeException ex) {
			reply = Mono.error(ex);
		}
		reply.subscribe((outcomes) -> {
			// The next batch may leave while these answers are handed out.
			finished(finished);
			for (int i = 0; i < batch.size(); i++) {
				if (i < outcomes.size()) {
					batch.get(i).answer.success(outcomes.get(i));
				}
				else {
					batch.get(i).answer.error(new IllegalStateException("The admission script answered too little"));
				}
			}
		}, (failure) -> {
			finished(finished);
			batch.forEach((pending) -> pending.answer.error(failure));
		}, () -> {
			if (!finished.get()) {
				finished(finished);
				batch.forEach((pending) -> pending.answer
					.error(new IllegalStateException("The admission script answered nothing")));
			}
		});
	}

	/** Frees the call's slot exactly once, whatever the reply did. */
	private void finished(AtomicBoolean finished) {
		if (finished.compareAndSet(false, true)) {
			this.inFlight.decrementAndGet();
			drain();
		}
	}

}
