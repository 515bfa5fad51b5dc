package io.seckill.purchase.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Ticket ids: {@code <activityId>-<32 hex digits>}. The activity id routes a lookup to
 * the right keys; the random part needs no secrecy (a ticket is only shown to its owner)
 * but must not collide, as it is also the order's unique request key in the database.
 */
final class Tickets {

	/** The form of a ticket, for the OpenAPI document. */
	static final String PATTERN = "^[1-9][0-9]{0,18}-[0-9a-f]{32}$";

	static final String EXAMPLE = "42-9f86d081884c7d65a1b2c3d4e5f60718";

	private Tickets() {
	}

	static String newTicket(long activityId) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return activityId + "-" + hex16(random.nextLong()) + hex16(random.nextLong());
	}

	/** The activity id of a well-formed ticket, or -1. */
	static long activityOf(String ticket) {
		int dash = ticket.indexOf('-');
		if (dash < 1 || dash > 19 || ticket.length() - dash - 1 != 32) {
			return -1;
		}
		for (int i = dash + 1; i < ticket.length(); i++) {
			if (Character.digit(ticket.charAt(i), 16) < 0 || Character.isUpperCase(ticket.charAt(i))) {
				return -1;
			}
		}
		try {
			long id = Long.parseLong(ticket, 0, dash, 10);
			return (id > 0) ? id : -1;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static String hex16(long value) {
		String hex = Long.toHexString(value);
		return "0".repeat(16 - hex.length()) + hex;
	}

}
