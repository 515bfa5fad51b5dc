/** Stream consumers, the batch order writer and its SQL, the shopper's order list. */
package io.seckill.order.internal;
