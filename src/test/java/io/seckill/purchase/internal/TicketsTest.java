package io.seckill.purchase.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TicketsTest {

	@Test
	void aNewTicketNamesItsActivity() {
		String ticket = Tickets.newTicket(42);
		assertThat(ticket).matches("42-[0-9a-f]{32}");
		assertThat(Tickets.activityOf(ticket)).isEqualTo(42);
	}

	@Test
	void ticketsDoNotRepeat() {
		java.util.Set<String> seen = new java.util.HashSet<>();
		for (int i = 0; i < 10_000; i++) {
			assertThat(seen.add(Tickets.newTicket(1))).isTrue();
		}
	}

	@Test
	void malformedTicketsHaveNoActivity() {
		assertThat(Tickets.activityOf("garbage")).isEqualTo(-1);
		assertThat(Tickets.activityOf("0-" + "a".repeat(32))).isEqualTo(-1);
		assertThat(Tickets.activityOf("-1-" + "a".repeat(32))).isEqualTo(-1);
		assertThat(Tickets.activityOf("1-" + "A".repeat(32))).isEqualTo(-1);
		assertThat(Tickets.activityOf("1-" + "a".repeat(31))).isEqualTo(-1);
		assertThat(Tickets.activityOf("99999999999999999999-" + "a".repeat(32))).isEqualTo(-1);
	}

}
