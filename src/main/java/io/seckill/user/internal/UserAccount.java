package io.seckill.user.internal;

import io.seckill.user.Role;
import io.seckill.user.Shopper;

/**
 * A stored account; {@code tokenVersion} is the version its access tokens must carry.
 */
record UserAccount(long id, String username, String passwordHash, Role role, int level, boolean blacklisted,
		int tokenVersion) {

	Shopper asShopper() {
		return new Shopper(this.id, this.username, this.role, this.level);
	}

}
