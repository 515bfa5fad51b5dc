package io.seckill.user.internal;

/** An account as shown to clients (never the password hash). */
record UserView(long id, String username, String role, int level, boolean blacklisted) {

	static UserView of(UserAccount account) {
		return new UserView(account.id(), account.username(), account.role().name(), account.level(),
				account.blacklisted());
	}

}
