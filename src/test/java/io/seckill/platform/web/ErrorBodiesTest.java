package io.seckill.platform.web;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorBodiesTest {

	private final JsonMapper json = JsonMapper.builder().build();

	private final ErrorBodies bodies = new ErrorBodies(this.json);

	@Test
	void everyPlainRejectionRendersExactlyAsTheSerialisedBody() {
		for (ErrorCode code : ErrorCode.values()) {
			ApiException rejection = new ApiException(code);
			assertThat(new String(this.bodies.render(rejection, "1a2b3c4d-17"), StandardCharsets.UTF_8))
				.isEqualTo(this.json.writeValueAsString(ErrorBody.of(rejection, "1a2b3c4d-17")));
		}
	}

	@Test
	void detailsTicketsAndOddRequestIdsAreSerialisedInFull() {
		ApiException detailed = new ApiException(ErrorCode.BAD_REQUEST, "Ids are \"positive\" integers");
		ApiException ticketed = new ApiException(ErrorCode.UNAVAILABLE, null, "1-abc");
		for (ApiException rejection : new ApiException[] { detailed, ticketed,
				new ApiException(ErrorCode.NOT_FOUND) }) {
			String id = "odd\"id";
			assertThat(new String(this.bodies.render(rejection, id), StandardCharsets.UTF_8))
				.isEqualTo(this.json.writeValueAsString(ErrorBody.of(rejection, id)));
		}
	}

}
