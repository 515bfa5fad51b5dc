"""The JFR profile's per-layer attribution (seckill_bench.jvm): python3 -m unittest discover bench/tests"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from seckill_bench.jvm import layer_shares, sample_layer  # noqa: E402


class Layers(unittest.TestCase):
    def test_jdk_code_counts_to_its_caller(self):
        self.assertEqual(sample_layer(["java.util.HashMap.get", "io.lettuce.core.RedisPublisher.onNext",
                                       "reactor.core.publisher.FluxMap.onNext"]), "Lettuce (Redis client)")

    def test_socket_calls_are_their_own_layer(self):
        self.assertEqual(sample_layer(["sun.nio.ch.SocketDispatcher.write0", "io.netty.channel.AbstractChannel.flush"]),
                         "socket I/O (epoll, read/write)")
        self.assertEqual(sample_layer(["io.netty.channel.epoll.Native.epollWait",
                                       "io.netty.channel.epoll.EpollEventLoop.run"]), "socket I/O (epoll, read/write)")

    def test_the_first_matching_pattern_names_the_layer(self):
        self.assertEqual(sample_layer(["io.netty.handler.codec.http.HttpObjectDecoder.decode"]), "HTTP codec (Netty)")
        self.assertEqual(sample_layer(["org.springframework.security.web.server.authorization.AuthorizationWebFilter"
                                       ".filter"]), "Spring Security")
        self.assertEqual(sample_layer(["org.springframework.web.filter.reactive.ServerHttpObservationFilter.filter"]),
                         "observations and metrics (Micrometer)")
        self.assertEqual(sample_layer(["org.springframework.web.reactive.DispatcherHandler.handle"]),
                         "WebFlux (dispatch, routing, codecs)")

    def test_unknown_frames(self):
        self.assertEqual(sample_layer(["java.lang.Thread.run"]), "JDK, other")
        self.assertEqual(sample_layer(["org.example.Thing.do", "io.seckill.X.y"]), "other libraries")

    def test_shares_sum_to_100_and_inclusive_counts_each_sample_once(self):
        stacks = [["java.util.HashMap.get", "io.seckill.A.b", "reactor.core.publisher.Mono.subscribe"],
                  ["io.lettuce.core.X.y", "io.lettuce.core.Z.w", "io.seckill.A.b"],
                  ["sun.nio.ch.IOUtil.write"], ["sun.nio.ch.IOUtil.write"]]
        shares = layer_shares(stacks)
        self.assertAlmostEqual(sum(own for own, _ in shares.values()), 100.0)
        self.assertEqual(shares["socket I/O (epoll, read/write)"], [50.0, 50.0])
        self.assertEqual(shares["the application (io.seckill)"], [25.0, 50.0])
        self.assertEqual(shares["Lettuce (Redis client)"], [25.0, 25.0])
        self.assertEqual(shares["Reactor core (operators, context)"], [0.0, 25.0])
        self.assertEqual(list(shares)[0], "socket I/O (epoll, read/write)", "ranked by self share")


if __name__ == "__main__":
    unittest.main()
