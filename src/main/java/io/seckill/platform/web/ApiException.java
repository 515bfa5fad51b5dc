package io.seckill.platform.web;

/**
 * A rejection on its way to the client. Stackless: rejections are expected and frequent
 * (a sold-out storm produces millions), so they must cost no more than an allocation.
 */
public final class ApiException extends RuntimeException {

	private final ErrorCode code;

	private final String detail;

	private final String ticket;

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
		super(code.name(), null, false, false);
		this.code = code;
		this.detail = detail;
		this.ticket = ticket;
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
