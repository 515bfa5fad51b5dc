package io.seckill.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every secret or password this repository shows (README, docs, deploy and bench scripts,
 * the demo, the tests) is on the list the node refuses outside the demo, so that copying
 * an example can never give a real deployment a known key.
 */
class PublishedValuesTest {

	/**
	 * A value given to a secret or password in a doc, script or configuration file:
	 * {@code SECRET='...'}, {@code token-secret=...}, {@code "password":"..."}. Values
	 * built at run time ($VAR, ${...}, <random>, a prefix + random) are not literals.
	 */
	private static final Pattern ASSIGNED = Pattern
		.compile("(?i)(secret|password)[a-z_.-]*\"?\\s*(?:=|:)\\s*['\"]?([A-Za-z0-9+/_.#!@%^&*-]{6,})(['\"]\\s*\\+)?");

	/** The same in code, where only a quoted literal is a value. */
	private static final Pattern QUOTED = Pattern
		.compile("(?i)(secret|password)[a-z_.-]*\"?\\s*(?:=|:|,)\\s*\"([A-Za-z0-9+/_.#!@%^&*-]{6,})\"(\\s*\\+)?");

	private static final Set<String> NOT_VALUES = Set.of("password-strength", "password_strength", "passwordhash");

	@Test
	void everyPublishedSecretAndPasswordIsRefusedOutsideTheDemo() throws IOException {
		Set<String> unlisted = new TreeSet<>();
		int scanned = 0;
		try (Stream<Path> files = sources()) {
			for (Path file : (Iterable<Path>) files::iterator) {
				scanned++;
				boolean code = file.toString().matches(".*\\.(java|js)$");
				Matcher found = (code ? QUOTED : ASSIGNED).matcher(Files.readString(file));
				while (found.find()) {
					String value = found.group(2);
					boolean concatenated = found.group(3) != null;
					if (!concatenated && isLiteral(found.group(0), value) && !SecretPolicy.isPublished(value)) {
						unlisted.add(value + "  (" + file + ")");
					}
				}
			}
		}
		assertThat(scanned).as("files scanned (run from the repository's root)").isGreaterThan(150);
		assertThat(unlisted).as("add these to src/main/resources/seckill/published-values.txt").isEmpty();
	}

	@Test
	void theDemoPasswordsAreListed() {
		assertThat(SecretPolicy.isPublished("admin-demo-password")).isTrue();
		assertThat(SecretPolicy.isPublished("password123")).isTrue();
		assertThat(SecretPolicy.isPublished("a-value-nobody-published")).isFalse();
	}

	private static boolean isLiteral(String match, String value) {
		String name = match.toLowerCase(java.util.Locale.ROOT);
		return NOT_VALUES.stream().noneMatch(name::contains) && !value.matches("\\d+")
				&& !value.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*") && !value.startsWith("$")
				&& !value.startsWith("seckill.") && !value.startsWith("spring.");
	}

	private static Stream<Path> sources() throws IOException {
		List<Path> roots = List.of(Path.of("README.md"), Path.of("docs"), Path.of("deploy"), Path.of("bench"),
				Path.of("src/main"), Path.of("src/test"));
		assertThat(roots).allSatisfy((root) -> assertThat(root).exists());
		return roots.stream().flatMap((root) -> {
			try {
				return Files.walk(root);
			}
			catch (IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		})
			.filter(Files::isRegularFile)
			.filter((file) -> file.toString().matches(".*\\.(md|sh|py|lua|java|yml|properties|template|conf|js|html)$"))
			.filter((file) -> !file.toString().contains("docs/benchmarks/"));
	}

}
