package io.seckill.platform.web.internal;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;

import tools.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.core.codec.CodecException;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/** Maps framework and infrastructure failures onto the error codes clients see. */
public final class ErrorTranslation {

	private ErrorTranslation() {
	}

	public static ApiException toApiException(Throwable failure) {
		if (failure instanceof ApiException api) {
			return api;
		}
		if (causedBy(failure, DataBufferLimitException.class)) {
			return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE);
		}
		if (failure instanceof WebExchangeBindException bind) {
			return new ApiException(ErrorCode.BAD_REQUEST, describe(bind));
		}
		if (failure instanceof UnsupportedMediaTypeStatusException) {
			return new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
		}
		if (failure instanceof MethodNotAllowedException) {
			return new ApiException(ErrorCode.METHOD_NOT_ALLOWED);
		}
		UnrecognizedPropertyException unknown = cause(failure, UnrecognizedPropertyException.class);
		if (unknown != null) {
			return new ApiException(ErrorCode.BAD_REQUEST,
					"Invalid input: unknown field '" + unknown.getPropertyName() + "'");
		}
		if (failure instanceof ServerWebInputException || failure instanceof DecodingException
				|| failure instanceof CodecException) {
			return new ApiException(ErrorCode.BAD_REQUEST, "The request body or a parameter could not be read.");
		}
		if (failure instanceof ResponseStatusException status) {
			if (status.getStatusCode().value() == HttpStatus.NOT_FOUND.value()) {
				return new ApiException(ErrorCode.NOT_FOUND);
			}
			if (status.getStatusCode().value() == HttpStatus.CONTENT_TOO_LARGE.value()) {
				return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE);
			}
			if (status.getStatusCode().is4xxClientError()) {
				return new ApiException(ErrorCode.BAD_REQUEST);
			}
		}
		if (causedBy(failure, RedisConnectionFailureException.class) || causedBy(failure, RedisSystemException.class)
				|| causedBy(failure, DataAccessResourceFailureException.class)
				|| causedBy(failure, TransientDataAccessException.class)) {
			return new ApiException(ErrorCode.UNAVAILABLE);
		}
		return new ApiException(ErrorCode.INTERNAL_ERROR);
	}

	private static String describe(WebExchangeBindException bind) {
		StringBuilder text = new StringBuilder("Invalid input:");
		bind.getFieldErrors()
			.forEach((error) -> text.append(' ')
				.append(error.getField())
				.append(' ')
				.append(error.getDefaultMessage())
				.append(';'));
		return text.toString();
	}

	private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
		return cause(failure, type) != null;
	}

	private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return null;
	}

}
