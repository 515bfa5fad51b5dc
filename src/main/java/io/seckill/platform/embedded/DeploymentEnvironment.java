package io.seckill.platform.embedded;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.seckill.platform.DeploymentMode;
import io.seckill.platform.RefusedSetting;
import io.seckill.platform.SecretPolicy;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Decides the {@link DeploymentMode} from what is configured, before anything connects:
 * <ul>
 * <li>neither Redis nor a database configured: the demo. Embedded servers are started
 * (unless {@code seckill.embedded=never}) and the demo's defaults apply (the published
 * admin password, the demo sale); refused with {@code seckill.embedded=absent} (the
 * image's setting: it has no embedded servers);</li>
 * <li>both configured: production, with no embedded server and no demo default, and the
 * secrets and the admin password checked ({@link SecretPolicy}) here, before the context
 * starts, so that a refusal is the one line naming the setting and nothing else (the
 * features that use them check again when they are built);</li>
 * <li>only one of them: refused, naming the missing setting. Starting an embedded server
 * for the other would write real orders into a database thrown away at exit.</li>
 * </ul>
 */
public class DeploymentEnvironment implements EnvironmentPostProcessor {

	static final String EMBEDDED = "seckill.embedded";

	/** Any of these means "a real Redis is configured" (URL, host, Sentinel, Cluster). */
	static final List<String> REDIS_SETTINGS = List.of("spring.data.redis.url", "spring.data.redis.host",
			"spring.data.redis.sentinel.master", "spring.data.redis.sentinel.nodes", "spring.data.redis.cluster.nodes");

	static final String DATABASE_SETTING = "spring.datasource.url";

	static final String TOKEN_SECRET = "seckill.security.token-secret";

	static final String ADMIN_PASSWORD = "seckill.security.bootstrap-admin.password";

	/** The demo's published defaults; never present outside the demo. */
	static final Map<String, Object> DEMO_DEFAULTS = Map.of(ADMIN_PASSWORD, "admin-demo-password",
			"seckill.demo.enabled", "true");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		// A list from YAML arrives as nodes[0], nodes[1], ...
		String redis = REDIS_SETTINGS.stream()
			.filter((name) -> environment.containsProperty(name) || environment.containsProperty(name + "[0]"))
			.findFirst()
			.orElse(null);
		boolean database = environment.containsProperty(DATABASE_SETTING);
		if (redis != null && !database) {
			throw new RefusedSetting(DATABASE_SETTING, "is not set, but Redis is (" + redis + ")",
					"Set " + DATABASE_SETTING + " to the PostgreSQL or MySQL/MariaDB database of this deployment "
							+ "(or unset every Redis setting to run the embedded demo).");
		}
		if (database && redis == null) {
			throw new RefusedSetting("spring.data.redis.url", "is not set, but " + DATABASE_SETTING + " is",
					"Set spring.data.redis.url (or the spring.data.redis.sentinel.* or cluster.nodes settings) "
							+ "to the Redis of this deployment (or unset " + DATABASE_SETTING
							+ " to run the embedded demo).");
		}
		String embedded = environment.getProperty(EMBEDDED, "auto");
		if (!database && "absent".equalsIgnoreCase(embedded)) {
			// The image's setting (it carries no embedded server): a container started
			// with no settings says what is missing, not a connection error later. Not
			// "never": the integration tests run with that, and give their servers only
			// after this point (dynamic properties).
			throw new RefusedSetting(EMBEDDED,
					"is absent (no embedded servers here), but neither Redis nor a database is configured",
					"Set spring.data.redis.url (or the sentinel or cluster settings) and " + DATABASE_SETTING
							+ " to the servers of this deployment; the embedded demo runs from the jar (java -jar).");
		}
		DeploymentMode mode = database ? DeploymentMode.PRODUCTION : DeploymentMode.DEMO;
		// First: derived, so no configuration can claim the other mode.
		environment.getPropertySources()
			.addFirst(new MapPropertySource("seckillDeploymentMode", Map.of(DeploymentMode.PROPERTY, mode.name())));
		if (mode != DeploymentMode.DEMO) {
			checkSecrets(Binder.get(environment));
			return;
		}
		Map<String, Object> demo = new HashMap<>(DEMO_DEFAULTS);
		if (!"never".equalsIgnoreCase(embedded)) {
			demo.put("spring.data.redis.url", EmbeddedServers.redisUrl());
			demo.put(DATABASE_SETTING, EmbeddedServers.postgresAdminUrl());
		}
		// Last: below every configured value.
		environment.getPropertySources().addLast(new MapPropertySource("seckillDemoDefaults", demo));
	}

	/**
	 * The settings that hold secrets: the access-token secret, every purchase-token key
	 * (else the key derived from the access-token secret), and the bootstrap admin's
	 * password when one is given (whether one is needed depends on the database: the
	 * admin node checks that at start).
	 */
	private static void checkSecrets(Binder binder) {
		SecretPolicy.requireStrongSecret(TOKEN_SECRET, binder.bind(TOKEN_SECRET, String.class).orElse(""));
		for (int i = 0;; i++) {
			String key = "seckill.purchase-token.keys[" + i + "]";
			BindResult<String> id = binder.bind(key + ".id", String.class);
			BindResult<String> secret = binder.bind(key + ".secret", String.class);
			if (!id.isBound() && !secret.isBound()) {
				break;
			}
			SecretPolicy.requireStrongSecret(key + ".secret", secret.orElse(""));
		}
		String password = binder.bind(ADMIN_PASSWORD, String.class).orElse("");
		if (!password.isEmpty()) {
			SecretPolicy.requireOwnPassword(ADMIN_PASSWORD, password);
		}
	}

}
