package io.seckill.purchase.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Coalesces one activity's admissions: the first request goes out at once; requests that
 * arrive while {@code inFlight} calls are running wait and leave together, up to
 * {@code maxBatch}, as soon as a call returns. No timer, so an idle node adds no latency
 * and a busy one pays one Redis round trip per batch instead of per request. Each request
 * is still judged alone and atomically by the script.
 */
final class AdmissionBatches {

	/** One waiting admission and where its answer goes. */
	record Pending(RedisAdmission.Attempt attempt, MonoSink<Outcome> answer) {
	}

	private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final int maxBatch;

	private final int maxInFlight;

	private final Function<List<RedisAdmission.Attempt>, Mono<List<Outcome>>> call;

	AdmissionBatches(int maxBatch, int maxInFlight, Function<List<RedisAdmission.Attempt>, Mono<List<Outcome>>> call) {
		this.maxBatch = Math.max(1, maxBatch);
		this.maxInFlight = Math.max(1, maxInFlight);
		this.call = call;
	}

	Mono<Outcome> admit(RedisAdmission.Attempt attempt) {
		return Mono.create((sink) -> {
			this.waiting.add(new Pending(attempt, sink));
			drain();
		});
	}

	private void drain() {
		while (!this.waiting.isEmpty()) {
			int running = this.inFlight.get();
			if (running >= this.maxInFlight) {
				// The call that ends next drains again.
				return;
			}
			if (!this.inFlight.compareAndSet(running, running + 1)) {
				continue;
			}
			List<Pending> batch = new ArrayList<>(Math.min(this.maxBatch, 16));
			Pending next;
			while (batch.size() < this.maxBatch && (next = this.waiting.poll()) != null) {
				batch.add(next);
			}
			if (batch.isEmpty()) {
				this.inFlight.decrementAndGet();
				continue;
			}
			send(batch);
		}
	}

	private void send(List<Pending> batch) {
		List<RedisAdmission.Attempt> attempts = new ArrayList<>(batch.size());
		batch.forEach((pending) -> attempts.add(pending.attempt()));
		Mono<List<Outcome>> reply;
		try {
			reply = this.call.apply(attempts)
				.switchIfEmpty(Mono.error(() -> new IllegalStateException("The admission script answered nothing")));
		}
		catch (RuntimeException ex) {
			reply = Mono.error(ex);
		}
		reply.subscribe((outcomes) -> {
			for (int i = 0; i < batch.size(); i++) {
				batch.get(i).answer().success(outcomes.get(i));
			}
		}, (failure) -> {
			batch.forEach((pending) -> pending.answer().error(failure));
			finished();
		}, this::finished);
	}

	private void finished() {
		this.inFlight.decrementAndGet();
		drain();
	}

}
