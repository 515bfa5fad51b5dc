package io.seckill.support;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract check finds what it is there for: each answer here breaks
 * docs/openapi.json in one way (or keeps it), so a check that passed everything would
 * fail this test.
 */
class ApiContractTest {

	private static final Map<String, List<String>> JSON = Map.of("Content-Type", List.of("application/json"));

	private static final String PURCHASE = "/api/v1/activities/1/items/2/purchases";

	private static final String TICKET = "1-9f86d081884c7d65a1b2c3d4e5f60718";

	@Test
	void anAnswerAsDescribedPasses() {
		assertThat(ApiContract.violations("POST", PURCHASE, 202, JSON,
				"{\"status\":\"QUEUED\",\"ticket\":\"" + TICKET + "\"}"))
			.isEmpty();
		assertThat(ApiContract.violations("POST", PURCHASE, 409, JSON,
				"{\"code\":\"SOLD_OUT\",\"message\":\"Sold out.\",\"messageZh\":\"已售罄。\",\"requestId\":\"r-1\"}"))
			.isEmpty();
	}

	@Test
	void aSuccessBodyMissingAFieldOrWithAnUnknownOneFails() {
		assertThat(ApiContract.violations("POST", PURCHASE, 202, JSON, "{\"status\":\"QUEUED\"}")).isNotEmpty();
		assertThat(ApiContract.violations("POST", PURCHASE, 202, JSON,
				"{\"status\":\"QUEUED\",\"ticket\":\"" + TICKET + "\",\"debug\":1}"))
			.isNotEmpty();
		assertThat(ApiContract.violations("POST", PURCHASE, 202, JSON,
				"{\"status\":\"SUCCESS\",\"ticket\":\"" + TICKET + "\"}"))
			.isNotEmpty();
	}

	@Test
	void anAnsweredRequestMustBeOneTheDocumentAllows() {
		String queued = "{\"status\":\"QUEUED\",\"ticket\":\"" + TICKET + "\"}";
		assertThat(ApiContract.violations("POST", PURCHASE, Map.of("Authorization", "Bearer a.b.c"), null, 202, JSON,
				queued))
			.isEmpty();
		// A purchase answered without a token, or an id that is not a number, is a hole.
		assertThat(ApiContract.violations("POST", PURCHASE, Map.of(), null, 202, JSON, queued)).isNotEmpty();
		assertThat(ApiContract.violations("POST", "/api/v1/activities/x/items/2/purchases",
				Map.of("Authorization", "Bearer a.b.c"), null, 202, JSON, queued))
			.isNotEmpty();
		// Refused, the same request is what the tests send on purpose.
		assertThat(ApiContract.violations("POST", PURCHASE, Map.of(), null, 401, JSON, refusal("UNAUTHENTICATED")))
			.isEmpty();
	}

	@Test
	void aTicketNotOfTheTicketFormFails() {
		assertThat(ApiContract.violations("POST", PURCHASE, 202, JSON, "{\"status\":\"QUEUED\",\"ticket\":\"ab-1\"}"))
			.isNotEmpty();
	}

	@Test
	void aStatusTheOperationDoesNotDescribeFails() {
		assertThat(ApiContract.violations("POST", PURCHASE, 200, JSON,
				"{\"status\":\"QUEUED\",\"ticket\":\"" + TICKET + "\"}"))
			.isNotEmpty();
		assertThat(ApiContract.violations("GET", "/api/v1/ping", 401, JSON, refusal("UNAUTHENTICATED"))).isNotEmpty();
	}

	@Test
	void aCodeTheOperationDoesNotAnswerWithFails() {
		// 409 is described for a purchase, but not with this code; nor is 404 ever
		// SOLD_OUT.
		assertThat(ApiContract.violations("POST", PURCHASE, 409, JSON, refusal("USERNAME_TAKEN"))).isNotEmpty();
		assertThat(ApiContract.violations("GET", "/api/v1/purchases/ab-1", 404, JSON, refusal("SOLD_OUT")))
			.isNotEmpty();
		assertThat(ApiContract.violations("GET", "/api/v1/purchases/ab-1", 404, JSON, refusal("NOT_FOUND"))).isEmpty();
	}

	@Test
	void anErrorBodyWithoutItsFieldsOrWithMoreFails() {
		assertThat(ApiContract.violations("POST", PURCHASE, 409, JSON, "{\"code\":\"SOLD_OUT\"}")).isNotEmpty();
		assertThat(ApiContract.violations("POST", PURCHASE, 409, JSON,
				"{\"code\":\"SOLD_OUT\",\"message\":\"m\",\"messageZh\":\"m\",\"requestId\":\"r\",\"trace\":\"at ...\"}"))
			.isNotEmpty();
	}

	@Test
	void aBodyThatIsNotJsonFails() {
		assertThat(
				ApiContract.violations("GET", "/api/v1/ping", 200, Map.of("Content-Type", List.of("text/plain")), "ok"))
			.isNotEmpty();
	}

	@Test
	void onlyTheRefusalsOfPathsOutsideTheDocumentAreNotCompared() {
		assertThat(ApiContract.violations("GET", "/api/v1/nowhere", 404, JSON, refusal("NOT_FOUND"))).isEmpty();
		assertThat(ApiContract.violations("DELETE", "/api/v1/ping", 405, JSON, refusal("METHOD_NOT_ALLOWED")))
			.isEmpty();
		assertThat(ApiContract.violations("GET", "/api/v1/nowhere", 200, JSON, "{}")).isNotEmpty();
		assertThat(ApiContract.violations("GET", "/actuator/health", 200, JSON, "{}")).isEmpty();
	}

	private static String refusal(String code) {
		return "{\"code\":\"" + code + "\",\"message\":\"m\",\"messageZh\":\"m\",\"requestId\":\"r-1\"}";
	}

}
