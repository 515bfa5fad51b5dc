/**
 * Activity storage, admin and shopper endpoints, the Redis preload, change relay and the
 * demo seed.
 */
package io.seckill.activity.internal;
