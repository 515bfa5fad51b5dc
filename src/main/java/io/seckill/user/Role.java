package io.seckill.user;

/** What an account may do. */
public enum Role {

	SHOPPER, ADMIN

}
