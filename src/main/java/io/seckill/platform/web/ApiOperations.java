package io.seckill.platform.web;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a feature's operations promise in the OpenAPI document beyond their success: who
 * may call each one and the refusals it may answer with. A feature declares its
 * operations as a bean of this type, next to its endpoints; the document is assembled
 * from all of them ({@code OpenApiDocs}), and an operation that no feature declares fails
 * the document, so a new endpoint cannot be published undescribed. The integration tests
 * compare every real answer with the document, so a refusal missing here fails the build.
 * <p>
 * Every operation may also answer the refusals that any request can meet ({@link #ANY}),
 * and an operation for accounts or admins those of the access rules.
 */
public final class ApiOperations {

	/** Refusals any request can meet: its body, and the node's state. */
	public static final Set<ErrorCode> ANY = Collections
		.unmodifiableSet(EnumSet.of(ErrorCode.BAD_REQUEST, ErrorCode.PAYLOAD_TOO_LARGE,
				ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL_ERROR));

	/** Who may call an operation, as the access rules decide it. */
	public enum Caller {

		/** No token needed. */
		ANYONE(Set.of()),
		/** Any logged-in account: 401 without a valid token. */
		ACCOUNT(Set.of(ErrorCode.UNAUTHENTICATED)),
		/** Admins only: 401 without a valid token, 403 for a shopper's. */
		ADMIN(Set.of(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN));

		private final Set<ErrorCode> refusals;

		Caller(Set<ErrorCode> refusals) {
			this.refusals = refusals;
		}

	}

	/** One operation's promise: its callers and every code it may refuse with. */
	public record Declared(Caller caller, Set<ErrorCode> refusals) {

		public boolean needsToken() {
			return this.caller != Caller.ANYONE;
		}

	}

	private final Map<String, Declared> operations = new LinkedHashMap<>();

	/** {@code operationId}, open to anyone, refusing with {@code codes} of its own. */
	public ApiOperations anyone(String operationId, ErrorCode... codes) {
		return declare(operationId, Caller.ANYONE, codes);
	}

	/** {@code operationId}, for logged-in accounts, refusing with {@code codes}. */
	public ApiOperations account(String operationId, ErrorCode... codes) {
		return declare(operationId, Caller.ACCOUNT, codes);
	}

	/** {@code operationId}, for admins, refusing with {@code codes}. */
	public ApiOperations admin(String operationId, ErrorCode... codes) {
		return declare(operationId, Caller.ADMIN, codes);
	}

	private ApiOperations declare(String operationId, Caller caller, ErrorCode... codes) {
		EnumSet<ErrorCode> refusals = EnumSet.copyOf(ANY);
		refusals.addAll(caller.refusals);
		refusals.addAll(List.of(codes));
		if (this.operations.putIfAbsent(operationId,
				new Declared(caller, Collections.unmodifiableSet(refusals))) != null) {
			throw new IllegalArgumentException("Operation " + operationId + " declared twice");
		}
		return this;
	}

	Map<String, Declared> operations() {
		return Collections.unmodifiableMap(this.operations);
	}

}
