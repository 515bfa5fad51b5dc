package io.seckill.user.internal;

import io.seckill.platform.Roles;
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
 * not).
 */
@Component
@Order(0)
class BootstrapAdmin implements ApplicationRunner {

	private static final Log log = LogFactory.getLog(BootstrapAdmin.class);

	private final AccountService accounts;

	private final SecuritySettings settings;

	private final Roles roles;

	BootstrapAdmin(AccountService accounts, SecuritySettings settings, Roles roles) {
		this.accounts = accounts;
		this.settings = settings;
		this.roles = roles;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (!this.roles.admin()) {
			return;
		}
		SecuritySettings.BootstrapAdmin admin = this.settings.bootstrapAdmin();
		if (admin.password() == null || admin.password().isBlank()) {
			log.warn("seckill.security.bootstrap-admin.password is empty: no admin account is created");
		}
		else {
			this.accounts.ensureAccount(admin.username(), admin.password(), true, 0);
		}
		this.accounts.restoreRulesToRedis();
	}

}
