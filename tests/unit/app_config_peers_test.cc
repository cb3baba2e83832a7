// Peers and push targets in the configuration: [peer.NAME] and [push.NAME] sections, their checks,
// the token read from its file, and the national role's need for peers.

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "app/config.h"

namespace vik::app {
namespace {

std::string TokenFile(const std::string& content) {
  char path[] = "/tmp/vik-peer-token-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << content;
  return path;
}

TEST_CASE("peer sections give pulled peers with their tokens and push targets", "[app][config]") {
  const std::string token = TokenFile("vik_abc_secret \n");
  Config c;
  REQUIRE(ApplyConfigText(c,
                          "role = national\n"
                          "[peer.vr20]\nendpoint = \"vik-vr20.example:9090\"\ntoken_file = \"" +
                              token +
                              "\"\ntls = true\n"
                              "[peer.vr21]\npush = true\nregion = VR21\n"
                              "[push.kcr2]\nendpoint = \"kcr2.example:9090\"\ntoken_file = \"" +
                              token + "\"\n",
                          "vikd.conf")
              .ok());
  REQUIRE(FinalizeConfig(c, false).ok());
  REQUIRE(c.peers.list.size() == 2);
  CHECK(c.peers.list[0].name == "vr20");
  CHECK(c.peers.list[0].endpoint == "vik-vr20.example:9090");
  CHECK(c.peers.list[0].tls);
  CHECK(c.peers.list[0].token == "vik_abc_secret");  // trailing space and newline cut
  CHECK(c.peers.list[1].push);
  CHECK(c.peers.list[1].token.empty());  // a push peer sends to us: no token of ours to read
  CHECK(c.peers.list[1].region == "VR21");
  CHECK(c.peers.list[0].region.empty());  // a pulled peer's region may come from its first snapshot
  REQUIRE(c.peers.push_targets.size() == 1);
  CHECK(c.peers.push_targets[0].token == "vik_abc_secret");
  std::remove(token.c_str());
}

TEST_CASE("bad peer settings are refused naming the key", "[app][config]") {
  Config c;
  CHECK(ApplySetting(c, "peer.vr 20.endpoint", "a:1").message().find("peer.vr 20.endpoint") == 0);
  CHECK(ApplySetting(c, "peer.vr20.endpoint", "http://a:1").message().find("host:port") != std::string::npos);
  CHECK(ApplySetting(c, "peer.vr20.colour", "red").message().find("unknown peer setting") != std::string::npos);
  CHECK(ApplySetting(c, "push.kcr2.push", "true").message().find("unknown push setting") != std::string::npos);
  CHECK(ApplySetting(c, "peer.vr20.tls", "maybe").message().find("true or false") != std::string::npos);

  CHECK(ApplySetting(c, "peer.vr20.region", "VR26").message().find("not a safety region code") != std::string::npos);
  CHECK(ApplySetting(c, "push.kcr2.region", "VR21").message().find("unknown push setting") != std::string::npos);
  Config no_region;
  REQUIRE(ApplySetting(no_region, "peer.vr21.push", "true").ok());
  CHECK(FinalizeConfig(no_region, false).message() ==
        "peer.vr21.region: a push peer needs the safety region it speaks for (VR01..VR25)");

  Config missing_token;
  REQUIRE(ApplySetting(missing_token, "peer.vr20.endpoint", "a:1").ok());
  CHECK(FinalizeConfig(missing_token, false).message() == "peer.vr20: needs endpoint and token_file");

  Config unreadable;
  REQUIRE(ApplySetting(unreadable, "push.kcr2.endpoint", "a:1").ok());
  REQUIRE(ApplySetting(unreadable, "push.kcr2.token_file", "/nonexistent/token").ok());
  CHECK(FinalizeConfig(unreadable, false).message().find("push.kcr2.token_file: cannot read") == 0);

  Config lonely;
  REQUIRE(ApplySetting(lonely, "role", "national").ok());
  CHECK(FinalizeConfig(lonely, false).message().find("national node needs peers") != std::string::npos);
  CHECK_FALSE(ApplySetting(lonely, "role", "provincial").ok());
}

}  // namespace
}  // namespace vik::app
