package io.seckill.platform.web;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ClientAddressesTest {

	private final ClientAddresses addresses = new ClientAddresses(
			new ClientAddresses.Settings(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8")));

	private String client(String peer, String... forwardedFor) {
		MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/")
			.remoteAddress(new InetSocketAddress(peer, 40000));
		for (String header : forwardedFor) {
			request.header("X-Forwarded-For", header);
		}
		return this.addresses.of(request.build());
	}

	@Test
	void anUntrustedPeerIsTheClientWhateverItForwards() {
		assertThat(client("198.51.100.9", "1.2.3.4")).isEqualTo("198.51.100.9");
		assertThat(client("10.1.2.3")).isEqualTo("10.1.2.3");
	}

	@Test
	void behindTrustedProxiesTheRightMostUntrustedHopIsTheClient() {
		assertThat(client("10.1.2.3", "203.0.113.5")).isEqualTo("203.0.113.5");
		// The left entries were written by the client itself.
		assertThat(client("10.1.2.3", "6.6.6.6, 203.0.113.5, 192.168.1.7")).isEqualTo("203.0.113.5");
		assertThat(client("10.1.2.3", "6.6.6.6", "203.0.113.5, 10.9.9.9")).isEqualTo("203.0.113.5");
		assertThat(client("fd00::1", "2001:db8::5")).isEqualTo("2001:db8::5");
	}

	@Test
	void garbageInTheChainStopsAtTheLastAddressVouchedFor() {
		assertThat(client("10.1.2.3", "evil.example.com")).isEqualTo("10.1.2.3");
		assertThat(client("10.1.2.3", "203.0.113.5, cafe")).isEqualTo("10.1.2.3");
		assertThat(client("10.1.2.3", "")).isEqualTo("10.1.2.3");
	}

	@Test
	void onlyTheAddressesOfTheConfiguredRangesAreTrusted() {
		assertThat(client("192.168.1.8", "203.0.113.5")).isEqualTo("192.168.1.8");
		assertThat(client("11.0.0.1", "203.0.113.5")).isEqualTo("11.0.0.1");
	}

	@Test
	void aBadRangeIsRefusedAtStart() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ClientAddresses(new ClientAddresses.Settings(List.of("proxy.example.com"))));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ClientAddresses(new ClientAddresses.Settings(List.of("10.0.0.0/33"))));
	}

}
