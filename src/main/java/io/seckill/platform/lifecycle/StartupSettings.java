package io.seckill.platform.lifecycle;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param requestHold how long an API request that reaches a node still starting (its port
 * is open, its start-up runners are not done) waits for the node to be ready before it is
 * answered {@code 503 UNAVAILABLE}; keep it under the balancers' read timeout (10 s in
 * deploy/). 0 answers at once.
 */
@ConfigurationProperties("seckill.startup")
record StartupSettings(@DefaultValue("5s") Duration requestHold) {
}
