package io.seckill.user.internal;

import io.seckill.platform.DeploymentMode;
import io.seckill.platform.RefusedSetting;
import io.seckill.platform.Roles;
import io.seckill.platform.SecretPolicy;
import java.util.List;

import io.seckill.user.Accounts;
import io.seckill.user.SecuritySettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * On an admin node: creates the configured admin account when missing, and restores the
 * admin-set user rules into Redis (a restarted Redis has forgotten them; the database has
 * not). Runs before the node reports ready.
 * <p>
 * Outside the demo the admin's first password must be configured, and may not be one this
 * project publishes: the node refuses to start otherwise. Once the account exists the
 * setting is ignored (the admin changes the password with
 * {@code PUT /api/v1/users/me/password}).
 */
@Component
@Order(0)
class BootstrapAdmin implements ApplicationRunner {

	private static final Log log = LogFactory.getLog(BootstrapAdmin.class);

	static final String PASSWORD_SETTING = "seckill.security.bootstrap-admin.password";

	private final AccountService accounts;

	private final SecuritySettings settings;

	private final Roles roles;

	private final DeploymentMode mode;

	BootstrapAdmin(AccountService accounts, SecuritySettings settings, Roles roles, DeploymentMode mode) {
		this.accounts = accounts;
		this.settings = settings;
		this.roles = roles;
		this.mode = mode;
		String password = settings.bootstrapAdmin().password();
		if (!mode.isDemo() && roles.admin() && password != null && !password.isEmpty()) {
			SecretPolicy.requireOwnPassword(PASSWORD_SETTING, password);
		}
	}

	@Override
	public void run(ApplicationArguments args) {
		if (!this.roles.admin()) {
			return;
		}
		SecuritySettings.BootstrapAdmin admin = this.settings.bootstrapAdmin();
		if (!this.mode.isDemo()) {
			replacePublishedPasswords(admin);
		}
		if (admin.password() != null && !admin.password().isEmpty()) {
			this.accounts.ensureAccount(admin.username(), admin.password(), true, 0);
		}
		else if (!this.accounts.exists(admin.username())) {
			if (!this.mode.isDemo()) {
				throw new RefusedSetting(PASSWORD_SETTING,
						"is not set and no admin account '" + admin.username() + "' exists yet",
						"Set it (at least " + SecretPolicy.MIN_PASSWORD_LENGTH
								+ " characters, not a published one) for the first start of an admin node; "
								+ "once the account exists it is no longer needed.");
			}
			log.warn(PASSWORD_SETTING + " is empty: no admin account is created");
		}
		this.accounts.restoreRulesToRedis();
	}

	/**
	 * A database that once ran with the demo's defaults (or was given an example
	 * password) may hold accounts whose password is published: the admin's is replaced by
	 * the configured one (the node refuses to start without one), the demo shoppers are
	 * locked. Their tokens are revoked either way.
	 */
	private void replacePublishedPasswords(SecuritySettings.BootstrapAdmin admin) {
		if (this.accounts.hasPublishedPassword(admin.username(), SecretPolicy.publishedValues())) {
			if (admin.password() == null || admin.password().isEmpty()) {
				throw new RefusedSetting(PASSWORD_SETTING, "is not set, and the admin account '" + admin
					.username() + "' has a password published in this project", "Set it (at least "
							+ SecretPolicy.MIN_PASSWORD_LENGTH
							+ " characters, not a published one): the node replaces the published password with it.");
			}
			this.accounts.replacePassword(admin.username(), admin.password());
			log.warn("The admin account '" + admin.username() + "' had a published password: replaced by "
					+ PASSWORD_SETTING + ", its tokens revoked");
		}
		for (String shopper : Accounts.DEMO_SHOPPERS) {
			if (this.accounts.hasPublishedPassword(shopper, List.of(Accounts.DEMO_PASSWORD))) {
				this.accounts.lock(shopper);
				log.warn("The demo account '" + shopper + "' had the demo's published password: locked");
			}
		}
	}

}
