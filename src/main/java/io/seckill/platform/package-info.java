/**
 * Technical plumbing shared by the features, with no business rules: embedded servers for
 * the zero-setup default, Redis key layout, the stream record format that purchase and
 * order agree on, the error contract and node roles.
 */
package io.seckill.platform;
