package io.seckill.purchase.internal;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param required whether a purchase needs a purchase token (turn off only behind a
 * gateway that already stops bots)
 * @param ttl how long a token stays valid after it is issued
 * @param keys HMAC keys shared by all API nodes: the first signs, all verify. Rotate by
 * adding the new key last on every node, then moving it first, then removing the old one
 * once {@code ttl} has passed. Empty: a key derived from
 * {@code seckill.security.token-secret} (random per process when that is empty too).
 * @param rateLimit purchase-token and challenge requests a shopper may send per
 * {@code rateWindow} and activity (0 turns it off)
 * @param ipRateLimit the same per client IP (0, the default, turns it off; set
 * {@code seckill.web.trusted-proxies} first when behind a balancer, or every shopper
 * shares the balancer's address)
 * @param rateWindow the window of both limits
 * @param challengeFailures wrong challenge answers a shopper may give per
 * {@code challengeWindow} and activity
 * @param challengeWindow the window of that limit
 * @param challengeTtl how long a challenge can be answered
 */
@ConfigurationProperties("seckill.purchase-token")
record PurchaseTokenSettings(@DefaultValue("true") boolean required, @DefaultValue("30s") Duration ttl,
		@DefaultValue List<Key> keys, @DefaultValue("5") int rateLimit, @DefaultValue("0") int ipRateLimit,
		@DefaultValue("1s") Duration rateWindow, @DefaultValue("5") int challengeFailures,
		@DefaultValue("1m") Duration challengeWindow, @DefaultValue("2m") Duration challengeTtl) {

	/** An HMAC key: a short id carried in the token, and the secret (≥ 32 bytes). */
	record Key(String id, String secret) {
	}

}
