package io.seckill.platform.web;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ComposedSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/**
 * The OpenAPI document (springdoc, on the management port: /actuator/openapi and its UI
 * /actuator/swagger-ui; docs/openapi.json is a copy the build checks). springdoc
 * describes the operations and their success bodies; this adds what every answer shares
 * and each feature declares ({@link ApiOperations}): the error body, every refusal an
 * operation may answer with (one response per status, its codes as an enum),
 * {@code Retry-After}, the bearer scheme where a token is needed, and the tags.
 * docs/api.md is the narrative.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiDocs {

	static final String ERROR_BODY = "ErrorBody";

	@Bean
	OpenAPI seckillOpenApi() {
		return new OpenAPI()
			.info(new Info().title("seckill API")
				.version("v1")
				.description("Flash-sale API. Every refusal is an ErrorBody {code, message, messageZh, requestId}: "
						+ "switch on code; each operation lists the codes it may answer with. See docs/api.md."))
			// Fixed, not the address the document was asked on (the management port):
			// the file in docs/ must not depend on the port a node happened to have.
			.servers(List.of(new Server().url("http://localhost:8080")
				.description("A node's public port, or the balancer in front of the nodes")))
			.tags(List.of(
					new Tag().name("shop").description("What shoppers use: sign-up, login, sales, purchases, orders"),
					new Tag().name("admin").description("Setting up and watching sales; admins only"),
					new Tag().name("operations").description("Probes for balancers and benchmarks")))
			.components(new Components().addSecuritySchemes("bearer",
					new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")));
	}

	@Bean
	OpenApiCustomizer refusalsAndAccess(ObjectProvider<ApiOperations> declarations) {
		return (openApi) -> {
			Map<String, ApiOperations.Declared> declared = new LinkedHashMap<>();
			declarations.orderedStream().forEach((operations) -> declared.putAll(operations.operations()));
			// Here, not on the bean: springdoc replaces the bean's schemas with those it
			// finds.
			openApi.getComponents().addSchemas(ERROR_BODY, errorBody());
			openApi.getPaths().forEach((path, item) -> describe(path, item, declared));
		};
	}

	private static void describe(String path, PathItem item, Map<String, ApiOperations.Declared> declared) {
		for (Operation operation : item.readOperations()) {
			ApiOperations.Declared promise = declared.get(operation.getOperationId());
			if (promise == null) {
				throw new IllegalStateException("Operation " + operation.getOperationId() + " (" + path
						+ ") has no ApiOperations declaration: who may call it and what it refuses");
			}
			operation.setTags(List.of(tag(path)));
			operation.setSecurity(promise.needsToken() ? List.of(new SecurityRequirement().addList("bearer")) : null);
			ApiResponses responses = operation.getResponses();
			refusalsByStatus(promise.refusals()).forEach((status, codes) -> responses
				.addApiResponse(Integer.toString(status.value()), refusal(status, codes)));
		}
	}

	private static String tag(String path) {
		if (path.startsWith("/api/v1/admin/")) {
			return "admin";
		}
		return path.equals("/api/v1/ping") ? "operations" : "shop";
	}

	private static Map<HttpStatus, Set<ErrorCode>> refusalsByStatus(Set<ErrorCode> refusals) {
		return refusals.stream()
			.collect(Collectors.groupingBy(ErrorCode::status, TreeMap::new,
					Collectors.toCollection(() -> EnumSet.noneOf(ErrorCode.class))));
	}

	/** One status's response: the error body, its code one of {@code codes}. */
	private static ApiResponse refusal(HttpStatus status, Set<ErrorCode> codes) {
		ErrorCode first = codes.iterator().next();
		Schema<?> body = new ComposedSchema()
			.allOf(List.of(new Schema<>().$ref("#/components/schemas/" + ERROR_BODY), new ObjectSchema()
				.addProperty("code", new StringSchema()._enum(codes.stream().map(ErrorCode::name).toList()))));
		ApiResponse response = new ApiResponse()
			.description(status.getReasonPhrase() + ": "
					+ codes.stream()
						.map((code) -> code.name() + " (" + code.message() + ")")
						.collect(Collectors.joining(" ")))
			.content(new Content().addMediaType("application/json",
					new MediaType().schema(body)
						.example(Map.of("code", first.name(), "message", first.message(), "messageZh",
								first.messageZh(), "requestId", "1f2e3d4c-42"))));
		if (codes.stream().anyMatch(ErrorCode::sendsRetryAfter)) {
			response.addHeaderObject("Retry-After",
					new Header()
						.description("Seconds to wait before asking again (on " + codes.stream()
							.filter(ErrorCode::sendsRetryAfter)
							.map(ErrorCode::name)
							.collect(Collectors.joining(", ")) + ")")
						.schema(new IntegerSchema().minimum(java.math.BigDecimal.ONE))
						// Required where every code of this status sends it.
						.required(codes.stream().allMatch(ErrorCode::sendsRetryAfter)));
		}
		return response;
	}

	private static Schema<?> errorBody() {
		return new ObjectSchema().description("Every refusal's body")
			.addProperty("code",
					new StringSchema().description("The machine-readable code: switch on it")
						._enum(Arrays.stream(ErrorCode.values()).map(ErrorCode::name).toList()))
			.addProperty("message", new StringSchema().description("In English, for people"))
			.addProperty("messageZh", new StringSchema().description("In Chinese, for people"))
			.addProperty("requestId", new StringSchema().description("The node's id of the request, for its logs"))
			.addProperty("ticket",
					new StringSchema().description("On a purchase whose outcome is not known yet: the ticket to poll "
							+ "(or retry with the same Idempotency-Key)"))
			.required(List.of("code", "message", "messageZh", "requestId"));
	}

}
