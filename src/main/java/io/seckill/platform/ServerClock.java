package io.seckill.platform;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The clock every feature reads, replaceable in tests. */
@Configuration(proxyBeanMethods = false)
class ServerClock {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

}
