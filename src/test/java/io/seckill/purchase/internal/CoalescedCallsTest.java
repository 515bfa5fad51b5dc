package io.seckill.purchase.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coalescing logic alone (the script itself is tested against Redis in
 * AdmissionScriptIT and under a crowd in PurchaseRaceIT): every request gets its own
 * answer, batches and calls in flight stay within their bounds, failures reach every
 * member of the batch.
 */
class CoalescedCallsTest {

	private static RedisAdmission.Attempt attempt(long user) {
		return new RedisAdmission.Attempt(1, 1, user, null, "1-" + user, null, "10.0.0.1");
	}

	@Test
	void concurrentRequestsShareCallsWithinTheBoundsAndEachGetsItsOwnAnswer() throws Exception {
		AtomicInteger running = new AtomicInteger();
		AtomicInteger mostRunning = new AtomicInteger();
		ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>();
		CoalescedCalls<RedisAdmission.Attempt, Outcome> batches = new CoalescedCalls<>(16, 2, 100_000,
				Duration.ofSeconds(30), (attempts) -> {
					mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
					sizes.add(attempts.size());
					List<Outcome> answers = new ArrayList<>();
					attempts.forEach((attempt) -> answers.add(new Outcome.Queued("t" + attempt.userId())));
					return Mono.delay(Duration.ofMillis(2), Schedulers.parallel())
						.doOnNext((tick) -> running.decrementAndGet())
						.thenReturn(answers);
				});
		int requests = 2000;
		ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
		CountDownLatch answered = new CountDownLatch(requests);
		ExecutorService senders = Executors.newFixedThreadPool(8);
		for (int i = 0; i < requests; i++) {
			long user = i;
			senders.execute(() -> batches.call(attempt(user)).subscribe((outcome) -> {
				if (!((Outcome.Queued) outcome).ticket().equals("t" + user)) {
					mismatches.add(user + " got " + outcome);
				}
				answered.countDown();
			}));
		}
		assertThat(answered.await(30, TimeUnit.SECONDS)).isTrue();
		senders.shutdown();

		assertThat(mismatches).isEmpty();
		assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(requests);
		assertThat(sizes).allSatisfy((size) -> assertThat(size).isBetween(1, 16));
		assertThat(sizes.size()).as("calls").isLessThan(requests);
		assertThat(mostRunning.get()).isLessThanOrEqualTo(2);
	}

	@Test
	void requestsOverTheQueueLimitOrWaitingTooLongAreNotSent() throws InterruptedException {
		ConcurrentLinkedQueue<Long> sent = new ConcurrentLinkedQueue<>();
		reactor.core.publisher.Sinks.One<List<Outcome>> firstReply = reactor.core.publisher.Sinks.one();
		AtomicInteger calls = new AtomicInteger();
		CoalescedCalls<RedisAdmission.Attempt, Outcome> batches = new CoalescedCalls<>(16, 1, 2, Duration.ofMillis(200),
				(attempts) -> {
					attempts.forEach((attempt) -> sent.add(attempt.userId()));
					List<Outcome> answers = attempts.stream().<Outcome>map((attempt) -> Outcome.SOLD_OUT).toList();
					return (calls.incrementAndGet() == 1) ? firstReply.asMono().thenReturn(answers)
							: Mono.just(answers);
				});
		batches.call(attempt(1)).subscribe();
		List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
		batches.call(attempt(2)).subscribe((outcome) -> {
		}, failures::add);
		batches.call(attempt(3)).subscribe((outcome) -> {
		}, failures::add);
		batches.call(attempt(4)).subscribe((outcome) -> {
		}, failures::add);
		// Queue limit 2: the fourth is refused at once.
		assertThat(failures).hasSize(1);
		Thread.sleep(300);
		firstReply.tryEmitValue(List.of(Outcome.SOLD_OUT));

		// The two that waited past 200 ms are answered without being sent.
		assertThat(failures).hasSize(3)
			.allSatisfy((failure) -> assertThat(failure).isInstanceOf(io.seckill.platform.web.ApiException.class));
		assertThat(sent).containsExactly(1L);
	}

	@Test
	void aShortReplyFailsTheRequestsItLeftOutAndFreesTheCallOnce() {
		AtomicInteger calls = new AtomicInteger();
		CoalescedCalls<RedisAdmission.Attempt, Outcome> batches = new CoalescedCalls<>(16, 1, 100,
				Duration.ofSeconds(30), (attempts) -> (calls.incrementAndGet() == 1) ? Mono.just(List.<Outcome>of())
						: Mono.just(attempts.stream().<Outcome>map((attempt) -> Outcome.SOLD_OUT).toList()));

		assertThat(batches.call(attempt(1)).onErrorResume((ex) -> Mono.just(Outcome.NOT_FOUND)).block())
			.isEqualTo(Outcome.NOT_FOUND);
		assertThat(batches.call(attempt(2)).block()).isEqualTo(Outcome.SOLD_OUT);
		assertThat(batches.call(attempt(3)).block()).isEqualTo(Outcome.SOLD_OUT);
	}

	@Test
	void aFailedCallFailsEveryRequestInItAndTheNextCallsStillGoOut() {
		AtomicInteger calls = new AtomicInteger();
		CoalescedCalls<RedisAdmission.Attempt, Outcome> batches = new CoalescedCalls<>(16, 1, 100,
				Duration.ofSeconds(30),
				(attempts) -> (calls.incrementAndGet() == 1) ? Mono.error(new IllegalStateException("Redis went away"))
						: Mono.just(attempts.stream().<Outcome>map((attempt) -> Outcome.SOLD_OUT).toList()));

		assertThat(batches.call(attempt(1)).onErrorResume((ex) -> Mono.just(Outcome.NOT_FOUND)).block())
			.isEqualTo(Outcome.NOT_FOUND);
		assertThat(batches.call(attempt(2)).block()).isEqualTo(Outcome.SOLD_OUT);
	}

	@Test
	void aNullAnswerCompletesItsRequestEmptyAndTheOthersGetTheirs() {
		// As an MGET answers a key that is not there: "not a replay".
		Sinks.One<Boolean> redisAnswers = Sinks.one();
		CoalescedCalls<String, String> lookups = new CoalescedCalls<>(16, 1, 100, Duration.ofSeconds(30),
				(keys) -> redisAnswers.asMono().map((ignored) -> {
					List<String> values = new ArrayList<>();
					keys.forEach((key) -> values.add(key.equals("k2") ? null : "ticket-of-" + key));
					return values;
				}));
		java.util.Map<String, String> answers = new java.util.concurrent.ConcurrentHashMap<>();
		for (String key : List.of("k1", "k2", "k3")) {
			lookups.call(key).defaultIfEmpty("empty").subscribe((answer) -> answers.put(key, answer));
		}

		redisAnswers.tryEmitValue(true);

		assertThat(answers).containsExactlyInAnyOrderEntriesOf(
				java.util.Map.of("k1", "ticket-of-k1", "k2", "empty", "k3", "ticket-of-k3"));
	}

}
