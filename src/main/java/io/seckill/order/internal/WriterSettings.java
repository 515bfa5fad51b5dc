package io.seckill.order.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param batchSize most stream entries written in one database transaction
 * @param block how long one read waits for new entries
 * @param claimAfter how long an entry may sit unacknowledged with another consumer before
 * this one takes it over (that consumer is presumed dead)
 * @param claimInterval how often to look for such entries
 * @param consumers writer threads in this process, each its own consumer in the group
 * @param ticketTtl how long a ticket's result stays readable
 * @param nodeName this worker's name in the consumer group; stable across restarts so a
 * restarted worker rereads its own unacknowledged entries at once (default: host name and
 * server port)
 * @param forgetConsumersAfter how long a consumer of the group that holds no entry may
 * stay idle before it is removed from the group (a worker scaled away or renamed)
 */
@ConfigurationProperties("seckill.worker")
record WriterSettings(@DefaultValue("500") int batchSize, @DefaultValue("200ms") Duration block,
		@DefaultValue("30s") Duration claimAfter, @DefaultValue("5s") Duration claimInterval,
		@DefaultValue("1") int consumers, @DefaultValue("24h") Duration ticketTtl, @DefaultValue("") String nodeName,
		@DefaultValue("1h") Duration forgetConsumersAfter) {
}
