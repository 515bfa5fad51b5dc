package io.seckill.platform.redis;

import java.util.Map;

/**
 * The stream entry format, the only contract between the purchase hot path (which XADDs
 * it inside the admission script) and the order writer (which reads it). Field names are
 * one letter to keep the stream small: t ticket, a activity, i item, u user, s the user's
 * slot (1..limit) for this item.
 */
public record OrderStreamRecord(String ticket, long activityId, long itemId, long userId, int slot) {

	public static final String TICKET = "t";

	public static final String ACTIVITY = "a";

	public static final String ITEM = "i";

	public static final String USER = "u";

	public static final String SLOT = "s";

	/** Reads an entry; throws {@link IllegalArgumentException} on a malformed one. */
	public static OrderStreamRecord from(Map<String, String> fields) {
		String ticket = fields.get(TICKET);
		if (ticket == null || ticket.isEmpty()) {
			throw new IllegalArgumentException("stream entry without ticket: " + fields);
		}
		try {
			return new OrderStreamRecord(ticket, Long.parseLong(fields.get(ACTIVITY)), Long.parseLong(fields.get(ITEM)),
					Long.parseLong(fields.get(USER)), Integer.parseInt(fields.get(SLOT)));
		}
		catch (NumberFormatException | NullPointerException ex) {
			throw new IllegalArgumentException("malformed stream entry: " + fields, ex);
		}
	}

}
