// The webhook egress guard: which resolved addresses count as public (ingest::IsPublicAddress).

#include <catch2/catch.hpp>

#include "ingest/feed_fetcher.h"

using vik::ingest::IsPublicAddress;

TEST_CASE("public addresses pass, loopback private link-local and reserved ones do not", "[unit][egress]") {
  for (const char* ip : {"8.8.8.8", "145.97.39.155", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
                         "::ffff:8.8.8.8"}) {
    INFO(ip);
    CHECK(IsPublicAddress(ip));
  }
  for (const char* ip : {"127.0.0.1", "127.8.8.8", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                         "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::",
                         "fe80::1", "fd00::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                         "not-an-ip", ""}) {
    INFO(ip);
    CHECK_FALSE(IsPublicAddress(ip));
  }
}
