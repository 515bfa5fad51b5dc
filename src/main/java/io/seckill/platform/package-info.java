/**
 * Technical plumbing shared by the features, with no business rules: embedded servers for
 * the zero-setup default, Redis key layout, the stream record format that purchase and
 * order agree on, the error contract, node roles and how an API node leaves a load
 * balancer before it stops.
 */
package io.seckill.platform;
