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

import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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

	private String served() throws IOException, InterruptedException {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/openapi"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

}
