/**
 * The hot path: the purchase endpoint, the one-call Redis admission (Lua), tickets, the
 * per-node sold-out flags and the per-user rate limit. Meets the order module only
 * through the stream record format ({@link io.seckill.platform.redis.OrderStreamRecord}).
 */
package io.seckill.purchase;
