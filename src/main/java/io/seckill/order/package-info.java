/**
 * Orders: the workers that read admitted purchases from the Redis stream and write them
 * to the database in batches (the final truth), the ticket results, and the shopper's
 * order list.
 */
package io.seckill.order;
