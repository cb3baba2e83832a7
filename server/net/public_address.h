#pragma once

// Which IP addresses vikd may send requests to on behalf of partners (webhook deliveries, feed
// polls that do not allow private hosts): only globally reachable unicast addresses. Every range
// of the IANA special-purpose address registries (IPv4 and IPv6, as of 2025) whose "globally
// reachable" is not True is refused, as are multicast, IPv6 outside global unicast 2000::/3, and
// addresses that embed a refused IPv4 address (IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96,
// NAT64 64:ff9b::/96, 6to4 2002::/16). Teredo 2001::/32 is refused whole (its embedded address is
// obfuscated and the relay is on the path), as are 192.0.0.0/24 and 2001::/23 (the few anycast
// services inside them that are globally reachable are no webhook destinations). Pure.

#include <string>
#include <string_view>

namespace vik::net {

// "" when `ip` (a textual IPv4 or IPv6 address) is public; otherwise why not, naming the range:
// "127.0.0.0/8 (loopback)", "64:ff9b::/96 (NAT64) embedding 127.0.0.1: 127.0.0.0/8 (loopback)",
// "not an IP address".
std::string NonPublicReason(std::string_view ip);

inline bool IsPublicAddress(std::string_view ip) { return NonPublicReason(ip).empty(); }

}  // namespace vik::net
