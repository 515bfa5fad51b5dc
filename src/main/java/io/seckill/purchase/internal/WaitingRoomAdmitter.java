package io.seckill.purchase.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.seckill.activity.SaleCatalog;
import io.seckill.activity.SaleRules;
import io.seckill.platform.redis.ClusterDuties;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Lets the head of every waiting room's line through, about once a second, at
 * {@code admitPerSecond}, as long as the units left can serve them (admit-line.lua, which
 * keeps the rate itself from the time between rounds, so a late round or a second
 * admitter at a handover never admits faster). One worker of the cluster does it at a
 * time, the holder of the {@link ClusterDuties}: when it dies another takes over once the
 * lease has run out (5 s by default), and as the cursor lives in Redis it goes on where
 * the last one stopped.
 */
@Component
class WaitingRoomAdmitter implements ClusterDuties.Duty {

	private static final Log log = LogFactory.getLog(WaitingRoomAdmitter.class);

	/** The measured rate is over this many of the last rounds. */
	private static final int RATE_ROUNDS = 10;

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private final ReactiveStringRedisTemplate redis;

	private final RedisKeys keys;

	private final SaleCatalog catalog;

	private final Clock clock;

	private final RedisScript<List<Object>> admit = LuaScripts.returningList("admit-line.lua");

	/** Per sale: (time, admitted) of the last rounds, for the measured rate. */
	private final Map<Long, Deque<long[]>> rounds = new ConcurrentHashMap<>();

	WaitingRoomAdmitter(ReactiveStringRedisTemplate redis, RedisKeys keys, SaleCatalog catalog, Clock clock,
			ClusterDuties duties) {
		this.redis = redis;
		this.keys = keys;
		this.catalog = catalog;
		this.clock = clock;
		duties.add(this);
	}

	@Override
	public void perform() {
		// On the duties' own thread: blocking here holds up no request.
		List<String> sales = this.redis.opsForSet().members(this.keys.waitingRooms()).collectList().block(TIMEOUT);
		for (String id : (sales != null) ? sales : List.<String>of()) {
			try {
				Optional<SaleRules> rules = this.catalog.find(Long.parseLong(id)).block(TIMEOUT);
				if (rules != null && rules.isPresent() && rules.get().waitingRoom() != null) {
					round(rules.get());
				}
			}
			catch (RuntimeException ex) {
				log.warn("The waiting room of sale " + id + " admitted nobody this round: " + ex);
			}
		}
	}

	/** Another worker admits now; its own rates start afresh. */
	@Override
	public void relinquish() {
		this.rounds.clear();
	}

	/** One round for one sale: nothing before its line opens or after its end. */
	void round(SaleRules rules) {
		SaleRules.WaitingRoom room = rules.waitingRoom();
		long now = this.clock.millis();
		if (now < room.opensAtMillis() || now >= rules.endsAtMillis()) {
			this.rounds.remove(rules.activityId());
			return;
		}
		long id = rules.activityId();
		Deque<long[]> history = this.rounds.computeIfAbsent(id, (key) -> new ArrayDeque<>());
		List<Object> reply = this.redis
			.execute(this.admit, List.of(this.keys.lineDrawn(id), this.keys.lineLate(id), this.keys.lineState(id),
					this.keys.lineOutstanding(id), this.keys.linePasses(id), this.keys.stock(id), this.keys.meta(id)),
					List.of(Integer.toString(room.admitPerSecond()), Long.toString(room.passTtlMillis()),
							rate(history, now)))
			.next()
			.block(TIMEOUT);
		long admitted = ((Number) reply.get(0)).longValue();
		history.addLast(new long[] { now, admitted });
		while (history.size() > RATE_ROUNDS) {
			history.removeFirst();
		}
	}

	/**
	 * Admissions per second over the last rounds (their span, at least a second): what
	 * the status answers turn into an estimated wait.
	 */
	private static String rate(Deque<long[]> history, long now) {
		if (history.isEmpty()) {
			return "0";
		}
		long admitted = 0;
		for (long[] round : history) {
			admitted += round[1];
		}
		double seconds = Math.max(1.0, (now - history.peekFirst()[0]) / 1000.0);
		return Double.toString(Math.round(admitted / seconds * 10) / 10.0);
	}

}
