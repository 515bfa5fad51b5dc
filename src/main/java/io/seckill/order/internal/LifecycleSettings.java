package io.seckill.order.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param paymentTimeout how long an order waits for payment before it is cancelled and
 * its unit goes back on sale
 * @param expiryInterval how often workers look for unpaid orders past the timeout
 * @param expiryBatch most orders cancelled per transaction
 * @param paymentFailureRate share of simulated payments the provider declines (0 to 1)
 * @param paymentDelay how long the simulated provider takes to answer
 */
@ConfigurationProperties("seckill.orders")
record LifecycleSettings(@DefaultValue("15m") Duration paymentTimeout, @DefaultValue("1s") Duration expiryInterval,
		@DefaultValue("200") int expiryBatch, @DefaultValue("0") double paymentFailureRate,
		@DefaultValue("0ms") Duration paymentDelay) {
}
