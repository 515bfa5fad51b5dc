package io.seckill.purchase.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
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
 * shared one it would hold up every other command of the node. On a Redis Cluster it is a
 * cluster connection of its own, and each batch runs on its connection to the primary
 * that serves the activity's slot now (the script's keys and the probe share that slot;
 * WAIT counts that primary's replicas). A batch sent to a primary that has just lost the
 * slot is refused ({@code MOVED}) and answered as unavailable, like a failed WAIT; the
 * next batch goes to the new primary once the topology is refreshed.
 */
@Component
class ReplicaAcks implements DisposableBean {

	private static final ByteBuffer PROBE_VALUE = ByteBuffer.wrap("1".getBytes(StandardCharsets.US_ASCII));

	private static final long PROBE_TTL_MILLIS = 60_000;

	private final RedisConnectionFactory factory;

	private final int replicas;

	private final long timeoutMillis;

	private final AtomicReference<Mono<AckedConnection>> connection = new AtomicReference<>();

	private final AtomicLong nextRefreshAt = new AtomicLong(System.nanoTime());

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
		return connection().flatMap((connected) -> connected.toPrimaryOf(probe).flatMap((commands) -> {
			// Subscribed in this order, so sent in this order on the one connection.
			return Mono
				.zip(call.apply(commands), commands.psetex(probe, PROBE_TTL_MILLIS, PROBE_VALUE.duplicate()),
						commands.waitForReplication(this.replicas, this.timeoutMillis))
				.map((done) -> new Acked<>(done.getT1(), done.getT3() >= this.replicas));
		}).doOnError((ex) -> connected.failed()));
	}

	/**
	 * The node's acknowledged connection, opened on first use from the client Spring
	 * built (its Sentinel, server or cluster addresses, credentials, timeouts and
	 * topology refresh); Lettuce reconnects it after a failover. A failed open is tried
	 * again on the next call.
	 */
	private Mono<AckedConnection> connection() {
		Mono<AckedConnection> current = this.connection.get();
		if (current != null) {
			return current;
		}
		Mono<AckedConnection> opening = Mono.fromCallable(this::open)
			.subscribeOn(Schedulers.boundedElastic())
			.doOnError((ex) -> this.connection.set(null))
			.cache();
		return this.connection.compareAndSet(null, opening) ? opening : this.connection.get();
	}

	private AckedConnection open() {
		Object client = (this.factory instanceof LettuceConnectionFactory lettuce) ? lettuce.getRequiredNativeClient()
				: null;
		if (client instanceof RedisClusterClient cluster) {
			StatefulRedisClusterConnection<ByteBuffer, ByteBuffer> connected = cluster.connect(new ByteBuffers());
			return new AckedConnection(connected, (probe) -> primaryOf(connected, probe),
					() -> refreshTopology(cluster));
		}
		if (client instanceof RedisClient standalone) {
			StatefulRedisConnection<ByteBuffer, ByteBuffer> connected = standalone.connect(new ByteBuffers());
			return new AckedConnection(connected, (probe) -> Mono.just(connected.reactive()), () -> {
			});
		}
		throw new IllegalStateException("seckill.purchase.replica-acks needs Redis through Lettuce");
	}

	/**
	 * The connection to the primary that serves {@code probe}'s slot in the known
	 * topology.
	 */
	private static Mono<RedisReactiveCommands<ByteBuffer, ByteBuffer>> primaryOf(
			StatefulRedisClusterConnection<ByteBuffer, ByteBuffer> cluster, ByteBuffer probe) {
		RedisClusterNode primary = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(probe.duplicate()));
		if (primary == null) {
			return Mono.error(new IllegalStateException("No Redis Cluster primary serves the slot of the probe key"));
		}
		return Mono.fromFuture(cluster.getConnectionAsync(primary.getNodeId())).map(StatefulRedisConnection::reactive);
	}

	/**
	 * A node connection does not follow {@code MOVED} (the cluster's routing does), so a
	 * batch that failed on a node (it lost the slot, or died) asks for a topology
	 * refresh, at most one a second: the next batch goes to the new primary.
	 */
	private void refreshTopology(RedisClusterClient cluster) {
		long now = System.nanoTime();
		long next = this.nextRefreshAt.get();
		if (now - next >= 0 && this.nextRefreshAt.compareAndSet(next, now + TimeUnit.SECONDS.toNanos(1))) {
			cluster.refreshPartitionsAsync();
		}
	}

	@Override
	public void destroy() {
		Mono<AckedConnection> current = this.connection.getAndSet(null);
		if (current != null) {
			current.toFuture().thenAccept((acked) -> acked.connection().close());
		}
	}

	/**
	 * The node's acknowledged connection, and how it reaches the primary of a probe key's
	 * slot (on a standalone or Sentinel Redis: the connection itself).
	 */
	private record AckedConnection(StatefulConnection<ByteBuffer, ByteBuffer> connection,
			Function<ByteBuffer, Mono<RedisReactiveCommands<ByteBuffer, ByteBuffer>>> route, Runnable onFailure) {

		Mono<RedisReactiveCommands<ByteBuffer, ByteBuffer>> toPrimaryOf(ByteBuffer probe) {
			return this.route.apply(probe);
		}

		void failed() {
			this.onFailure.run();
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
