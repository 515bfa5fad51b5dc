package io.seckill.order;

import java.util.HashMap;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Order counts for the admin stats. Blocking. */
@Component
public class OrderStatistics {

	private final JdbcClient jdbc;

	OrderStatistics(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Live (not cancelled) orders per item of an activity. */
	public Map<Long, Long> liveOrdersByItem(long activityId) {
		Map<Long, Long> counts = new HashMap<>();
		this.jdbc
			.sql("SELECT item_id, count(*) AS n FROM orders WHERE activity_id = :activity AND status <> 'CANCELLED' "
					+ "GROUP BY item_id")
			.param("activity", activityId)
			.query((rs) -> {
				counts.put(rs.getLong("item_id"), rs.getLong("n"));
			});
		return counts;
	}

}
