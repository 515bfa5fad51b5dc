package io.seckill.user.internal;

import io.seckill.user.Role;
import io.seckill.user.Shopper;

/** A stored account. */
record UserAccount(long id, String username, String passwordHash, Role role, int level, boolean blacklisted) {

	Shopper asShopper() {
		return new Shopper(this.id, this.username, this.role, this.level);
	}

}
