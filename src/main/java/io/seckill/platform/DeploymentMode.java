package io.seckill.platform;

import org.springframework.core.env.Environment;

/**
 * Whether this node is the self-contained demo or part of a real deployment, derived at
 * start from what is configured and never set by hand: with neither Redis nor a database
 * configured it is the demo (embedded servers, demo accounts and sale, example
 * passwords); with both it is production, where nothing published works and settings that
 * would let it are refused. Configuring only one of the two is refused outright: a node
 * must never write real orders into a throw-away embedded server.
 */
public enum DeploymentMode {

	DEMO, PRODUCTION;

	/** The property the mode is published under (read-only: derived at start). */
	public static final String PROPERTY = "seckill.mode";

	public static DeploymentMode of(Environment environment) {
		return PRODUCTION.name().equalsIgnoreCase(environment.getProperty(PROPERTY)) ? PRODUCTION : DEMO;
	}

	public boolean isDemo() {
		return this == DEMO;
	}

}
