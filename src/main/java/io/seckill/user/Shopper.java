package io.seckill.user;

/** The authenticated caller, as read from a verified access token (no database call). */
public record Shopper(long id, String username, Role role, int level) {

	public boolean isAdmin() {
		return this.role == Role.ADMIN;
	}

}
