// The egress guard (ingest/public_address.h): every row of the IANA special-purpose registries it
// covers, an address inside each and the public neighbours just outside, and the addresses that
// embed an IPv4 address (NAT64, 6to4, IPv4-mapped, IPv4-compatible) judged by what they embed.

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "net/public_address.h"

using vik::net::IsPublicAddress;
using vik::net::NonPublicReason;

namespace {

// Address inside -> the range the reason must name.
const std::vector<std::pair<const char*, const char*>> kRefused = {
    // IPv4 special-purpose registry
    {"0.0.0.0", "0.0.0.0/32 (this host)"},
    {"0.1.2.3", "0.0.0.0/8 (this network)"},
    {"10.0.0.1", "10.0.0.0/8 (private-use)"},
    {"10.255.255.255", "10.0.0.0/8 (private-use)"},
    {"100.64.0.1", "100.64.0.0/10 (shared address space)"},
    {"100.127.255.255", "100.64.0.0/10 (shared address space)"},
    {"127.0.0.1", "127.0.0.0/8 (loopback)"},
    {"127.8.8.8", "127.0.0.0/8 (loopback)"},
    {"169.254.169.254", "169.254.0.0/16 (link-local)"},
    {"172.16.0.1", "172.16.0.0/12 (private-use)"},
    {"172.31.255.255", "172.16.0.0/12 (private-use)"},
    {"192.0.0.1", "192.0.0.0/29 (IPv4 service continuity prefix (DS-Lite))"},
    {"192.0.0.8", "192.0.0.8/32 (IPv4 dummy address)"},
    {"192.0.0.9", "192.0.0.0/24 (IETF protocol assignments)"},
    {"192.0.0.170", "192.0.0.170/31 (NAT64/DNS64 discovery)"},
    {"192.0.0.171", "192.0.0.170/31 (NAT64/DNS64 discovery)"},
    {"192.0.0.255", "192.0.0.0/24 (IETF protocol assignments)"},
    {"192.0.2.1", "192.0.2.0/24 (documentation (TEST-NET-1))"},
    {"192.88.99.1", "192.88.99.0/24 (deprecated 6to4 relay anycast)"},
    {"192.168.1.1", "192.168.0.0/16 (private-use)"},
    {"198.18.0.1", "198.18.0.0/15 (benchmarking)"},
    {"198.19.255.255", "198.18.0.0/15 (benchmarking)"},
    {"198.51.100.7", "198.51.100.0/24 (documentation (TEST-NET-2))"},
    {"203.0.113.9", "203.0.113.0/24 (documentation (TEST-NET-3))"},
    {"224.0.0.1", "224.0.0.0/4 (multicast)"},
    {"239.255.255.255", "224.0.0.0/4 (multicast)"},
    {"240.0.0.1", "240.0.0.0/4 (reserved)"},
    {"255.255.255.254", "240.0.0.0/4 (reserved)"},
    {"255.255.255.255", "255.255.255.255/32 (limited broadcast)"},
    // IPv6 special-purpose registry
    {"::", "::/128 (unspecified address)"},
    {"::1", "::1/128 (loopback)"},
    {"64:ff9b:1::1", "64:ff9b:1::/48 (local-use IPv4/IPv6 translation)"},
    {"100::1", "100::/64 (discard-only)"},
    {"100::1:0:0:1", "100::/64 (discard-only)"},
    {"100:0:0:1::1", "100:0:0:1::/64 (dummy IPv6 prefix)"},
    {"2001::1", "2001::/32 (Teredo)"},
    {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32 (Teredo)"},
    {"2001:1::1", "2001::/23 (IETF protocol assignments)"},
    {"2001:2::1", "2001:2::/48 (benchmarking)"},
    {"2001:3::1", "2001::/23 (IETF protocol assignments)"},
    {"2001:10::1", "2001:10::/28 (ORCHID (deprecated))"},
    {"2001:20::1", "2001:20::/28 (ORCHIDv2)"},
    {"2001:1ff::1", "2001::/23 (IETF protocol assignments)"},
    {"2001:db8::1", "2001:db8::/32 (documentation)"},
    {"3fff::1", "3fff::/20 (documentation)"},
    {"3fff:fff::1", "3fff::/20 (documentation)"},
    {"5f00::1", "5f00::/16 (segment routing (SRv6) SIDs)"},
    {"fc00::1", "fc00::/7 (unique-local)"},
    {"fd00::1", "fc00::/7 (unique-local)"},
    {"fe80::1", "fe80::/10 (link-local)"},
    {"fec0::1", "fec0::/10 (site-local (deprecated))"},
    {"ff02::1", "ff00::/8 (multicast)"},
    {"ff0e::1", "ff00::/8 (multicast)"},
    {"1000::1", "outside global unicast 2000::/3"},
    {"4000::1", "outside global unicast 2000::/3"},
    // Addresses that embed an IPv4 address: judged by it.
    {"::ffff:127.0.0.1", "::ffff:0:0/96 (IPv4-mapped) embedding 127.0.0.1: 127.0.0.0/8 (loopback)"},
    {"::ffff:10.0.0.1", "::ffff:0:0/96 (IPv4-mapped) embedding 10.0.0.1: 10.0.0.0/8 (private-use)"},
    {"::7f00:1", "::/96 (IPv4-compatible, deprecated) embedding 127.0.0.1: 127.0.0.0/8 (loopback)"},
    {"::8.8.8.8", "::/96 (IPv4-compatible, deprecated)"},
    {"64:ff9b::7f00:1", "64:ff9b::/96 (NAT64) embedding 127.0.0.1: 127.0.0.0/8 (loopback)"},
    {"64:ff9b::a9fe:a9fe", "64:ff9b::/96 (NAT64) embedding 169.254.169.254: 169.254.0.0/16 (link-local)"},
    {"2002:7f00:1::1", "2002::/16 (6to4) embedding 127.0.0.1: 127.0.0.0/8 (loopback)"},
    {"2002:c0a8:101::1", "2002::/16 (6to4) embedding 192.168.1.1: 192.168.0.0/16 (private-use)"},
    // Not addresses at all.
    {"not-an-ip", "not an IP address"},
    {"", "not an IP address"},
    {"127.0.0.1\a", "not an IP address"},
};

// Public, many of them just outside a refused range.
const std::vector<const char*> kPublic = {
    "8.8.8.8",
    "145.97.39.155",
    "1.1.1.1",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.1",
    "126.255.255.255",
    "128.0.0.1",
    "169.253.255.255",
    "169.255.0.1",
    "172.15.255.255",
    "172.32.0.1",
    "192.0.1.1",
    "192.0.3.1",
    "192.31.196.1",
    "192.52.193.1",
    "192.88.98.255",
    "192.88.100.1",
    "192.167.255.255",
    "192.169.0.1",
    "192.175.48.1",
    "198.17.255.255",
    "198.20.0.1",
    "198.51.99.255",
    "198.51.101.1",
    "203.0.112.255",
    "203.0.114.1",
    "223.255.255.255",
    "2001:4860:4860::8888",
    "2a00:1450:4001:80b::200e",
    "2001:200::1",
    "2001:db7:ffff::1",
    "2001:db9::1",
    "2002:808:808::1",
    "64:ff9b::808:808",
    "::ffff:8.8.8.8",
    "3fff:1000::1",
    "2620:4f:8000::1",
    "2000::1",
    "3ffe::1",
};

}  // namespace

TEST_CASE("every special-purpose range refuses an address inside it and names the range", "[unit][egress]") {
  for (const auto& [ip, reason] : kRefused) {
    INFO("address " << ip);
    CHECK(NonPublicReason(ip) == reason);
    CHECK_FALSE(IsPublicAddress(ip));
  }
}

TEST_CASE("public unicast addresses pass, also just outside each refused range", "[unit][egress]") {
  for (const char* ip : kPublic) {
    INFO("address " << ip);
    CHECK(NonPublicReason(ip) == "");
    CHECK(IsPublicAddress(ip));
  }
}

TEST_CASE("an IPv6 address with a zone index is not public", "[unit][egress]") {
  CHECK(NonPublicReason("fe80::1%1") != "");
  CHECK_FALSE(IsPublicAddress("2001:4860:4860::8888%1"));
}
