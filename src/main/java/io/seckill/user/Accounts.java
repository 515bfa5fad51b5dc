package io.seckill.user;

import io.seckill.user.internal.AccountService;

import org.springframework.stereotype.Component;

/** Account set-up for other features (the demo seed). Blocking. */
@Component
public class Accounts {

	private final AccountService service;

	Accounts(AccountService service) {
		this.service = service;
	}

	public void ensureShopper(String username, String password, int level) {
		this.service.ensureAccount(username, password, false, level);
	}

	public void blacklist(String username) {
		this.service.blacklist(username);
	}

}
