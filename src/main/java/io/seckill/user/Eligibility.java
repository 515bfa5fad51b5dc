package io.seckill.user;

import io.seckill.user.internal.UserRulesDirectory;
import io.seckill.user.internal.UserRulesDirectory.UserRules;

import org.springframework.stereotype.Component;

/**
 * The per-user half of 秒杀资格: blacklist and minimum level. Answered from memory: the
 * token's level, overridden by admin changes that every node picks up within a second.
 */
@Component
public class Eligibility {

	private final UserRulesDirectory directory;

	Eligibility(UserRulesDirectory directory) {
		this.directory = directory;
	}

	public boolean allows(Shopper shopper, int minLevel) {
		UserRules changed = this.directory.find(shopper.id());
		if (changed != null) {
			return !changed.blacklisted() && changed.level() >= minLevel;
		}
		return shopper.level() >= minLevel;
	}

}
