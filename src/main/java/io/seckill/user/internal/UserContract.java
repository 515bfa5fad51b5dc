package io.seckill.user.internal;

import io.seckill.platform.web.ApiOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.seckill.platform.web.ErrorCode.*;

/**
 * The account endpoints: who may call them and what they may refuse with, for the OpenAPI
 * document (the tests compare every real answer with it).
 */
@Configuration(proxyBeanMethods = false)
class UserContract {

	@Bean
	ApiOperations userOperations() {
		return new ApiOperations()
			.anyone("register", USERNAME_TAKEN, CHALLENGE_REQUIRED, CHALLENGE_FAILED, RATE_LIMITED)
			.anyone("signUpChallenge", NOT_FOUND, RATE_LIMITED)
			.anyone("logIn", INVALID_CREDENTIALS, RATE_LIMITED)
			.account("changePassword", WRONG_PASSWORD, RATE_LIMITED)
			.admin("changeUserRules", NOT_FOUND);
	}

}
