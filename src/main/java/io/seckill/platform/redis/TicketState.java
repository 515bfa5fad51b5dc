package io.seckill.platform.redis;

/**
 * The value stored under a ticket key: {@code Q|user} while queued,
 * {@code S|user|orderId} once the order is written, {@code F|user|CODE} when the database
 * refused it. The admission script writes the first form, the order writer the other two.
 */
public record TicketState(char state, long userId, String detail) {

	public static final char QUEUED = 'Q';

	public static final char SUCCESS = 'S';

	public static final char FAILED = 'F';

	public static String success(long userId, long orderId) {
		return SUCCESS + "|" + userId + "|" + orderId;
	}

	public static String failed(long userId, String code) {
		return FAILED + "|" + userId + "|" + code;
	}

	/** Parses a stored value; {@code null} when the value is not a ticket state. */
	public static TicketState parse(String value) {
		if (value == null || value.length() < 3 || value.charAt(1) != '|') {
			return null;
		}
		int bar = value.indexOf('|', 2);
		try {
			long userId = Long.parseLong((bar < 0) ? value.substring(2) : value.substring(2, bar));
			return new TicketState(value.charAt(0), userId, (bar < 0) ? "" : value.substring(bar + 1));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
