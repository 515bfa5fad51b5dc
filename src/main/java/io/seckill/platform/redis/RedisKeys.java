package io.seckill.platform.redis;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Redis key layout. Keys of one activity share the hash tag {@code {activityId}} so
 * that the admission script's keys sit in one Redis Cluster slot. {@code prefix}
 * separates deployments (and test runs) that share one Redis.
 */
@ConfigurationProperties("seckill.redis")
public record RedisKeys(@DefaultValue("") String keyPrefix) {

	private String activity(long activityId) {
		return this.keyPrefix + "sk:{" + activityId + "}:";
	}

	/**
	 * Hash: start, end (epoch ms), minLevel, challenge (0/1), items (comma separated
	 * ids).
	 */
	public String meta(long activityId) {
		return activity(activityId) + "meta";
	}

	/**
	 * Hash: the sale's requests by outcome over every node ({@code admission:QUEUED},
	 * {@code token:ISSUED}, ...), added by each node once a second; expires with the
	 * sale's other keys.
	 */
	public String saleCounts(long activityId) {
		return activity(activityId) + "counts";
	}

	/** Hash: item id to remaining units. */
	public String stock(long activityId) {
		return activity(activityId) + "stock";
	}

	/** Hash: item id to per-user limit. */
	public String limits(long activityId) {
		return activity(activityId) + "limits";
	}

	/** Hash: user id to units admitted for one item. */
	public String buyers(long activityId, long itemId) {
		return activity(activityId) + "buyers:" + itemId;
	}

	/** String: the ticket first issued for a user's idempotency key. */
	public String requestKey(long activityId, long userId, String idempotencyKey) {
		return activity(activityId) + "req:" + userId + ":" + idempotencyKey;
	}

	/** String: a ticket's state, see {@link TicketState}. */
	public String ticket(long activityId, String ticket) {
		return activity(activityId) + "ticket:" + ticket;
	}

	/** Counter for the per-user rate limit window. */
	public String rate(long activityId, long userId) {
		return activity(activityId) + "rate:" + userId;
	}

	/** Counter for the per-IP purchase rate limit window. */
	public String ipRate(long activityId, String address) {
		return activity(activityId) + "rate-ip:" + address;
	}

	/**
	 * String: what a purchase token's one admission answered ("key|code|ticket"); its
	 * presence makes the token used.
	 */
	public String purchaseToken(long activityId, String tokenId) {
		return activity(activityId) + "token:" + tokenId;
	}

	/** Counter for the per-user rate limit on purchase-token and challenge requests. */
	public String tokenRate(long activityId, long userId) {
		return activity(activityId) + "token-rate:" + userId;
	}

	/** Counter for the per-IP rate limit on purchase-token and challenge requests. */
	public String tokenIpRate(long activityId, String address) {
		return activity(activityId) + "token-rate-ip:" + address;
	}

	/** String: "userId|question" of an open challenge, deleted when answered. */
	public String challenge(long activityId, String challengeId) {
		return activity(activityId) + "challenge:" + challengeId;
	}

	/** Counter of a user's wrong challenge answers in the current window. */
	public String challengeFailures(long activityId, long userId) {
		return activity(activityId) + "challenge-fails:" + userId;
	}

	/**
	 * String written after an activity's admissions when replica acknowledgements are on:
	 * a write of this connection's after everything before it, that {@code WAIT} can
	 * count replicas up to (its value means nothing).
	 */
	public String ackProbe(long activityId) {
		return activity(activityId) + "ack";
	}

	/** Stream of admitted purchases waiting to be written as orders. */
	public String orders(long activityId) {
		return activity(activityId) + "orders";
	}

	/**
	 * Stream of purchases the order writer could not write (kept for an operator, never
	 * dropped).
	 */
	public String deadLetters(long activityId) {
		return activity(activityId) + "orders:dead";
	}

