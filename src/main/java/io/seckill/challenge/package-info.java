/**
 * Picture challenges (a small sum drawn as an image) that slow scripts down where a sale
 * asks for it: before a purchase token, and at sign-up. Its API is
 * {@link io.seckill.challenge.PictureChallenges}.
 */
package io.seckill.challenge;
