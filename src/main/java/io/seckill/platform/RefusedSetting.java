package io.seckill.platform;

/**
 * A setting this node will not start with. Reported at start as one line naming the
 * setting (by {@link RefusedSettingFailureAnalyzer}), never as a stack trace.
 */
public class RefusedSetting extends RuntimeException {

	private final String setting;

	private final String remedy;

	/**
	 * @param setting the property, e.g. {@code seckill.security.token-secret}
	 * @param problem what is wrong with its value, e.g. "is an example published in the
	 * docs"
	 * @param remedy what to do instead
	 */
	public RefusedSetting(String setting, String problem, String remedy) {
		super("Refused setting " + setting + " (" + environmentName(setting) + "): " + problem, null, false, false);
		this.setting = setting;
		this.remedy = remedy;
	}

	public String setting() {
		return this.setting;
	}

	public String remedy() {
		return this.remedy;
	}

	/** {@code seckill.security.token-secret} as an environment variable. */
	public static String environmentName(String setting) {
		return setting.toUpperCase(java.util.Locale.ROOT)
			.replace('.', '_')
			.replace('-', '_')
			.replace("[", "_")
			.replace("]", "");
	}

}