	/** The activity id of an {@link #orders(long)} key, or -1 when it is not one. */
	public long activityOfOrders(String ordersKey) {
		String head = this.keyPrefix + "sk:{";
		if (!ordersKey.startsWith(head) || !ordersKey.endsWith("}:orders")) {
			return -1;
		}
		try {
			return Long.parseLong(ordersKey.substring(head.length(), ordersKey.length() - "}:orders".length()));
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/**
	 * Marker that one stock outbox row was applied to Redis (applied once, whatever
	 * retries).
	 */
	public String stockOutboxMarker(long activityId, long outboxId) {
		return activity(activityId) + "outbox:" + outboxId;
	}

	/**
	 * Sorted set: the waiting room's early arrivals (joined before the start), scored by
	 * the draw (a keyed hash of the shopper), so the line's head is the draw's order.
	 */
	public String lineDrawn(long activityId) {
		return activity(activityId) + "wr:drawn";
	}

	/** Sorted set: who joined the waiting room after the start, scored by arrival. */
	public String lineLate(long activityId) {
		return activity(activityId) + "wr:late";
	}

	/** Counter: arrivals after the start, the score of the next late joiner. */
	public String lineArrivals(long activityId) {
		return activity(activityId) + "wr:arrivals";
	}

	/**
	 * Hash: the line's shared state, written by the admitter each second (cursor: places
	 * admitted so far, free units, line lengths, measured rate), read by every node's
	 * status answers.
	 */
	public String lineState(long activityId) {
		return activity(activityId) + "wr:state";
	}

	/** Hash: shopper to the time (epoch ms) their pass expires, for everyone admitted. */
	public String linePasses(long activityId) {
		return activity(activityId) + "wr:passes";
	}

	/**
	 * Sorted set: admitted shoppers who may still buy (pass unexpired, nothing bought
	 * yet), scored by their pass's expiry: the units they hold back from the line.
	 */
	public String lineOutstanding(long activityId) {
		return activity(activityId) + "wr:outstanding";
	}

	/** Set of the ids of the sales with a waiting room (the admitter's list). */
	public String waitingRooms() {
		return this.keyPrefix + "sk:waiting-rooms";
	}

	/** Set of the order streams that workers must read. */
	public String orderStreams() {
		return this.keyPrefix + "sk:order-streams";
	}

	/**
	 * Set: the dead-letter streams that have held entries, for the gauge of dead letters
	 * waiting (kept past the end of their sale; a stream leaves when retention removes it
	 * empty).
	 */
	public String deadLetterStreams() {
		return this.keyPrefix + "sk:dead-letter-streams";
	}

	/**
	 * String: the worker holding the cluster-wide duties, expiring unless renewed
	 * ({@code ClusterDuties}).
	 */
	public String clusterDuties() {
		return this.keyPrefix + "sk:cluster-duties";
	}

	/**
	 * Counter of login attempts for one username in the current window (failed ones stay
	 * counted). The accounts' keys share the hash tag {@code {accounts}}: a login's two
	 * counters sit in one Redis Cluster slot.
	 */
	public String loginRate(String username) {
		return this.keyPrefix + "sk:{accounts}:login:" + username;
	}

	/** Counter of login attempts from one client address in the current window. */
	public String loginIpRate(String address) {
		return this.keyPrefix + "sk:{accounts}:login-ip:" + address;
	}

	/** Counter of registrations from one client address in the current window. */
	public String registrationIpRate(String address) {
		return this.keyPrefix + "sk:{accounts}:register-ip:" + address;
	}

	/** Counter of sign-up challenges asked for from one client address. */
	public String signUpChallengeIpRate(String address) {
		return this.keyPrefix + "sk:{accounts}:register-challenge-ip:" + address;
	}

	/** String: "-|question" of an open sign-up challenge, deleted when answered. */
	public String signUpChallenge(String challengeId) {
		return this.keyPrefix + "sk:{accounts}:challenge:" + challengeId;
	}

	/** Counter of wrong sign-up challenge answers from one client address. */
	public String signUpChallengeFailures(String address) {
		return this.keyPrefix + "sk:{accounts}:challenge-fails:" + address;
	}

	/**
	 * Hash: user id to "level|blacklisted|tokenVersion" for users an admin changed or
	 * whose access tokens were revoked. The rules and their version share the hash tag
	 * {@code {user-rules}}: one script writes both (one Redis Cluster slot).
	 */
	public String userRules() {
		return this.keyPrefix + "sk:{user-rules}";
	}

	/** Counter bumped on every change of {@link #userRules()}, polled by API nodes. */
	public String userRulesVersion() {
		return this.keyPrefix + "sk:{user-rules}:version";
	}

	/** Pub/sub channel: an activity's rules or stock changed (payload: activity id). */
	public String activityChangedChannel() {
		return this.keyPrefix + "sk:events:activity-changed";
	}

}
