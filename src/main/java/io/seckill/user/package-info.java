/**
 * Accounts, login and access tokens, and the per-user side of eligibility (level,
 * blacklist). Its API is {@link io.seckill.user.Callers} (who is calling) and
 * {@link io.seckill.user.Eligibility}.
 */
package io.seckill.user;
