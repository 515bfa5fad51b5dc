package io.seckill.user.internal;

import java.util.Map;

import io.seckill.support.IntegrationTest;
import io.seckill.user.internal.UserRulesDirectory.UserRules;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * publish-rules.lua against a real Redis: a token version never moves back, whatever
 * order the writes arrive in (an admin node restoring an older snapshot, a late retry).
 */
class UserRulesPublishIT extends IntegrationTest {

	@Autowired
	UserRulesDirectory directory;

	@Test
	void anOlderVersionNeverOverwritesANewerOne() {
		long user = 900_001;
		this.directory.publishAll(Map.of(user, new UserRules(0, true, 2)));

		this.directory.publishAll(Map.of(user, new UserRules(0, false, 1)));

		assertThat(stored(user)).isEqualTo("0|1|2");
		assertThat(this.directory.isCurrent(user, 1)).isFalse();
		assertThat(this.directory.isCurrent(user, 2)).isTrue();
	}

	@Test
	void aChangeAtTheSameVersionIsWritten() {
		long user = 900_002;
		this.directory.publishAll(Map.of(user, new UserRules(0, false, 1)));

		this.directory.publish(user, new UserRules(3, false, 1));

		assertThat(stored(user)).isEqualTo("3|0|1");
		assertThat(this.directory.find(user).level()).isEqualTo(3);
	}

	@Test
	void anEntryFromBeforeTokenVersionsCountsAsVersionZero() {
		long user = 900_003;
		this.redis.opsForHash().put(this.keys.userRules(), Long.toString(user), "2|1");

		this.directory.publishAll(Map.of(user, new UserRules(2, true, 1)));

		assertThat(stored(user)).isEqualTo("2|1|1");
	}

	@Test
	void aTokenOfAVersionNewerThanTheNodeKnowsIsValid() {
		long user = 900_004;
		this.directory.publishAll(Map.of(user, new UserRules(0, false, 1)));

		assertThat(this.directory.isCurrent(user, 2)).as("issued from the database, ahead of Redis").isTrue();
		assertThat(this.directory.isCurrent(user, 0)).isFalse();
	}

	private Object stored(long user) {
		return this.redis.opsForHash().get(this.keys.userRules(), Long.toString(user));
	}

}
