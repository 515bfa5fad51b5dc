/**
 * Node lifecycle in a cluster: how an API node leaves a load balancer's rotation before
 * it stops.
 */
package io.seckill.platform.lifecycle;
