package io.seckill.platform;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.seckill.platform.redis.ClusterDuties;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What operators and API users read: health groups, Prometheus metrics, the OpenAPI
 * document, all on the management port and none on the public one.
 */
class OperationsEndpointsIT extends IntegrationTest {

	private Api management;

	@Autowired
	private Environment environment;

	@Autowired
	private ClusterDuties duties;

	@BeforeEach
	void connectManagement() {
		this.management = new Api("http://127.0.0.1:" + this.managementPort);
	}

	@Test
	void livenessAndReadinessGroupsAreUp() {
		assertThat(this.management.get("/actuator/health/liveness", null).text("status")).isEqualTo("UP");
		assertThat(this.management.get("/actuator/health/readiness", null).text("status")).isEqualTo("UP");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator/health", "/actuator/health/readiness", "/actuator/prometheus",
			"/actuator/metrics", "/actuator/openapi", "/actuator/swagger-ui", "/v3/api-docs", "/swagger-ui.html",
			"/swagger-ui/index.html" })
	void noOperationsEndpointIsOnThePublicPort(String path) {
		Reply reply = this.api.get(path, null);
		assertThat(reply.status()).isEqualTo(404);
		assertThat(reply.code()).isEqualTo("NOT_FOUND");
	}

	@Test
	void theManagementPortListensOnLoopbackOnly() throws Exception {
		assertThat(this.environment.getProperty("management.server.address")).isEqualTo("127.0.0.1");
		// From any other address of this machine, nothing listens on that port.
		List<InetAddress> others = NetworkInterface.networkInterfaces()
			.flatMap(NetworkInterface::inetAddresses)
			.filter((address) -> !address.isLoopbackAddress() && address instanceof Inet4Address)
			.toList();
		for (InetAddress address : others) {
			try (Socket socket = new Socket()) {
				assertThatExceptionOfType(java.io.IOException.class).as("the management port on %s", address)
					.isThrownBy(() -> socket.connect(new InetSocketAddress(address, this.managementPort), 2000));
			}
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.managementPort), 2000);
		}
	}

	@Test
	void prometheusExposesAdmissionsQueueAndWriterMetrics() throws Exception {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 2);
		String token = this.api.newShopper();
		Reply bought = this.api.purchase(sale, sale.item(), token);
		this.api.awaitTicket(bought.text("ticket"), token, Duration.ofSeconds(20));
		// The queue's gauges are reported by the worker holding the cluster duties: this
		// node, once the contexts the test framework paused gave the lease back.
		await().atMost(Duration.ofSeconds(15)).until(this.duties::held);
		Thread.sleep(1500);

		String metrics = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/prometheus"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();

		assertThat(metrics).containsPattern("seckill_admissions_total\\{[^}]*outcome=\"QUEUED\"[^}]*\\} [1-9]")
			.contains("seckill_queue_length")
			.contains("seckill_queue_lag_seconds")
			.contains("seckill_writer_batch_size_count")
			.contains("seckill_writer_batch_latency_seconds_bucket")
			// What the replication and 5xx alerts read
			// (deploy/prometheus/seckill-alerts.yml).
			.containsPattern("(?m)^seckill_redis_replicas(\\{[^}]*\\})? -?[0-9]")
			.containsPattern("(?m)^seckill_redis_replication_lag_bytes(\\{[^}]*\\})? [0-9]")
			.containsPattern("(?m)^seckill_redis_primary_changes_total(\\{[^}]*\\})? [0-9]")
			.containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"202\"");
	}

	@Test
	void theServerTimeIsEpochMillisForCountdowns() {
		long before = System.currentTimeMillis();
		long now = this.api.get("/api/v1/time", null).body().path("now").asLong();
		assertThat(now).isBetween(before - 1000, System.currentTimeMillis() + 1000);
		assertThat(this.api.get("/api/v1/ping", null).text("status")).isEqualTo("ok");
	}

}
