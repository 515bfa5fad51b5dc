package io.seckill.platform.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * The client's IP address, for per-IP limits. {@code X-Forwarded-For} is believed only
 * when the request came from a trusted proxy (a balancer of ours): anyone else can write
 * any address there, so a bot could otherwise pose as a thousand clients.
 */
@Component
public class ClientAddresses {

	static final String FORWARDED_FOR = "X-Forwarded-For";

	private final List<Range> trustedProxies;

	ClientAddresses(Settings settings) {
		this.trustedProxies = settings.trustedProxies().stream().map(Range::parse).toList();
	}

	/**
	 * The peer's address; when the peer is a trusted proxy, the right-most address in
	 * {@code X-Forwarded-For} that is not itself a trusted proxy (entries to its left
	 * were written by the client and prove nothing).
	 */
	public String of(ServerHttpRequest request) {
		InetSocketAddress remote = request.getRemoteAddress();
		String peer = (remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress()
				: "unknown";
		if (!isTrusted(peer)) {
			return peer;
		}
		List<String> forwarded = request.getHeaders().get(FORWARDED_FOR);
		if (forwarded == null) {
			return peer;
		}
		String client = peer;
		for (int h = forwarded.size() - 1; h >= 0; h--) {
			String[] hops = forwarded.get(h).split(",");
			for (int i = hops.length - 1; i >= 0; i--) {
				String hop = hops[i].trim();
				if (!isIpLiteral(hop)) {
					// Garbage in the chain: stop at the last address we could vouch for.
					return client;
				}
				client = hop;
				if (!isTrusted(hop)) {
					return hop;
				}
			}
		}
		return client;
	}

	private boolean isTrusted(String address) {
		if (!isIpLiteral(address)) {
			return false;
		}
		byte[] bytes = literal(address);
		for (Range proxy : this.trustedProxies) {
			if (proxy.contains(bytes)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Dotted IPv4 or an IPv6 literal. Anything else could make the matcher resolve a host
	 * name from a header a client wrote.
	 */
	static boolean isIpLiteral(String text) {
		if (text.isEmpty() || text.length() > 45) {
			return false;
		}
		boolean colon = false;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == ':') {
				colon = true;
			}
			else if (!((c >= '0' && c <= '9') || c == '.' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
				return false;
			}
		}
		if (colon) {
			return true;
		}
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c != '.' && (c < '0' || c > '9')) {
				return false;
			}
		}
		return text.chars().filter((c) -> c == '.').count() == 3;
	}

	// Only ever called with checked IP literals, so no host name lookup happens.
	private static byte[] literal(String address) {
		try {
			return InetAddress.getByName(address).getAddress();
		}
		catch (UnknownHostException ex) {
			return new byte[0];
		}
	}

	/**
	 * An address or CIDR range. (Spring Security's IpAddressMatcher would do, but it is
	 * tied to the servlet API this reactive app does not have.)
	 */
	record Range(byte[] network, int prefixBits) {

		static Range parse(String text) {
			String trimmed = text.trim();
			int slash = trimmed.indexOf('/');
			String address = (slash < 0) ? trimmed : trimmed.substring(0, slash);
			if (!isIpLiteral(address)) {
				throw new IllegalArgumentException("seckill.web.trusted-proxies: not an IP address or CIDR: " + text);
			}
			byte[] network = literal(address);
			int bits = (slash < 0) ? network.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
			if (network.length == 0 || bits < 0 || bits > network.length * 8) {
				throw new IllegalArgumentException("seckill.web.trusted-proxies: not an IP address or CIDR: " + text);
			}
			return new Range(network, bits);
		}

		boolean contains(byte[] address) {
			if (address.length != this.network.length) {
				return false;
			}
			for (int bit = 0; bit < this.prefixBits; bit += 8) {
				int mask = (this.prefixBits - bit >= 8) ? 0xff : (0xff << (8 - (this.prefixBits - bit))) & 0xff;
				if ((address[bit / 8] & mask) != (this.network[bit / 8] & mask)) {
					return false;
				}
			}
			return true;
		}

	}

	/**
	 * @param trustedProxies addresses or CIDR ranges of the proxies (nginx, HAProxy)
	 * whose {@code X-Forwarded-For} is believed; empty (the default) believes none
	 */
	@ConfigurationProperties("seckill.web")
	public record Settings(@DefaultValue List<String> trustedProxies) {
	}

}
