/**
 * Embedded Redis and PostgreSQL for the zero-setup default; off as soon as real servers
 * are configured.
 */
package io.seckill.platform.embedded;
