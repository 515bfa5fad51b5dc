package io.seckill.platform;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints a refused setting as one line and what to do, without a stack trace. */
class RefusedSettingFailureAnalyzer extends AbstractFailureAnalyzer<RefusedSetting> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RefusedSetting cause) {
		return new FailureAnalysis(cause.getMessage(), cause.remedy(), cause);
	}

}
