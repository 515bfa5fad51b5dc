package io.seckill.activity;

/**
 * Published on every node (a Spring event fed by Redis pub/sub) when an activity's rules
 * or stock changed, so local caches and sold-out flags are dropped.
 */
public record ActivityChanged(long activityId) {
}
