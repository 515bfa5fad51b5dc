package io.seckill.purchase.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param rateLimit purchase requests a shopper may send per {@code rateWindow} and
 * activity, counted in Redis inside the admission script so every node enforces one limit
 * (0 turns it off)
 * @param rateWindow the window of both rate limits
 * @param batchSize at most this many purchases share one admission script call (1 turns
 * coalescing off); the same bounds apply to the replay lookups of keyed requests refused
 * in memory (one MGET per batch)
 * @param batchesInFlight admission calls a node keeps in flight per activity; requests
 * that arrive meanwhile wait and go together in the next call
 * @param batchQueueLimit purchases that may wait for a call per activity and node; more
 * are answered UNAVAILABLE at once (nothing was sent, nothing taken)
 * @param batchWaitLimit a purchase that waited this long for a call is not sent but
 * answered UNAVAILABLE (its client or balancer has likely given up)
 * @param ipRateLimit purchase requests one client IP may send per {@code rateWindow} and
 * activity, also counted in the admission script (0, the default, turns it off; set
 * {@code seckill.web.trusted-proxies} first when behind a balancer)
 * @param idempotencyTtl how long an Idempotency-Key is remembered
 * @param ticketTtl how long a ticket stays readable
 * @param soldOutRecheck how long this node answers SOLD_OUT from its local flag before
 * asking Redis again (the flag is also dropped at once when an admin raises stock)
 * @param replicaAcks before a purchase is answered QUEUED (or a retry is answered with
 * its first ticket), this many Redis replicas must have acknowledged everything up to
 * that batch ({@code WAIT}, once per batch); 0, the default, answers as soon as the
 * primary has it. Pair it with {@code min-replicas-to-write} on the primaries
 * @param replicaAckTimeout how long a batch waits for those acknowledgements; past it,
 * its purchases are answered UNAVAILABLE with their tickets
 */
@ConfigurationProperties("seckill.purchase")
record PurchaseSettings(@DefaultValue("10") int rateLimit, @DefaultValue("1s") Duration rateWindow,
		@DefaultValue("10m") Duration idempotencyTtl, @DefaultValue("24h") Duration ticketTtl,
		@DefaultValue("1s") Duration soldOutRecheck, @DefaultValue("0") int ipRateLimit,
		@DefaultValue("64") int batchSize, @DefaultValue("2") int batchesInFlight,
		@DefaultValue("10000") int batchQueueLimit, @DefaultValue("3s") Duration batchWaitLimit,
		@DefaultValue("0") int replicaAcks, @DefaultValue("500ms") Duration replicaAckTimeout) {

	PurchaseSettings {
		// The admission script writes these as PX expiries after it took the unit: a TTL
		// Redis refuses would fail the request after its stock was taken.
		requireAtLeastOneMilli("seckill.purchase.rate-window", rateWindow);
		requireAtLeastOneMilli("seckill.purchase.idempotency-ttl", idempotencyTtl);
		requireAtLeastOneMilli("seckill.purchase.ticket-ttl", ticketTtl);
		requireAtLeastOneMilli("seckill.purchase.replica-ack-timeout", replicaAckTimeout);
		if (replicaAcks < 0) {
			throw new IllegalArgumentException("seckill.purchase.replica-acks must be 0 or more, was " + replicaAcks);
		}
	}

	private static void requireAtLeastOneMilli(String key, Duration value) {
		if (value.toMillis() < 1) {
			throw new IllegalArgumentException(key + " must be at least 1ms, was " + value);
		}
	}

}
