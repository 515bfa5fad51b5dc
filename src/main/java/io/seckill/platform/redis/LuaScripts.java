package io.seckill.platform.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.StreamUtils;

/**
 * The Lua scripts under {@code src/main/resources/lua}, read once at start. A script
 * built from text keeps a fixed SHA; one built from a resource re-checks the resource
 * under a lock on every call.
 */
public final class LuaScripts {

	private LuaScripts() {
	}

	/** The text of {@code lua/<name>}. */
	public static String text(String name) {
		try {
			return StreamUtils.copyToString(new ClassPathResource("lua/" + name).getInputStream(),
					StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read the Lua script " + name, ex);
		}
	}

	/** {@code lua/<name>} as a script whose reply is a (nested) list. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public static RedisScript<List<Object>> returningList(String name) {
		return (RedisScript) RedisScript.of(text(name), List.class);
	}

	/** {@code lua/<name>} as a script whose reply is an integer. */
	public static RedisScript<Long> returningLong(String name) {
		return RedisScript.of(text(name), Long.class);
	}

}
