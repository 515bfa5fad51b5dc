package io.seckill.platform.web;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

import tools.jackson.databind.ObjectMapper;

/**
 * The JSON error bodies of plain rejections (a code with its own messages, no detail, no
 * ticket), rendered once per code around a request-id slot. A sold-out storm or a bot
 * without tokens answers millions of these: copying two byte arrays beats serialising a
 * record each time.
 */
final class ErrorBodies {

	private static final String SLOT = "@@request-id@@";

	private final Map<ErrorCode, byte[][]> templates = new EnumMap<>(ErrorCode.class);

	private final ObjectMapper json;

	ErrorBodies(ObjectMapper json) {
		this.json = json;
		for (ErrorCode code : ErrorCode.values()) {
			String body = json
				.writeValueAsString(new ErrorBody(code.name(), code.message(), code.messageZh(), SLOT, null));
			int slot = body.indexOf(SLOT);
			this.templates.put(code, new byte[][] { body.substring(0, slot).getBytes(StandardCharsets.UTF_8),
					body.substring(slot + SLOT.length()).getBytes(StandardCharsets.UTF_8) });
		}
	}

	byte[] render(ApiException rejection, String requestId) {
		if (rejection.isPlain() && isSafe(requestId)) {
			byte[][] template = this.templates.get(rejection.code());
			byte[] id = requestId.getBytes(StandardCharsets.US_ASCII);
			byte[] body = new byte[template[0].length + id.length + template[1].length];
			System.arraycopy(template[0], 0, body, 0, template[0].length);
			System.arraycopy(id, 0, body, template[0].length, id.length);
			System.arraycopy(template[1], 0, body, template[0].length + id.length, template[1].length);
			return body;
		}
		return this.json.writeValueAsString(ErrorBody.of(rejection, requestId)).getBytes(StandardCharsets.UTF_8);
	}

	/** Characters that need no JSON escaping (Reactor Netty's ids are hex and dashes). */
	private static boolean isSafe(String requestId) {
		if (requestId == null || requestId.length() > 64) {
			return false;
		}
		for (int i = 0; i < requestId.length(); i++) {
			char c = requestId.charAt(i);
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
				return false;
			}
		}
		return true;
	}

}
