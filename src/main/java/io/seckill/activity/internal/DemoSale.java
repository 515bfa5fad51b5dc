package io.seckill.activity.internal;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.seckill.platform.DeploymentMode;
import io.seckill.platform.Roles;
import io.seckill.user.Accounts;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Seeds a demo sale into an empty database (seckill.demo.enabled, on by default in the
 * demo only): one published activity that starts a minute after launch with two items,
 * and, in the demo, shoppers alice, bob (level 1) and mallory (blacklisted), all with the
 * published password "password123". Outside the demo the sale is seeded when asked for,
 * the accounts never: a published password must not work there.
 */
@Component
@Order(10)
class DemoSale implements ApplicationRunner {

	private static final Log log = LogFactory.getLog(DemoSale.class);

	private final ActivityService activities;

	private final Accounts accounts;

	private final Roles roles;

	private final Clock clock;

	private final boolean enabled;

	private final DeploymentMode mode;

	DemoSale(ActivityService activities, Accounts accounts, Roles roles, Clock clock,
			@Value("${seckill.demo.enabled:false}") boolean enabled, DeploymentMode mode) {
		this.activities = activities;
		this.accounts = accounts;
		this.roles = roles;
		this.clock = clock;
		this.enabled = enabled;
		this.mode = mode;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (!this.enabled || !this.roles.admin() || this.activities.count() > 0) {
			return;
		}
		if (this.mode.isDemo()) {
			this.accounts.ensureDemoShoppers();
		}
		Instant start = this.clock.instant().plus(Duration.ofMinutes(1));
		ActivityDraft draft = new ActivityDraft("Demo flash sale 秒杀演示", start, start.plus(Duration.ofHours(2)), 0,
				List.of(new ActivityDraft.ItemDraft(null, "Phone 手机", new BigDecimal("999.00"), 10, 1),
						new ActivityDraft.ItemDraft(null, "Headphones 耳机", new BigDecimal("99.00"), 50, 2)),
				false, null);
		Activity created = this.activities.create(draft);
		this.activities.publish(created.id());
		log.info("Demo sale " + created.id() + " seeded; it starts at " + start
				+ (this.mode.isDemo()
						? ". Shoppers alice, bob, mallory (blacklisted) have password '" + Accounts.DEMO_PASSWORD + "'."
						: "."));
	}

}
