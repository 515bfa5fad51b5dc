/**
 * Redis key layout, ticket states and the order stream format shared by purchase and
 * order.
 */
@org.springframework.modulith.NamedInterface("redis")
package io.seckill.platform.redis;
