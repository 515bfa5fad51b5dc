package io.seckill.user;

/**
 * Whether a sign-up must answer a picture challenge now. The activity module answers it
 * (a sale that asks its shoppers for challenges asks new accounts too, while it is
 * published and not over); without an answer, sign-ups need none. Blocking.
 */
public interface SignUpPolicy {

	boolean challengeRequired();

}
