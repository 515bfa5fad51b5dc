package io.seckill.user.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * This node's copy of the users an admin changed (level, blacklist) or whose access
 * tokens were revoked (a password change, a blacklisting: the user's token version moved
 * on). Changes go to a Redis hash and bump a version counter; every node polls the
 * counter ({@code seckill.security.rules-poll-interval}, 250 ms) and reloads the hash
 * when it moved, so a blacklisting or revocation takes effect everywhere within a second
 * at the cost of a few cheap GETs per node per second and no call on the hot path. The
 * first load happens before the node reports ready: a node never serves a sale without
 * knowing who is blacklisted.
 */
@Component
@Order(20)
public class UserRulesDirectory implements ApplicationRunner {

	private static final Log log = LogFactory.getLog(UserRulesDirectory.class);

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private static final int USERS_PER_CALL = 1000;

	private final RedisScript<Long> publishRules = LuaScripts.returningLong("publish-rules.lua");

	/** Changes Redis could not take yet, by user: published again with every poll. */
	private final Map<Long, UserRules> unpublished = new ConcurrentHashMap<>();

	private volatile Map<Long, UserRules> rules = Map.of();

	private volatile String loadedVersion;

	UserRulesDirectory(StringRedisTemplate redis, RedisKeys keys) {
		this.redis = redis;
		this.keys = keys;
	}

	/**
	 * The admin-set rules for a user, or {@code null} when none were set since the node
	 * started.
	 */
	public UserRules find(long userId) {
		return this.rules.get(userId);
	}

	/**
	 * Whether tokens issued under {@code tokenVersion} for {@code userId} are still
	 * valid: not when a newer version is known (0 for users never revoked). A version
	 * above the known one comes from the database, ahead of this node for a moment (a
	 * change in flight): its tokens are valid.
	 */
	boolean isCurrent(long userId, int tokenVersion) {
		UserRules known = this.rules.get(userId);
		return tokenVersion >= ((known != null) ? known.tokenVersion() : 0);
	}

	/** The first load, before the node reports ready; fails the start when Redis does. */
	@Override
	public void run(ApplicationArguments args) {
		adoptEarlierKeys();
		load();
	}

	/**
	 * Versions before Redis Cluster support kept the rules under {@code sk:user-rules}
	 * and {@code sk:user-rules:version} (two slots, which one script may not write on a
	 * cluster). The first node of this version to start takes them over, so no rule is
	 * forgotten in the upgrade. Nodes of both versions side by side do not see each
	 * other's changes: upgrade every node of a deployment in one go.
	 */
	private void adoptEarlierKeys() {
		String prefix = this.keys.keyPrefix();
		try {
			if (Boolean.TRUE.equals(this.redis.renameIfAbsent(prefix + "sk:user-rules", this.keys.userRules()))) {
				this.redis.renameIfAbsent(prefix + "sk:user-rules:version", this.keys.userRulesVersion());
				log.info("Took over the user rules kept by an earlier version under " + prefix + "sk:user-rules");
			}
		}
		catch (RuntimeException ex) {
			// No such key (the usual case), or on a cluster keys of two slots.
			log.debug("No user rules of an earlier version taken over: " + ex);
		}
	}

	/**
	 * Publishes a change to every node (and applies it here at once). The database has it
	 * already: when Redis cannot take it now, it is kept and published again with every
	 * poll until Redis does (a node that stops meanwhile leaves it to the next restore
	 * from the database).
	 */
	void publish(long userId, UserRules changed) {
		try {
			write(Map.of(userId, changed));
		}
		catch (RuntimeException ex) {
			this.unpublished.merge(userId, changed,
					(kept, newer) -> (newer.tokenVersion() >= kept.tokenVersion()) ? newer : kept);
			// This node at least applies it at once.
			Map<Long, UserRules> here = new HashMap<>(this.rules);
			here.put(userId, changed);
			apply(here);
			log.warn("Could not publish the rules of user " + userId + " (retried with every poll): " + ex);
		}
		refresh();
	}

	/**
	 * Writes many users' rules at once (used at start to restore a Redis that lost them);
	 * never moves a token version back.
	 */
	void publishAll(Map<Long, UserRules> all) {
		write(all);
		refresh();
	}

	/**
	 * In calls of at most {@value #USERS_PER_CALL} users: a script blocks Redis while it
	 * runs.
	 */
	private void write(Map<Long, UserRules> all) {
		List<Object> args = new ArrayList<>();
		for (Map.Entry<Long, UserRules> entry : all.entrySet()) {
			args.add(Long.toString(entry.getKey()));
			args.add(entry.getValue().encode());
			if (args.size() == 2 * USERS_PER_CALL) {
				call(args);
				args.clear();
			}
		}
		if (!args.isEmpty() || all.isEmpty()) {
			call(args);
		}
	}

	private void call(List<Object> args) {
		this.redis.execute(this.publishRules, List.of(this.keys.userRules(), this.keys.userRulesVersion()),
				args.toArray());
	}

	/** Publishes what Redis could not take earlier. */
	private void publishUnpublished() {
		if (this.unpublished.isEmpty()) {
			return;
		}
		Map<Long, UserRules> pending = Map.copyOf(this.unpublished);
		write(pending);
		pending.forEach(this.unpublished::remove);
		log.info("Published the rules of " + pending.size() + " user(s) that Redis could not take earlier");
	}

	/** Whether Redis has lost the rules (its version counter is gone). */
	boolean lostInRedis() {
		return !Boolean.TRUE.equals(this.redis.hasKey(this.keys.userRulesVersion()));
	}

	@Scheduled(fixedDelayString = "${seckill.security.rules-poll-interval:250ms}")
	void refresh() {
		try {
			publishUnpublished();
			load();
		}
		catch (RuntimeException ex) {
			// Keep the last known rules; Redis may be failing over. The next poll
			// retries.
			log.warn("Could not refresh user rules from Redis: " + ex.getMessage());
		}
	}

	private synchronized void load() {
		String version = this.redis.opsForValue().get(this.keys.userRulesVersion());
		// No version: Redis lost the rules (restart, failover to an empty replica). Keep
		// the last known ones rather than forget a blacklisting; an admin node restores
		// them.
		if (version == null || version.equals(this.loadedVersion)) {
			return;
		}
		Map<Object, Object> raw = this.redis.opsForHash().entries(this.keys.userRules());
		Map<Long, UserRules> loaded = new HashMap<>(raw.size() * 2);
		raw.forEach((id, value) -> loaded.put(Long.parseLong((String) id), UserRules.decode((String) value)));
		apply(loaded);
		this.loadedVersion = version;
	}

	/** Makes {@code loaded} this node's rules. */
	void apply(Map<Long, UserRules> loaded) {
		this.rules = Map.copyOf(loaded);
	}

	/**
	 * A user's level and blacklist flag as set by an admin, and the version their access
	 * tokens must carry.
	 */
	public record UserRules(int level, boolean blacklisted, int tokenVersion) {

		String encode() {
			return this.level + "|" + (this.blacklisted ? 1 : 0) + "|" + this.tokenVersion;
		}

		static UserRules decode(String value) {
			String[] fields = value.split("\\|");
			// Written before token versions existed: "level|blacklisted".
			int tokenVersion = (fields.length > 2) ? Integer.parseInt(fields[2]) : 0;
			return new UserRules(Integer.parseInt(fields[0]), fields[1].equals("1"), tokenVersion);
		}

	}

}
