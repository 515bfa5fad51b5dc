/**
 * Accounts in the database, BCrypt, JWT issue/verify, and the node-local copy of
 * admin-set user rules.
 */
package io.seckill.user.internal;
