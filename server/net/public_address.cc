#include "net/public_address.h"

#include <array>
#include <cstdint>
#include <cstring>

#include <boost/asio/ip/address.hpp>

namespace vik::net {
namespace {

struct Range {
  std::array<std::uint8_t, 16> prefix;  // network bytes (IPv4: the first 4)
  int bits;
  const char* text;
  const char* name;
};

// IANA IPv4 Special-Purpose Address Registry, the entries not globally reachable (AS112
// 192.31.196.0/24, 192.175.48.0/24, AMT 192.52.193.0/24, PCP/TURN anycast 192.0.0.9, 192.0.0.10
// are: but the last two sit in 192.0.0.0/24, refused whole), plus multicast (its own registry).
// Most specific first, so that the reason names the narrowest range.
constexpr Range kV4[] = {
    {{0, 0, 0, 0}, 32, "0.0.0.0/32", "this host"},
    {{0, 0, 0, 0}, 8, "0.0.0.0/8", "this network"},
    {{10, 0, 0, 0}, 8, "10.0.0.0/8", "private-use"},
    {{100, 64, 0, 0}, 10, "100.64.0.0/10", "shared address space"},
    {{127, 0, 0, 0}, 8, "127.0.0.0/8", "loopback"},
    {{169, 254, 0, 0}, 16, "169.254.0.0/16", "link-local"},
    {{172, 16, 0, 0}, 12, "172.16.0.0/12", "private-use"},
    {{192, 0, 0, 0}, 29, "192.0.0.0/29", "IPv4 service continuity prefix (DS-Lite)"},
    {{192, 0, 0, 8}, 32, "192.0.0.8/32", "IPv4 dummy address"},
    {{192, 0, 0, 170}, 31, "192.0.0.170/31", "NAT64/DNS64 discovery"},
    {{192, 0, 0, 0}, 24, "192.0.0.0/24", "IETF protocol assignments"},
    {{192, 0, 2, 0}, 24, "192.0.2.0/24", "documentation (TEST-NET-1)"},
    {{192, 88, 99, 0}, 24, "192.88.99.0/24", "deprecated 6to4 relay anycast"},
    {{192, 168, 0, 0}, 16, "192.168.0.0/16", "private-use"},
    {{198, 18, 0, 0}, 15, "198.18.0.0/15", "benchmarking"},
    {{198, 51, 100, 0}, 24, "198.51.100.0/24", "documentation (TEST-NET-2)"},
    {{203, 0, 113, 0}, 24, "203.0.113.0/24", "documentation (TEST-NET-3)"},
    {{224, 0, 0, 0}, 4, "224.0.0.0/4", "multicast"},
    {{255, 255, 255, 255}, 32, "255.255.255.255/32", "limited broadcast"},
    {{240, 0, 0, 0}, 4, "240.0.0.0/4", "reserved"},
};

// IANA IPv6 Special-Purpose Address Registry, the entries not globally reachable, plus
// multicast, link- and site-local. The IPv4-embedding prefixes are handled before this table.
constexpr Range kV6[] = {
    {{0}, 128, "::/128", "unspecified address"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "::1/128", "loopback"},
    {{0, 0x64, 0xff, 0x9b, 0, 1}, 48, "64:ff9b:1::/48", "local-use IPv4/IPv6 translation"},
    {{0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64, "100::/64", "discard-only"},
    {{0x01, 0x00, 0, 0, 0, 0, 0, 1}, 64, "100:0:0:1::/64", "dummy IPv6 prefix"},
    {{0x20, 0x01, 0x00, 0x00}, 32, "2001::/32", "Teredo"},
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, "2001:2::/48", "benchmarking"},
    {{0x20, 0x01, 0x00, 0x10}, 28, "2001:10::/28", "ORCHID (deprecated)"},
    {{0x20, 0x01, 0x00, 0x20}, 28, "2001:20::/28", "ORCHIDv2"},
    {{0x20, 0x01, 0x00, 0x00}, 23, "2001::/23", "IETF protocol assignments"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "2001:db8::/32", "documentation"},
    {{0x3f, 0xff, 0x00}, 20, "3fff::/20", "documentation"},
    {{0x5f, 0x00}, 16, "5f00::/16", "segment routing (SRv6) SIDs"},
    {{0xfc, 0x00}, 7, "fc00::/7", "unique-local"},
    {{0xfe, 0x80}, 10, "fe80::/10", "link-local"},
    {{0xfe, 0xc0}, 10, "fec0::/10", "site-local (deprecated)"},
    {{0xff, 0x00}, 8, "ff00::/8", "multicast"},
};

bool Matches(const std::uint8_t* bytes, const Range& r) {
  const int whole = r.bits / 8;
  if (std::memcmp(bytes, r.prefix.data(), static_cast<std::size_t>(whole)) != 0) {
    return false;
  }
  const int rest = r.bits % 8;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (bytes[whole] & mask) == (r.prefix[static_cast<std::size_t>(whole)] & mask);
}

std::string Describe(const Range& r) { return std::string(r.text) + " (" + r.name + ")"; }

std::string V4Reason(const std::array<unsigned char, 4>& b) {
  for (const Range& r : kV4) {
    if (Matches(b.data(), r)) {
      return Describe(r);
    }
  }
  return "";
}

// The IPv4 address embedded at bytes[at..at+3], judged as IPv4.
std::string Embedded(const std::array<unsigned char, 16>& b, std::size_t at, const char* prefix) {
  const std::array<unsigned char, 4> v4{b[at], b[at + 1], b[at + 2], b[at + 3]};
  const std::string reason = V4Reason(v4);
  if (reason.empty()) {
    return "";
  }
  return std::string(prefix) + " embedding " + boost::asio::ip::address_v4(v4).to_string() + ": " + reason;
}

bool StartsWith(const std::array<unsigned char, 16>& b, std::initializer_list<unsigned char> prefix) {
  std::size_t i = 0;
  for (unsigned char c : prefix) {
    if (b[i++] != c) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string NonPublicReason(std::string_view ip) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(ip), ec);
  if (ec) {
    return "not an IP address";
  }
  if (address.is_v4()) {
    return V4Reason(address.to_v4().to_bytes());
  }
  const auto b = address.to_v6().to_bytes();
  if (address.to_v6().scope_id() != 0) {
    return "an address with a zone index";
  }
  // ::ffff:0:0/96 IPv4-mapped, ::/96 IPv4-compatible (deprecated; :: and ::1 are named below),
  // 64:ff9b::/96 NAT64: the last 32 bits are an IPv4 address. 2002::/16 6to4: bits 16..47.
  if (StartsWith(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) {
    return Embedded(b, 12, "::ffff:0:0/96 (IPv4-mapped)");
  }
  if (StartsWith(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})) {
    for (const Range& r : kV6) {
      if (r.bits == 128 && Matches(b.data(), r)) {
        return Describe(r);
      }
    }
    const std::string reason = Embedded(b, 12, "::/96 (IPv4-compatible, deprecated)");
    return reason.empty() ? "::/96 (IPv4-compatible, deprecated)" : reason;
  }
  if (StartsWith(b, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
    return Embedded(b, 12, "64:ff9b::/96 (NAT64)");
  }
  if (StartsWith(b, {0x20, 0x02})) {
    return Embedded(b, 2, "2002::/16 (6to4)");
  }
  for (const Range& r : kV6) {
    if (Matches(b.data(), r)) {
      return Describe(r);
    }
  }
  if ((b[0] & 0xe0) != 0x20) {
    return "outside global unicast 2000::/3";
  }
  return "";
}

}  // namespace vik::net
