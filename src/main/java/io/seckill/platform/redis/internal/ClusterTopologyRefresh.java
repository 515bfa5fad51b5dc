package io.seckill.platform.redis.internal;

import java.time.Duration;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;

import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How fast a node follows a Redis Cluster failover. Lettuce refreshes the topology on its
 * adaptive triggers (a {@code MOVED}, lost connections) at most once per 30 s by default:
 * measured here, the first trigger after a primary's kill -9 fires before the cluster has
 * promoted its replica, reads the old topology, and the next refresh waits the rest of
 * the 30 s while every command of the dead primary's slots times out. So the triggers may
 * fire once a second, and two failed reconnects (not five) count as one. The period, the
 * adaptive switch and the dynamic sources stay Spring Boot's settings
 * ({@code spring.data.redis.lettuce.cluster.refresh.*}).
 */
@Configuration(proxyBeanMethods = false)
class ClusterTopologyRefresh {

	static final Duration ADAPTIVE_REFRESH_AT_MOST_EVERY = Duration.ofSeconds(1);

	@Bean
	LettuceClientOptionsBuilderCustomizer fastClusterTopologyRefresh(DataRedisProperties properties) {
		return (builder) -> {
			if (!(builder instanceof ClusterClientOptions.Builder cluster)) {
				return;
			}
			DataRedisProperties.Lettuce.Cluster.Refresh refresh = properties.getLettuce().getCluster().getRefresh();
			ClusterTopologyRefreshOptions.Builder options = ClusterTopologyRefreshOptions.builder()
				.dynamicRefreshSources(refresh.isDynamicRefreshSources())
				.adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_AT_MOST_EVERY)
				.refreshTriggersReconnectAttempts(2);
			if (refresh.getPeriod() != null) {
				options.enablePeriodicRefresh(refresh.getPeriod());
			}
			if (refresh.isAdaptive()) {
				options.enableAllAdaptiveRefreshTriggers();
			}
			cluster.topologyRefreshOptions(options.build());
		};
	}

}
