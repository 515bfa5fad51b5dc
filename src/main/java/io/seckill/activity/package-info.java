/**
 * Activities and their items: admin set-up, stock changes before the start, publishing
 * (preloading rules and stock into Redis), the shopper listing, and the in-memory
 * {@link io.seckill.activity.SaleCatalog} the hot path reads.
 */
package io.seckill.activity;
