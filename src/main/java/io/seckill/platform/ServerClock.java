package io.seckill.platform;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The clock every feature reads (the cluster's: {@link ClusterClock}), replaceable in
 * tests.
 */
@Configuration(proxyBeanMethods = false)
class ServerClock {

	@Bean
	ClusterClock clock() {
		return new ClusterClock(Clock.systemUTC());
	}

}
