package io.seckill.platform;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document the nodes serve (on the management port) is docs/openapi.json, the
 * file the tests hold every answer to and clients are generated from: a change to the API
 * shows in the diff of that file. Refresh it with
 * {@code cp target/openapi.json docs/openapi.json} after this test wrote the served one.
 */
class ApiDocumentIT extends IntegrationTest {

	private static final Path COMMITTED = Path.of("docs/openapi.json");

	private static final Path SERVED = Path.of("target/openapi.json");

	private static final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	private RequestMappingHandlerMapping mappings;

	@Autowired
	private ApplicationContext context;

	@Test
	void docsOpenApiJsonIsTheServedDocument() throws Exception {
		String served = served();
		Files.createDirectories(SERVED.getParent());
		Files.writeString(SERVED, served);
		String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED) : "{}";
		assertThat(json.readTree(committed))
			.as("docs/openapi.json differs from the document the node serves: review the change, then "
					+ "cp target/openapi.json docs/openapi.json")
			.isEqualTo(json.readTree(served));
	}

	@Test
	void everyOperationSaysWhoMayCallItAndHowItSucceedsAndFails() throws Exception {
		JsonNode document = json.readTree(served());
		List<String> problems = new ArrayList<>();
		for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
			for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
				JsonNode described = operation.getValue();
				String name = operation.getKey().toUpperCase() + " " + path.getKey();
				JsonNode responses = described.path("responses");
				boolean succeeds = responses.propertyNames().stream().anyMatch((status) -> status.startsWith("2"));
				if (!succeeds || !responses.has("500") || !responses.has("503")) {
					problems.add(name + ": success, 500 and 503 must be described: " + responses.propertyNames());
				}
				for (Map.Entry<String, JsonNode> response : responses.properties()) {
					if (!response.getValue().path("content").has("application/json")) {
						problems.add(name + " " + response.getKey() + ": not application/json");
					}
				}
				if (described.path("tags").size() != 1 || described.path("summary").asString().isBlank()) {
					problems.add(name + ": one tag and a summary");
				}
				boolean needsToken = described.has("security");
				if (needsToken != responses.path("401").path("description").asString().contains("UNAUTHENTICATED")) {
					problems.add(name + ": a token required exactly where 401 UNAUTHENTICATED is described");
				}
				for (JsonNode parameter : described.path("parameters")) {
					if (!parameter.path("schema").has("type")) {
						problems.add(name + ": parameter " + parameter.path("name").asString() + " has no type");
					}
				}
			}
		}
		assertThat(problems).isEmpty();
		assertThat(document.path("components").path("schemas").path("ErrorBody").path("required").toString())
			.isEqualTo("[\"code\",\"message\",\"messageZh\",\"requestId\"]");
	}

	/**
	 * springdoc describes only the routes it is told of (a functional route without its
	 * {@code @RouterOperation} is missing silently): every API route the node serves must
	 * be an operation of the document, and every operation a route.
	 */
	@Test
	void everyRouteOfTheApiIsAnOperationOfTheDocumentAndNoMore() throws Exception {
		Set<String> routes = new TreeSet<>();
		this.mappings.getHandlerMethods()
			.keySet()
			.forEach((mapping) -> mapping.getPatternsCondition()
				.getPatterns()
				.forEach((pattern) -> mapping.getMethodsCondition()
					.getMethods()
					.forEach((method) -> routes.add(method.name() + " " + pattern.getPatternString()))));
		for (RouterFunction<?> router : this.context.getBeansOfType(RouterFunction.class).values()) {
			router.accept(new RouteCollector(routes));
		}
		routes.removeIf((route) -> !route.contains(" /api/"));
		Set<String> documented = new TreeSet<>();
		for (Map.Entry<String, JsonNode> path : json.readTree(served()).path("paths").properties()) {
			path.getValue()
				.propertyNames()
				.forEach((method) -> documented.add(method.toUpperCase() + " " + path.getKey()));
		}
		assertThat(documented).isEqualTo(routes);
	}

	/**
	 * The method and path of each functional route (a route without a method answers
	 * 405).
	 */
	private static final class RouteCollector implements RouterFunctions.Visitor, RequestPredicates.Visitor {

		private final Set<String> routes;

		private final List<String> methods = new ArrayList<>();

		private final List<String> paths = new ArrayList<>();

		RouteCollector(Set<String> routes) {
			this.routes = routes;
		}

		@Override
		public void route(RequestPredicate predicate, HandlerFunction<?> handler) {
			this.methods.clear();
			this.paths.clear();
			predicate.accept(this);
			this.methods.forEach((method) -> this.paths.forEach((path) -> this.routes.add(method + " " + path)));
		}

		@Override
		public void method(Set<HttpMethod> methods) {
			methods.forEach((method) -> this.methods.add(method.name()));
		}

		@Override
		public void path(String pattern) {
			this.paths.add(pattern);
		}

		@Override
		public void startNested(RequestPredicate predicate) {
		}

		@Override
		public void endNested(RequestPredicate predicate) {
		}

		@Override
		public void resources(Function<ServerRequest, Mono<Resource>> lookup) {
		}

		@Override
		public void attributes(Map<String, Object> attributes) {
		}

		@Override
		public void unknown(RouterFunction<?> router) {
		}

		@Override
		public void pathExtension(String extension) {
		}

		@Override
		public void header(String name, String value) {
		}

		@Override
		public void queryParam(String name, String value) {
		}

		@Override
		public void version(String version) {
		}

		@Override
		public void startAnd() {
		}

		@Override
		public void and() {
		}

		@Override
		public void endAnd() {
		}

		@Override
		public void startOr() {
		}

		@Override
		public void or() {
		}

		@Override
		public void endOr() {
		}

		@Override
		public void startNegate() {
		}

		@Override
		public void endNegate() {
		}

		@Override
		public void unknown(RequestPredicate predicate) {
		}

	}

	private String served() throws IOException, InterruptedException {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/openapi"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

}
