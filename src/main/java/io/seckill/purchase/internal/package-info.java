/** The purchase route, the admission script runner, tickets and sold-out flags. */
package io.seckill.purchase.internal;
