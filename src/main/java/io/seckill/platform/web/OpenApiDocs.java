package io.seckill.platform.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI page (springdoc): /swagger-ui.html and /v3/api-docs. docs/api.md is the
 * narrative.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiDocs {

	@Bean
	OpenAPI seckillOpenApi() {
		return new OpenAPI().info(new Info().title("seckill API")
			.version("v1")
			.description("Flash-sale API. Every rejection is {code, message, messageZh, requestId}; see docs/api.md."))
			.components(new Components().addSecuritySchemes("bearer",
					new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")));
	}

}
