package io.seckill.user;

import java.util.List;

import io.seckill.user.internal.AccountService;

import org.springframework.stereotype.Component;

/** Account set-up for other features (the demo seed). Blocking. */
@Component
public class Accounts {

	/** The demo's shoppers: alice (level 0), bob (level 1), mallory (blacklisted). */
	public static final List<String> DEMO_SHOPPERS = List.of("alice", "bob", "mallory");

	/** Their published password: it works in the demo only. */
	public static final String DEMO_PASSWORD = "password123";

	private final AccountService service;

	Accounts(AccountService service) {
		this.service = service;
	}

	/** Creates the demo's shoppers when missing (the demo only). */
	public void ensureDemoShoppers() {
		this.service.ensureAccount("alice", DEMO_PASSWORD, false, 0);
		this.service.ensureAccount("bob", DEMO_PASSWORD, false, 1);
		this.service.ensureAccount("mallory", DEMO_PASSWORD, false, 0);
		this.service.blacklist("mallory");
	}

}
