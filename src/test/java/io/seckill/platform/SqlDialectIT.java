package io.seckill.platform;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.seckill.platform.sql.SqlDialect;
import io.seckill.support.IntegrationTest;
import io.seckill.support.TestServers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The statements whose behaviour the invariants rest on, on the database under test
 * (PostgreSQL, or MariaDB in the second run): a duplicate insert is skipped and nothing
 * else is, a conditional update never goes below zero, and SKIP LOCKED hands concurrent
 * claimers disjoint rows without waiting.
 */
class SqlDialectIT extends IntegrationTest {

	@Autowired
	private SqlDialect dialect;

	@Autowired
	private TransactionTemplate transaction;

	@BeforeEach
	void probeTable() {
		this.jdbc
			.execute("CREATE TABLE IF NOT EXISTS dialect_probe (id BIGINT PRIMARY KEY, k VARCHAR(20) NOT NULL UNIQUE, "
					+ "n INT NOT NULL CHECK (n >= 0))");
		this.jdbc.update("DELETE FROM dialect_probe");
	}

	private int insert(long id, String key, int n) {
		return this.jdbc.update(this.dialect.insertIgnoringDuplicates("dialect_probe", "id, k, n", "?, ?, ?"), id, key,
				n);
	}

	@Test
	void theDialectMatchesTheDatabaseUnderTest() {
		assertThat(this.dialect).isEqualTo(TestServers.mariadb() ? SqlDialect.MYSQL : SqlDialect.POSTGRESQL);
	}

	@Test
	void anInsertOfADuplicateKeyIsSkipped() {
		insert(1, "a", 5);
		insert(2, "a", 7);
		insert(1, "b", 7);
		assertThat(this.jdbc.queryForList("SELECT k FROM dialect_probe", String.class)).containsExactly("a");
		assertThat(this.jdbc.queryForObject("SELECT n FROM dialect_probe WHERE id = 1", Integer.class)).isEqualTo(5);
	}

	@Test
	void anInsertBreakingAnythingButAUniqueKeyStillFails() {
		assertThatExceptionOfType(DataIntegrityViolationException.class).isThrownBy(() -> insert(3, "c", -1));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dialect_probe", Long.class)).isZero();
	}

	@Test
	void aConditionalStockUpdateNeverGoesBelowZero() {
		insert(1, "a", 5);
		String take = "UPDATE dialect_probe SET n = n - ? WHERE id = ? AND n >= ?";
		assertThat(this.jdbc.update(take, 6, 1, 6)).isZero();
		assertThat(this.jdbc.update(take, 5, 1, 5)).isOne();
		assertThat(this.jdbc.update(take, 1, 1, 1)).isZero();
		assertThat(this.jdbc.queryForObject("SELECT n FROM dialect_probe WHERE id = 1", Integer.class)).isZero();
	}

	@Test
	void skipLockedGivesConcurrentClaimersDisjointRowsWithoutWaiting() throws Exception {
		for (int i = 1; i <= 10; i++) {
			insert(i, "k" + i, 1);
		}
		String claim = "SELECT id FROM dialect_probe ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
		CountDownLatch claimed = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<List<Long>> first = CompletableFuture.supplyAsync(() -> this.transaction.execute((status) -> {
			List<Long> ids = this.jdbc.queryForList(claim, Long.class, 4);
			claimed.countDown();
			await(release);
			return ids;
		}));
		await(claimed);
		long started = System.nanoTime();
		List<Long> second = this.transaction.execute((status) -> this.jdbc.queryForList(claim, Long.class, 10));
		long waitedMillis = (System.nanoTime() - started) / 1_000_000;
		release.countDown();

		assertThat(first.get(10, TimeUnit.SECONDS)).containsExactly(1L, 2L, 3L, 4L);
		assertThat(second).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
		assertThat(waitedMillis).isLessThan(5000);
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
