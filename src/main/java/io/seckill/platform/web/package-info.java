/**
 * The error contract shared by every endpoint: codes, messages in two languages, the JSON
 * body.
 */
@org.springframework.modulith.NamedInterface("web")
package io.seckill.platform.web;
