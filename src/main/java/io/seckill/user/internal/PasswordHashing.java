package io.seckill.user.internal;

import io.seckill.user.SecuritySettings;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;

/** BCrypt from spring-security-crypto. CPU-heavy by design: run it off the event loop. */
@Component
class PasswordHashing {

	private final BCryptPasswordEncoder encoder;

	PasswordHashing(SecuritySettings settings) {
		this.encoder = new BCryptPasswordEncoder(settings.passwordStrength());
	}

	String hash(String password) {
		return this.encoder.encode(password);
	}

	boolean matches(String password, String hash) {
		return this.encoder.matches(password, hash);
	}

}
