package io.seckill.platform.web;

/**
 * A rejection on its way to the client. Stackless: rejections are expected and frequent
 * (a sold-out storm produces millions), so they must cost no more than an allocation.
 */
public final class ApiException extends RuntimeException {

	private final ErrorCode code;

	private final String detail;

	private final String ticket;

	private final long retryAfterSeconds;

	public ApiException(ErrorCode code) {
		this(code, null);
	}

	/**
	 * {@code detail} replaces the generic English message, e.g. naming the invalid field.
	 */
	public ApiException(ErrorCode code, String detail) {
		this(code, detail, null);
	}

	/**
	 * A rejection whose outcome may still change: {@code ticket} names a purchase that
	 * may have been admitted after all (Redis timed out after running the script), so the
	 * client can poll it.
	 */
	public ApiException(ErrorCode code, String detail, String ticket) {
		this(code, detail, ticket, 0);
	}

	private ApiException(ErrorCode code, String detail, String ticket, long retryAfterSeconds) {
		super(code.name(), null, false, false);
		this.code = code;
		this.detail = detail;
		this.ticket = ticket;
		this.retryAfterSeconds = retryAfterSeconds;
	}

	/**
	 * A RATE_LIMITED answer that names when the limit's window ends (the
	 * {@code Retry-After} header, in whole seconds, at least 1).
	 */
	public static ApiException rateLimited(String detail, long retryAfterMillis) {
		return new ApiException(ErrorCode.RATE_LIMITED, detail, null, Math.max(1, (retryAfterMillis + 999) / 1000));
	}

	/** Nothing but the code: its body is the code's fixed messages. */
	boolean isPlain() {
		return this.detail == null && this.ticket == null;
	}

	/** Seconds for {@code Retry-After}, or 0 when the code's default applies. */
	public long retryAfterSeconds() {
		return this.retryAfterSeconds;
	}

	public String ticket() {
		return this.ticket;
	}

	public ErrorCode code() {
		return this.code;
	}

	/** The English message: the detail when given, else the code's generic one. */
	public String englishMessage() {
		return (this.detail != null) ? this.detail : this.code.message();
	}

}
