package io.seckill.purchase.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.RedisCodec;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Replica acknowledgements for admissions ({@code seckill.purchase.replica-acks}). Redis
 * replicates asynchronously: a purchase the primary has admitted is lost if the primary
 * dies, or is cut off and demoted, before a replica has it. With acknowledgements on, a
 * batch's script runs on a connection of its own, followed by a write to the activity's
 * probe key and {@code WAIT n timeout}: WAIT counts the replicas that have this
 * connection's writes up to the probe, and so everything the primary took before it (the
 * replication stream is one sequence), including a first admission that another node made
 * and this batch only replays. Pipelined on that one connection: one round trip plus the
 * replicas' acknowledgement per batch.
 * <p>
 * The connection is its own because WAIT blocks the connection it is sent on: on the
 * shared one it would hold up every other command of the node.
 */
@Component
class ReplicaAcks implements DisposableBean {

	private static final ByteBuffer PROBE_VALUE = ByteBuffer.wrap("1".getBytes(StandardCharsets.US_ASCII));

	private static final long PROBE_TTL_MILLIS = 60_000;

	private final RedisConnectionFactory factory;

	private final int replicas;

	private final long timeoutMillis;

	private final AtomicReference<Mono<StatefulRedisConnection<ByteBuffer, ByteBuffer>>> connection = new AtomicReference<>();

	ReplicaAcks(RedisConnectionFactory factory, PurchaseSettings settings) {
		this.factory = factory;
		this.replicas = settings.replicaAcks();
		this.timeoutMillis = settings.replicaAckTimeout().toMillis();
	}

	boolean enabled() {
		return this.replicas > 0;
	}

	/** A call's result, and whether the replicas acknowledged everything up to it. */
	record Acked<T>(T result, boolean acknowledged) {
	}

	/**
	 * Runs {@code call} on the acknowledged connection, then the probe write and WAIT,
	 * all pipelined. Fails when any of them fails (a primary short of replicas refuses
	 * writes with NOREPLICAS when {@code min-replicas-to-write} is set).
	 */
	<T> Mono<Acked<T>> run(Function<RedisReactiveCommands<ByteBuffer, ByteBuffer>, Mono<T>> call, String probeKey) {
		ByteBuffer probe = ByteBuffer.wrap(probeKey.getBytes(StandardCharsets.UTF_8));
		return connection().flatMap((connected) -> {
			RedisReactiveCommands<ByteBuffer, ByteBuffer> commands = connected.reactive();
			// Subscribed in this order, so sent in this order on the one connection.
			return Mono
				.zip(call.apply(commands), commands.psetex(probe, PROBE_TTL_MILLIS, PROBE_VALUE.duplicate()),
						commands.waitForReplication(this.replicas, this.timeoutMillis))
				.map((done) -> new Acked<>(done.getT1(), done.getT3() >= this.replicas));
		});
	}

	/**
	 * The node's acknowledged connection, opened on first use from the client Spring
	 * built (its Sentinel or server address, credentials and timeouts); Lettuce
	 * reconnects it after a failover. A failed open is tried again on the next call.
	 */
	private Mono<StatefulRedisConnection<ByteBuffer, ByteBuffer>> connection() {
		Mono<StatefulRedisConnection<ByteBuffer, ByteBuffer>> current = this.connection.get();
		if (current != null) {
			return current;
		}
		Mono<StatefulRedisConnection<ByteBuffer, ByteBuffer>> opening = Mono.fromCallable(this::open)
			.subscribeOn(Schedulers.boundedElastic())
			.doOnError((ex) -> this.connection.set(null))
			.cache();
		return this.connection.compareAndSet(null, opening) ? opening : this.connection.get();
	}

	private StatefulRedisConnection<ByteBuffer, ByteBuffer> open() {
		if (!(this.factory instanceof LettuceConnectionFactory lettuce)
				|| !(lettuce.getRequiredNativeClient() instanceof RedisClient client)) {
			throw new IllegalStateException(
					"seckill.purchase.replica-acks needs a standalone or Sentinel Redis through Lettuce");
		}
		return client.connect(new ByteBuffers());
	}

	@Override
	public void destroy() {
		Mono<StatefulRedisConnection<ByteBuffer, ByteBuffer>> current = this.connection.getAndSet(null);
		if (current != null) {
			current.toFuture().thenAccept(StatefulRedisConnection::close);
		}
	}

	/** Keys and values as buffers, like Spring's reactive connections use. */
	private static final class ByteBuffers implements RedisCodec<ByteBuffer, ByteBuffer> {

		@Override
		public ByteBuffer decodeKey(ByteBuffer bytes) {
			return copy(bytes);
		}

		@Override
		public ByteBuffer decodeValue(ByteBuffer bytes) {
			return copy(bytes);
		}

		@Override
		public ByteBuffer encodeKey(ByteBuffer key) {
			return key.duplicate();
		}

		@Override
		public ByteBuffer encodeValue(ByteBuffer value) {
			return value.duplicate();
		}

		// Lettuce reuses its read buffers.
		private static ByteBuffer copy(ByteBuffer source) {
			ByteBuffer copy = ByteBuffer.allocate(source.remaining());
			copy.put(source).flip();
			return copy;
		}

	}

}
