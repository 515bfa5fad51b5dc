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
 * Coalesces concurrent requests to Redis into shared calls: the first request goes out at
 * once; requests that arrive while {@code inFlight} calls are running wait and leave
 * together, up to {@code maxBatch}, as soon as a call returns. No timer, so an idle node
 * adds no latency and a busy one pays one Redis round trip per batch instead of per
 * request. Used for one activity's admissions (each request still judged alone and
 * atomically by the script) and for its replay lookups (one MGET).
 *
 * <p>
 * The call answers each request in order; a {@code null} answer completes that request
 * empty.
 *
 * <p>
 * Waiting is bounded: past {@code maxWaiting} requests, or {@code maxWait} in the queue,
 * a request is answered UNAVAILABLE without being sent, so nothing is admitted for a
 * client that was already told it failed; one whose client went away is dropped unsent.
 */
final class CoalescedCalls<I, O> {

	/** One waiting request and where its answer goes. */
	static final class Pending<I, O> {

		final I request;

		final MonoSink<O> answer;

		final long queuedAt = System.nanoTime();

		volatile boolean cancelled;

		Pending(I request, MonoSink<O> answer) {
			this.request = request;
			this.answer = answer;
		}

	}

	private final Queue<Pending<I, O>> waiting = new ConcurrentLinkedQueue<>();

	private final AtomicInteger waitingCount = new AtomicInteger();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final int maxBatch;

	private final int maxInFlight;

	private final int maxWaiting;

	private final long maxWaitNanos;

	private final Function<List<I>, Mono<List<O>>> call;

	CoalescedCalls(int maxBatch, int maxInFlight, int maxWaiting, Duration maxWait,
			Function<List<I>, Mono<List<O>>> call) {
		this.maxBatch = Math.max(1, maxBatch);
		this.maxInFlight = Math.max(1, maxInFlight);
		this.maxWaiting = Math.max(1, maxWaiting);
		this.maxWaitNanos = maxWait.toNanos();
		this.call = call;
	}

	/** The request's answer once its batch returns (empty for a {@code null} answer). */
	Mono<O> call(I request) {
		return Mono.create((sink) -> {
			if (this.waitingCount.incrementAndGet() > this.maxWaiting) {
				this.waitingCount.decrementAndGet();
				sink.error(notSent());
				return;
			}
			Pending<I, O> pending = new Pending<>(request, sink);
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
			List<Pending<I, O>> batch = takeBatch();
			if (batch.isEmpty()) {
				this.inFlight.decrementAndGet();
				continue;
			}
			send(batch);
		}
	}

	private List<Pending<I, O>> takeBatch() {
		List<Pending<I, O>> batch = new ArrayList<>(Math.min(this.maxBatch, 16));
		long now = System.nanoTime();
		Pending<I, O> next;
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

	private void send(List<Pending<I, O>> batch) {
		List<I> requests = new ArrayList<>(batch.size());
		batch.forEach((pending) -> requests.add(pending.request));
		AtomicBoolean finished = new AtomicBoolean();
		Mono<List<O>> reply;
		try {
			reply = this.call.apply(requests);
		}
		catch (RuntimeException ex) {
			reply = Mono.error(ex);
		}
		reply.subscribe((answers) -> {
			// The next batch may leave while these answers are handed out.
			finished(finished);
			for (int i = 0; i < batch.size(); i++) {
				if (i < answers.size()) {
					batch.get(i).answer.success(answers.get(i));
				}
				else {
					batch.get(i).answer.error(new IllegalStateException("Redis answered too little"));
				}
			}
		}, (failure) -> {
			finished(finished);
			batch.forEach((pending) -> pending.answer.error(failure));
		}, () -> {
			if (!finished.get()) {
				finished(finished);
				batch.forEach((pending) -> pending.answer.error(new IllegalStateException("Redis answered nothing")));
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
