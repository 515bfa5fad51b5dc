package io.seckill.platform;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The deployment mode as a bean, for the features whose defaults depend on it. */
@Configuration(proxyBeanMethods = false)
class DeploymentModeWiring {

	@Bean
	DeploymentMode deploymentMode(Environment environment) {
		return DeploymentMode.of(environment);
	}

}
