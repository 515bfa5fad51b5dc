package io.seckill.platform.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TicketStateTest {

	@Test
	void readsEachStateTheScriptAndWriterStore() {
		assertThat(TicketState.parse("Q|42")).isEqualTo(new TicketState('Q', 42, ""));
		assertThat(TicketState.parse(TicketState.success(42, 7))).isEqualTo(new TicketState('S', 42, "7"));
		assertThat(TicketState.parse(TicketState.failed(42, "SOLD_OUT")))
			.isEqualTo(new TicketState('F', 42, "SOLD_OUT"));
	}

	@Test
	void rejectsValuesThatAreNoTicketState() {
		assertThat(TicketState.parse(null)).isNull();
		assertThat(TicketState.parse("Q")).isNull();
		assertThat(TicketState.parse("Q|x")).isNull();
	}

	@Test
	void aStreamEntryWithAMissingFieldIsRefused() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> OrderStreamRecord.from(java.util.Map.of("t", "1-x", "a", "1", "i", "2", "u", "3")));
	}

}
