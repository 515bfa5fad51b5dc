package io.seckill.purchase.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The draw places early arrivals independently of when they came: with a fixed seed, the
 * rank correlation between joining order and drawn order is near 0, and another seed
 * draws another order.
 */
class WaitingRoomDrawTest {

	private static final String SEED = "5eed".repeat(16);

	private static final int SHOPPERS = 2_000;

	@Test
	void theDrawnOrderIsIndependentOfTheJoiningOrder() {
		// Shoppers joined in the order of their ids (as sign-up order tends to be).
		List<Long> drawn = drawnOrder(SEED);
		double[] joinRank = new double[SHOPPERS];
		double[] drawRank = new double[SHOPPERS];
		for (int position = 0; position < SHOPPERS; position++) {
			int joined = (int) (drawn.get(position) - 1);
			joinRank[joined] = joined;
			drawRank[joined] = position;
		}
		double rho = spearman(joinRank, drawRank);
		// One standard deviation is 1/sqrt(n-1), about 0.022 here.
		assertThat(Math.abs(rho)).as("rank correlation %s", rho).isLessThan(0.05);
		// The first tenth to join is about a tenth of the first tenth drawn.
		long earlyInFront = drawn.subList(0, SHOPPERS / 10).stream().filter((id) -> id <= SHOPPERS / 10).count();
		assertThat(earlyInFront).isBetween(10L, 35L);
	}

	@Test
	void anotherSeedDrawsAnotherOrderAndTheSameSeedTheSame() {
		assertThat(drawnOrder(SEED)).isEqualTo(drawnOrder(SEED));
		assertThat(drawnOrder("0123".repeat(16))).isNotEqualTo(drawnOrder(SEED));
	}

	@Test
	void scoresFitARedisScoreExactly() {
		LongStream.rangeClosed(1, SHOPPERS)
			.forEach((id) -> assertThat(WaitingRoomDraw.score(SEED, id)).isBetween(0L, (1L << 52) - 1));
	}

	@Test
	void theCommitmentIsTheSeedsSha256() {
		assertThat(WaitingRoomDraw.commitment("00".repeat(32)))
			.isEqualTo("66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
	}

	private static List<Long> drawnOrder(String seed) {
		List<Long> ids = new ArrayList<>();
		LongStream.rangeClosed(1, SHOPPERS).forEach(ids::add);
		ids.sort(Comparator.comparingLong((Long id) -> WaitingRoomDraw.score(seed, id)));
		return ids;
	}

	private static double spearman(double[] a, double[] b) {
		int n = a.length;
		double sum = 0;
		for (int i = 0; i < n; i++) {
			double d = a[i] - b[i];
			sum += d * d;
		}
		return 1 - 6 * sum / ((double) n * ((double) n * n - 1));
	}

}
