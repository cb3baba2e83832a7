// Webhook signatures and the retry schedule (subscriptions/): HMAC-SHA256 against RFC 4231's test
// vectors, the Vik-Signature header over "<timestamp>.<body>", secrets, and the bounded backoff.

#include <set>

#include <catch2/catch.hpp>

#include "subscriptions/retry_schedule.h"
#include "subscriptions/webhook_signature.h"

using std::chrono::milliseconds;
using vik::subscriptions::RetryDelay;

TEST_CASE("HMAC-SHA256 matches the RFC 4231 test vectors", "[subscriptions][signature]") {
  // Test case 2.
  CHECK(vik::subscriptions::HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 1: key 0x0b x 20, "Hi There".
  CHECK(vik::subscriptions::HmacSha256Hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("the signature header signs the timestamp and the body together", "[subscriptions][signature]") {
  const std::string header = vik::subscriptions::SignatureHeader("Jefe", "what do ya want", "for nothing?");
  // "what do ya want" + "." + "for nothing?" differs from test case 2's text by the dot.
  CHECK(header == "sha256=" + vik::subscriptions::HmacSha256Hex("Jefe", "what do ya want.for nothing?"));
  CHECK(header != vik::subscriptions::SignatureHeader("Jefe", "what do ya want", "for nothing!"));
  CHECK(header != vik::subscriptions::SignatureHeader("Jefe", "what do ya wanT", "for nothing?"));
  CHECK(header != vik::subscriptions::SignatureHeader("jefe", "what do ya want", "for nothing?"));
}

TEST_CASE("secrets are 256 random bits, never the same twice", "[subscriptions][signature]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto s = vik::subscriptions::GenerateSecret();
    REQUIRE(s.ok());
    CHECK(s->size() == 6 + 64);
    CHECK(s->rfind("whsec_", 0) == 0);
    CHECK(seen.insert(*s).second);
  }
}

TEST_CASE("retries back off exponentially with jitter within the bounds", "[subscriptions][retry]") {
  const milliseconds min(1000);
  const milliseconds max(600000);
  CHECK(RetryDelay(1, min, max, 0.999) <= milliseconds(1000));
  CHECK(RetryDelay(1, min, max, 0.0) == milliseconds(500));
  CHECK(RetryDelay(2, min, max, 0.999) <= milliseconds(2000));
  CHECK(RetryDelay(2, min, max, 0.0) == milliseconds(1000));
  CHECK(RetryDelay(5, min, max, 0.0) == milliseconds(8000));
  CHECK(RetryDelay(10, min, max, 0.999) <= milliseconds(512000));  // not yet capped
  // Capped: never beyond max, never below max/2 once capped.
  for (int attempts : {11, 12, 30, 100, 1000}) {
    INFO(attempts);
    CHECK(RetryDelay(attempts, min, max, 0.999) <= max);
    CHECK(RetryDelay(attempts, min, max, 0.0) == max / 2);
  }
  // Monotone in the attempts for the same draw.
  for (int a = 1; a < 20; ++a) {
    CHECK(RetryDelay(a, min, max, 0.5) <= RetryDelay(a + 1, min, max, 0.5));
  }
}
