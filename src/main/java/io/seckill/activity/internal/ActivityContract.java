package io.seckill.activity.internal;

import io.seckill.platform.web.ApiOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.seckill.platform.web.ErrorCode.*;

/**
 * The activity endpoints: who may call them and what they may refuse with, for the
 * OpenAPI document (the tests compare every real answer with it).
 */
@Configuration(proxyBeanMethods = false)
class ActivityContract {

	@Bean
	ApiOperations activityOperations() {
		return new ApiOperations().anyone("listActivities")
			.anyone("activity", NOT_FOUND)
			.admin("createActivity")
			.admin("listAllActivities")
			.admin("updateActivity", NOT_FOUND, ALREADY_STARTED)
			.admin("publishActivity", NOT_FOUND, ALREADY_STARTED, ENDED)
			.admin("raiseStock", NOT_FOUND, ENDED)
			.admin("activityStats", NOT_FOUND);
	}

}
