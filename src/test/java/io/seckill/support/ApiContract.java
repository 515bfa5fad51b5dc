package io.seckill.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The API contract as the tests hold every node to it: each answer a test gets from an
 * {@code /api/} path (status, {@code Content-Type}, headers, body) is compared with
 * docs/openapi.json by Atlassian's validator, and a test that received an answer the
 * document does not describe fails after it ({@link Check}). {@code ApiDocumentIT} keeps
 * the file equal to what the nodes serve, so this is the served contract too.
 * <p>
 * Answers on paths the document does not have are the access rules' and the router's:
 * {@code 401}/{@code 404} for an unknown path, {@code 405} for a method a path does not
 * take. Those are not compared; every other answer is.
 */
public final class ApiContract {

	static final Path DOCUMENT = Path.of("docs/openapi.json");

	private static final Queue<String> violations = new ConcurrentLinkedQueue<>();

	private static volatile OpenApiInteractionValidator validator;

	private ApiContract() {
	}

	/** Compares one exchange with the document; a mismatch is kept for {@link Check}. */
	static void check(String method, String path, Map<String, String> requestHeaders, String requestBody, int status,
			Map<String, List<String>> headers, String body) {
		List<String> found = violations(method, path, requestHeaders, requestBody, status, headers, body);
		if (!found.isEmpty()) {
			violations
				.add(method + " " + path + " -> " + status + " " + body + "\n    " + String.join("\n    ", found));
		}
	}

	/** What the document says is wrong with one answer (empty when it describes it). */
	public static List<String> violations(String method, String path, int status, Map<String, List<String>> headers,
			String body) {
		return violations(method, path, null, null, status, headers, body);
	}

	/**
	 * What the document says is wrong with one exchange. The request counts only when it
	 * succeeded: the tests send malformed requests on purpose, and those must be refused,
	 * but an answered request (2xx) must be one the document allows (its token, its
	 * parameters, its body).
	 */
	public static List<String> violations(String method, String path, Map<String, String> requestHeaders,
			String requestBody, int status, Map<String, List<String>> headers, String body) {
		int query = path.indexOf('?');
		String bare = (query < 0) ? path : path.substring(0, query);
		if (!bare.startsWith("/api/")) {
			return List.of();
		}
		SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
		headers.forEach((name, values) -> {
			if (!name.startsWith(":")) {
				response.withHeader(name, values);
			}
		});
		if (body != null && !body.isEmpty()) {
			response.withBody(body);
		}
		boolean answered = status >= 200 && status < 300;
		ValidationReport report;
		if (requestHeaders != null && answered) {
			SimpleRequest.Builder request = new SimpleRequest.Builder(method, bare);
			requestHeaders.forEach(request::withHeader);
			if (query >= 0) {
				for (String pair : path.substring(query + 1).split("&")) {
					int equals = pair.indexOf('=');
					request.withQueryParam((equals < 0) ? pair : pair.substring(0, equals),
							(equals < 0) ? "" : pair.substring(equals + 1));
				}
			}
			if (requestBody != null) {
				request.withBody(requestBody);
			}
			report = validator().validate(request.build(), response.build());
		}
		else {
			report = validator().validateResponse(bare, Request.Method.valueOf(method), response.build());
		}
		List<String> found = new ArrayList<>();
		for (ValidationReport.Message message : report.getMessages()) {
			if (message.getLevel() == ValidationReport.Level.ERROR && !outsideTheDocument(message, status)) {
				found.add(message.getKey() + ": " + message.getMessage());
			}
		}
		return found;
	}

	private static boolean outsideTheDocument(ValidationReport.Message message, int status) {
		return switch (message.getKey()) {
			case "validation.request.path.missing" -> status == 401 || status == 404;
			case "validation.request.operation.notAllowed" -> status == 405;
			default -> false;
		};
	}

	private static OpenApiInteractionValidator validator() {
		OpenApiInteractionValidator current = validator;
		if (current == null) {
			synchronized (ApiContract.class) {
				current = validator;
				if (current == null) {
					current = OpenApiInteractionValidator.createForInlineApiSpecification(read(DOCUMENT))
						// The document's server is an example (localhost:8080), not where
						// the tests' nodes listen: paths are matched from the root.
						.withBasePathOverride("/")
						// allOf merged into one schema first: else each part refuses the
						// other's properties (the validator treats undeclared ones as
						// errors).
						.withResolveCombinators(true)
						// Every finding is an error: which ones count is decided per
						// exchange (violations).
						.withLevelResolver(
								LevelResolver.create().withDefaultLevel(ValidationReport.Level.ERROR).build())
						.build();
					validator = current;
				}
			}
		}
		return current;
	}

	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("The API contract " + file.toAbsolutePath() + " cannot be read", ex);
		}
	}

	/**
	 * Fails a test after which the nodes had answered something the document does not
	 * describe (answers to asynchronous requests still in flight count for the next).
	 */
	public static final class Check implements AfterEachCallback, AfterAllCallback {

		@Override
		public void afterAll(ExtensionContext context) {
			// What a class's @BeforeAll/@AfterAll set-up or its last test's stragglers
			// got.
			afterEach(context);
		}

		@Override
		public void afterEach(ExtensionContext context) {
			List<String> found = new ArrayList<>();
			for (String violation = violations.poll(); violation != null; violation = violations.poll()) {
				found.add(violation);
			}
			if (!found.isEmpty()) {
				throw new AssertionError(found.size() + " answers that docs/openapi.json does not describe:\n"
						+ String.join("\n", found.subList(0, Math.min(found.size(), 20))));
			}
		}

	}

}
