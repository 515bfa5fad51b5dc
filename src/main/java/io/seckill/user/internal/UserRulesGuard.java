package io.seckill.user.internal;

import io.seckill.platform.Roles;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * On admin nodes: notices when Redis has lost the admin-set user rules (a restart without
 * persistence, a failover to an empty replica) and restores them from the database, so a
 * blacklisting survives Redis. Nodes keep their last known rules meanwhile.
 */
@Component
class UserRulesGuard {

	private static final Log log = LogFactory.getLog(UserRulesGuard.class);

	private final UserRulesDirectory directory;

	private final AccountService accounts;

	private final Roles roles;

	UserRulesGuard(UserRulesDirectory directory, AccountService accounts, Roles roles) {
		this.directory = directory;
		this.accounts = accounts;
		this.roles = roles;
	}

	@Scheduled(fixedDelayString = "${seckill.security.rules-guard-interval:5s}",
			initialDelayString = "${seckill.security.rules-guard-interval:5s}")
	void restoreWhenLost() {
		if (!this.roles.admin()) {
			return;
		}
		try {
			if (this.directory.lostInRedis()) {
				log.warn("User rules are missing from Redis; restoring them from the database");
				this.accounts.restoreRulesToRedis();
			}
		}
		catch (RuntimeException ex) {
			log.warn("Could not check or restore user rules: " + ex.getMessage());
		}
	}

}
