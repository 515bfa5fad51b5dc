package io.seckill.platform.lifecycle;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param preStopDelay how long an API node keeps serving after a stop was asked for,
 * while its readiness already reports {@code REFUSING_TRAFFIC}, so that a load balancer's
 * health check takes it out of rotation before it stops accepting connections (a little
 * more than the balancer's check interval times its fall count); 0 stops at once
 */
@ConfigurationProperties("seckill.shutdown")
record ShutdownSettings(@DefaultValue("0s") Duration preStopDelay) {
}
