/** Mapping of framework and infrastructure failures onto the API's error codes. */
package io.seckill.platform.web.internal;
