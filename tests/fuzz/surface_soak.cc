// Black-box soak of the whole surface: one real vikd on a fresh PostgreSQL database, driven with
// mutated requests derived from every documented route (docs/api.md) and RPC (proto/): random and
// invalid bytes in path, query, headers and bodies; huge and negative numbers; deep JSON;
// duplicate keys; wrong content types; random methods; pipelined and slow requests; invalid
// protobuf bytes to every RPC. After every batch it asserts that the process is alive, /healthz
// answers 200, every answer was a well-formed HTTP response with a documented status, none was
// 500, no body held database text, no gRPC call ended INTERNAL/UNKNOWN/UNIMPLEMENTED (for a
// served method) or leaked database text, and RSS grew by at most VIK_SOAK_RSS_MIB (32) over the
// first batch. Prints the figures at the end.
//
//   VIK_SOAK_SECONDS (60)   how long to run        VIK_SOAK_SEED     the random seed (time)
//   VIK_SOAK_ARTIFACTS      directory for the raw request bytes of each finding (replayable as
//                           http_fuzz inputs)
//   VIK_SOAK_KEEP_GOING=1   run to the end after a bad answer (still failing then), to collect
//                           every kind; a dead process, /healthz or RSS always stop the run
// Run by ctest (60 s) and tests/fuzz/run.sh soak SECONDS.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fuzz/answer_check.h"
#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/sample_signals.h"
#include "support/vikd.h"
#include "vik/v1/exchange.pb.h"
#include "vik/v1/ingest.pb.h"

namespace {

using nlohmann::json;

long EnvLong(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtol(v, nullptr, 10) : fallback;
}

// One documented request, the seed of the mutations.
struct Template {
  std::string method;
  std::string path;
  std::string query;
  std::string content_type;
  std::string body;
};

std::vector<Template> Templates() {
  const json signal = vik::testing::FireIncident("soak-vr21", "soak-1", "GM0796");
  const std::string assessment = R"({"version":0,"status":"active","phase":"warm","analystLevel":4,)"
                                 R"("worstCase":{"description":"a","likelihood":"C","impact":"D"},)"
                                 R"("realCase":{"description":"b","likelihood":"D","impact":"B"},)"
                                 R"("bestCase":{"description":"c","likelihood":"B","impact":"A"},)"
                                 R"("assessment":"d","advice":["e"],"partners":["soak"],"reason":"f"})";
  const std::string subscription =
      R"({"name":"n","url":"https://partner.example/vik","filter":{"themes":["2"],"municipalities":["GM0796"],)"
      R"("minLevel":3,"kinds":["risk.changed"]},"picture":"actual"})";
  const std::string cap =
      R"(<?xml version="1.0"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>)"
      R"(<sender>soak-vr21</sender><sent>2026-11-20T09:00:00+01:00</sent><status>Actual</status>)"
      R"(<msgType>Alert</msgType><scope>Public</scope><info><category>Fire</category><event>Brand</event>)"
      R"(<urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>)"
      R"(<area><areaDesc>GM0796</areaDesc><geocode><valueName>CBS</valueName><value>GM0796</value></geocode></area></info></alert>)";
  const std::string sub = "00000000-0000-4000-8000-000000000001";
  return {
      {"GET", "/healthz", "", "", ""},
      {"GET", "/readyz", "", "", ""},
      {"GET", "/metrics", "", "", ""},
      {"GET", "/v1/cluster", "", "", ""},
      {"POST", "/v1/signals", "", "application/json", json{{"signals", {signal}}}.dump()},
      {"GET", "/v1/signals", "limit=2&source=soak-vr21&cursor=abc", "", ""},
      {"GET", "/v1/region/state", "", "", ""},
      {"PUT", "/v1/region/state", "", "application/json",
       R"({"version":0,"gripLevel":"2","phase":"warm","reason":"brand"})"},
      {"GET", "/v1/status", "exercise=true", "", ""},
      {"GET", "/v1/risks", "theme=2&municipality=GM0796&limit=5", "", ""},
      {"GET", "/v1/risks/2.1@GM0796", "", "", ""},
      {"PUT", "/v1/risks/2.1@GM0796/assessment", "", "application/json", assessment},
      {"GET", "/v1/changes", "after=1043.217&theme=2&municipality=GM0796&minLevel=3&kind=risk.changed&limit=10", "",
       ""},
      {"GET", "/v1/snapshot", "picture=exercise", "", ""},
      {"GET", "/v1/changes/stream", "theme=2", "", ""},
      {"POST", "/v1/subscriptions", "", "application/json", subscription},
      {"GET", "/v1/subscriptions", "", "", ""},
      {"GET", "/v1/subscriptions/" + sub, "", "", ""},
      {"DELETE", "/v1/subscriptions/" + sub, "", "", ""},
      {"GET", "/v1/subscriptions/" + sub + "/deliveries", "state=dead&limit=5", "", ""},
      {"POST", "/v1/subscriptions/" + sub + "/deliveries/" + sub + "/retry", "", "", ""},
      {"GET", "/v1/national/status", "top=5&minLevel=2", "", ""},
      {"GET", "/v1/national/signals", "region=VR21&limit=5", "", ""},
      {"POST", "/v1/cap", "", "application/cap+xml", cap},
      {"GET", "/cap/alerts.atom", "", "", ""},
      {"GET", "/cap/alerts/s-1.xml", "", "", ""},
  };
}

const char* kRpcs[] = {
    "/vik.v1.IngestService/Submit",        "/vik.v1.IngestService/SubmitStream",
    "/vik.v1.IngestService/SubmitCap",     "/vik.v1.ExchangeService/GetRegionalStatus",
    "/vik.v1.ExchangeService/ListChanges", "/vik.v1.ExchangeService/WatchChanges",
    "/vik.v1.ExchangeService/GetSnapshot", "/vik.v1.ExchangeService/GetNationalStatus",
    "/vik.v1.ExchangeService/PushChanges", "/grpc.health.v1.Health/Check",
};

// Mutations of a template into the raw bytes of one connection.
class Mutator {
 public:
  Mutator(std::uint64_t seed, std::string token) : rng_(seed), token_(std::move(token)) {}

  std::size_t Below(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  bool OneIn(std::size_t n) { return Below(n) == 0; }

  std::string RandomBytes(std::size_t max) {
    std::string s(Below(max) + 1, '\0');
    for (auto& c : s) {
      c = static_cast<char>(Below(256));
    }
    return s;
  }

  std::string Number() {
    static const char* kNumbers[] = {"-1",
                                     "0",
                                     "-0",
                                     "99999999999999999999999",
                                     "1e400",
                                     "-1e400",
                                     "NaN",
                                     "0x10",
                                     "2147483648",
                                     "-2147483649",
                                     "9223372036854775808",
                                     "1.5",
                                     "",
                                     "+1",
                                     "1e-400",
                                     "00000000001",
                                     "%2d1",
                                     "%ff",
                                     "%00"};
    return kNumbers[Below(sizeof kNumbers / sizeof kNumbers[0])];
  }

  std::string Text() {
    static const char* kTexts[] = {"%ff",   "%00",     "%",       "%zz",       "%c3%28",       "%e2%82", "\xff",
                                   "a%0ab", "%1b[31m", "..%2f..", "%ed%a0%80", "%f4%90%80%80", "%c0%af"};
    if (OneIn(4)) {
      return std::string(Below(5000) + 1, "aZ%\xff"[Below(4)]);
    }
    return kTexts[Below(sizeof kTexts / sizeof kTexts[0])];
  }

  std::string Json(const std::string& body) {
    switch (Below(9)) {
      case 0: {  // deep nesting, in the body itself or under a known key
        const std::size_t depth = OneIn(3) ? 200000 : Below(200) + 1;
        const char open = OneIn(2) ? '[' : '{';
        std::string s;
        for (std::size_t i = 0; i < depth; ++i) {
          s += open == '[' ? "[" : "{\"a\":";
        }
        s += "1";
        for (std::size_t i = 0; i < depth; ++i) {
          s += open == '[' ? "]" : "}";
        }
        if (OneIn(2) && body.size() > 2) {
          return body.substr(0, body.size() - 1) + R"(,"filter":{"themes":)" + s + "}}";
        }
        return s;
      }
      case 1:  // duplicate keys
        return body.size() > 2 ? body.substr(0, body.size() - 1) + "," + body.substr(1) : body;
      case 2:  // truncated
        return body.substr(0, Below(body.size() + 1));
      case 3:  // a value swapped for a number, a string of bad bytes, null, an object
        return ReplaceValue(body);
      case 4:
        return RandomBytes(512);
      case 5: {  // a byte flipped
        std::string s = body;
        if (!s.empty()) {
          s[Below(s.size())] = static_cast<char>(Below(256));
        }
        return s;
      }
      case 6:
        return body + body;
      case 7: {  // control characters and escapes in strings
        std::string s = body;
        const auto at = s.find("\":\"");
        if (at != std::string::npos) {
          static const char* kEsc[] = {"\\u0000", "\\u0001", "\\u001b",  "\\ud800", "\\udfff",
                                       "\x01",    "\x7f",    "\xc3\x28", "\\u0007"};
          s.insert(at + 3, kEsc[Below(sizeof kEsc / sizeof kEsc[0])]);
        }
        return s;
      }
      default:
        return body;
    }
  }

  std::string ReplaceValue(const std::string& body) {
    const auto colon = body.find(':', Below(body.size() + 1));
    if (colon == std::string::npos) {
      return body;
    }
    std::size_t end = colon + 1;
    int depth = 0;
    bool in_string = false;
    for (; end < body.size(); ++end) {
      const char c = body[end];
      if (in_string) {
        if (c == '\\') {
          ++end;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) {
          break;
        }
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
    }
    static const char* kValues[] = {
        "null", "true", "-1",           "1e400", "99999999999999999999999", "\"\\u0000\"", "\"\xff\"",
        "{}",   "[]",   "[[[[[[]]]]]]", "\"\"",  "-9223372036854775809",    "0.5"};
    std::string v = kValues[Below(sizeof kValues / sizeof kValues[0])];
    if (OneIn(5)) {
      v = "\"" + std::string(Below(100000) + 1, 'x') + "\"";
    }
    return body.substr(0, colon + 1) + v + body.substr(end);
  }

  std::string Method(const std::string& method) {
    if (OneIn(12)) {
      static const char* kMethods[] = {"GET",     "POST",     "PUT", "DELETE", "HEAD",     "OPTIONS", "PATCH", "TRACE",
                                       "CONNECT", "PROPFIND", "get", "Z0",     "M-SEARCH", "PURGE",   "LINK"};
      if (OneIn(4)) {
        return "Z" + std::to_string(Below(100000));
      }
      return kMethods[Below(sizeof kMethods / sizeof kMethods[0])];
    }
    return method;
  }

  std::string Path(std::string path) {
    if (OneIn(6)) {
      const std::size_t at = Below(path.size() + 1);
      switch (Below(4)) {
        case 0:
          path.insert(at, Text());
          break;
        case 1:
          path.insert(at, std::string(1, static_cast<char>(Below(256))));
          break;
        case 2:
          path += "/" + Text();
          break;
        default:
          path.erase(at, Below(4));
          break;
      }
    }
    return path;
  }

  std::string Query(std::string query) {
    if (OneIn(3)) {
      static const char* kParams[] = {"limit",    "cursor",  "after",  "theme",  "municipality", "minLevel",
                                      "kind",     "picture", "source", "region", "top",          "state",
                                      "exercise", "%ff",     "",       "a%00"};
      const std::string name = kParams[Below(sizeof kParams / sizeof kParams[0])];
      const std::string value = OneIn(2) ? Number() : Text();
      query += (query.empty() ? "" : "&") + name + "=" + value;
      if (OneIn(4)) {
        query += "&" + name + "=" + value;  // repeated
      }
    }
    if (OneIn(20)) {
      query += "&&&==&";
    }
    return query;
  }

  std::string Headers(const Template& t, const std::string& body) {
    std::string h = "Host: soak\r\n";
    const std::size_t auth = Below(10);
    if (auth < 7) {
      h += "Authorization: Bearer " + token_ + "\r\n";
    } else if (auth == 7) {
      h += "Authorization: " + (OneIn(2) ? std::string("bearer ") + token_ : "Bearer vik_" + Text()) + "\r\n";
    }
    std::string content_type = t.content_type;
    if (OneIn(8)) {
      static const char* kTypes[] = {"text/plain",
                                     "application/json; charset=latin1",
                                     "application/xml",
                                     "application/cap+xml",
                                     "",
                                     "multipart/form-data; boundary=x",
                                     "\xff"};
      content_type = kTypes[Below(sizeof kTypes / sizeof kTypes[0])];
    }
    if (!content_type.empty()) {
      h += "Content-Type: " + content_type + "\r\n";
    }
    switch (Below(24)) {
      case 0:
        h +=
            "Transfer-Encoding: " + std::string(OneIn(2) ? "identity" : (OneIn(2) ? "xchunked" : "chunked, identity")) +
            "\r\n";
        break;
      case 1:
        h += "Content-Length: " + Number() + "\r\n";
        break;
      case 2:
        h += "Expect: 100-continue\r\n";
        break;
      case 3:
        h += "X-Junk: " + RandomBytes(200) + "\r\n";
        break;
      case 4:
        h += "X-Big: " + std::string(20000, 'h') + "\r\n";
        break;
      case 5:
        h += "Connection: keep-alive, close, upgrade\r\nUpgrade: h2c\r\n";
        break;
      default:
        break;
    }
    if (!body.empty() || t.method != "GET") {
      h += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return h;
  }

  // The raw bytes of one request made from `t`; `head` is set when the method is HEAD.
  std::string Request(const Template& t, bool* head) {
    const std::string method = Method(t.method);
    *head = method == "HEAD";
    const std::string path = Path(t.path);
    const std::string query = Query(t.query);
    std::string body = t.body;
    if (!body.empty() && OneIn(2)) {
      body = body.front() == '<' ? Xml(body) : Json(body);
    } else if (body.empty() && OneIn(10)) {
      body = OneIn(2) ? RandomBytes(256) : R"({"a":1,"a":2})";
    }
    std::string target = path + (query.empty() ? "" : "?" + query);
    if (OneIn(50)) {
      target = "http://soak" + target;
    }
    std::string version = OneIn(40) ? (OneIn(2) ? "HTTP/1.0" : "HTTP/9.9") : "HTTP/1.1";
    std::string raw = method + " " + target + " " + version + "\r\n" + Headers(t, body) + "\r\n" + body;
    if (OneIn(30)) {  // raw bytes somewhere in the request
      raw.insert(Below(raw.size() + 1), RandomBytes(8));
    }
    return raw;
  }

  std::string Xml(const std::string& doc) {
    switch (Below(4)) {
      case 0:
        return doc.substr(0, Below(doc.size() + 1));
      case 1: {
        std::string s = "<?xml version=\"1.0\"?>";
        for (int i = 0; i < 5000; ++i) {
          s += "<a>";
        }
        return s;
      }
      case 2:
        return R"(<!DOCTYPE a [<!ENTITY e "x">]><alert>&e;</alert>)";
      default: {
        std::string s = doc;
        s[Below(s.size())] = static_cast<char>(Below(256));
        return s;
      }
    }
  }

  std::string Protobuf(const std::string& valid) {
    switch (Below(4)) {
      case 0:
        return RandomBytes(300);
      case 1:
        return valid.substr(0, Below(valid.size() + 1));
      case 2: {
        std::string s = valid;
        if (!s.empty()) {
          s[Below(s.size())] = static_cast<char>(Below(256));
        }
        return s;
      }
      default:
        return valid;
    }
  }

 private:
  std::mt19937_64 rng_;
  std::string token_;
};

// A connection's bytes written (whole, or dribbled for a slow client), half-closed, and the answer
// read until the server closes or `budget` passes.
std::string Exchange(int port, const std::string& bytes, bool slow, std::chrono::milliseconds budget) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    return "<connect failed>";
  }
  std::size_t sent = 0;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  std::string answer;
  char buf[16384];
  bool write_open = true;
  while (std::chrono::steady_clock::now() < deadline) {
    if (write_open && sent == bytes.size()) {
      ::shutdown(fd, SHUT_WR);
      write_open = false;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, static_cast<short>(POLLIN | (write_open ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) {
      break;
    }
    if ((p.revents & POLLOUT) != 0 && write_open) {
      const std::size_t chunk = slow ? std::min<std::size_t>(7, bytes.size() - sent) : bytes.size() - sent;
      const auto n = ::send(fd, bytes.data() + sent, chunk, MSG_NOSIGNAL);
      if (n <= 0) {
        ::shutdown(fd, SHUT_WR);
        write_open = false;
      } else {
        sent += static_cast<std::size_t>(n);
      }
      if (slow) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        break;
      }
      answer.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return answer;
}

struct Figures {
  std::mutex mu;
  std::map<unsigned, std::uint64_t> http_status;
  std::map<int, std::uint64_t> grpc_code;
  std::uint64_t http_requests = 0;
  std::uint64_t grpc_calls = 0;
  std::uint64_t no_answer = 0;  // connections closed without an answer (malformed requests, timeouts)
  std::vector<std::string> findings;
  std::uint64_t total_findings = 0;
};

// `bytes` with every byte outside printable ASCII as \xNN.
std::string Printable(const std::string& bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

grpc::Status CallRaw(grpc::GenericStub& stub, const std::string& method, const std::string& bytes,
                     const std::string& token) {
  grpc::ClientContext context;
  if (!token.empty()) {
    context.AddMetadata("authorization", "Bearer " + token);
  }
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(700));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&context, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&] { return cq.Next(&tag, &ok) && ok; };
  call->StartCall(nullptr);
  if (step()) {
    grpc::Slice slice(bytes.data(), bytes.size());
    grpc::ByteBuffer request(&slice, 1);
    call->Write(request, nullptr);
    if (step()) {
      call->WritesDone(nullptr);
      (void)step();
      grpc::ByteBuffer response;
      for (int i = 0; i < 16; ++i) {
        call->Read(&response, nullptr);
        if (!step()) {
          break;
        }
      }
    }
  }
  grpc::Status status;
  call->Finish(&status, nullptr);
  (void)cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

std::string ValidMessage(std::size_t rpc) {
  switch (rpc) {
    case 0: {
      vik::v1::SubmitRequest m;
      auto* s = m.add_signals();
      s->set_source("soak-vr21");
      s->set_external_id("g-1");
      s->set_headline("x");
      return m.SerializeAsString();
    }
    case 1: {
      vik::v1::SubmitStreamRequest m;
      m.mutable_signal()->set_source("soak-vr21");
      return m.SerializeAsString();
    }
    case 2: {
      vik::v1::SubmitCapRequest m;
      m.set_document("<alert/>");
      return m.SerializeAsString();
    }
    case 4: {
      vik::v1::ListChangesRequest m;
      m.set_after("1.2");
      m.set_limit(10);
      m.mutable_filter()->add_themes("2");
      return m.SerializeAsString();
    }
    case 8: {
      vik::v1::PushChangesRequest m;
      m.set_from_cursor("1.2");
      m.mutable_page()->set_next_cursor("3.4");
      return m.SerializeAsString();
    }
    default:
      return "";
  }
}

long RssKib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("the surface survives mutated requests to every route and RPC", "[soak]") {
  const long seconds = EnvLong("VIK_SOAK_SECONDS", 60);
  const long rss_bound_mib = EnvLong("VIK_SOAK_RSS_MIB", 32);
  const std::uint64_t seed =
      static_cast<std::uint64_t>(EnvLong("VIK_SOAK_SEED", static_cast<long>(std::time(nullptr))));
  const char* artifacts = std::getenv("VIK_SOAK_ARTIFACTS");
  const bool keep_going = EnvLong("VIK_SOAK_KEEP_GOING", 0) != 0;

  vik::testing::FreshDatabase db;
  vik::testing::Admin(db.dsn(), {"migrate"});
  vik::testing::AddPartnerWithSource(db.dsn(), "soak", "soak-vr21");
  const auto token = vik::testing::IssueToken(db.dsn(), "soak", "ingest,read,analyst,admin");
  vik::testing::Vikd vikd(db.dsn(), {"--set", "auth.refresh_interval=200ms", "--set", "http.read_timeout=2s"});
  const int pid = vikd.process().pid();
  REQUIRE(vik::testing::WaitUntil(
      [&] {
        return vik::testing::HttpCall(vikd.http_port(), "GET", "/v1/region/state", "",
                                      {{"Authorization", "Bearer " + token.secret}})
                   .status == 200;
      },
      std::chrono::seconds(15)));

  const auto templates = Templates();
  Figures figures;
  auto channel = grpc::CreateChannel(vikd.grpc_target(), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  std::atomic<bool> stop{false};
  std::atomic<int> finding_files{0};
  std::map<std::string, int> kinds;  // finding kind -> count (guarded by figures.mu)
  auto record = [&](const std::string& what, const std::string& bytes) {
    std::lock_guard lock(figures.mu);
    ++figures.total_findings;
    if (++kinds[what.substr(0, 60)] > 3) {
      return;  // three examples of each kind are enough
    }
    if (figures.findings.size() < 60) {
      figures.findings.push_back(what + " <- " + Printable(bytes.substr(0, 300)));
    }
    if (artifacts != nullptr && finding_files < 200) {
      std::filesystem::create_directories(artifacts);
      std::ofstream(std::string(artifacts) + "/finding-" + std::to_string(finding_files++)) << bytes;
    }
  };

  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  long baseline_rss = -1;
  long max_rss = 0;
  int batches = 0;
  std::string failed;
  while (std::chrono::steady_clock::now() < end && failed.empty()) {
    // One batch: four workers, 100 connections each (some pipelined, some slow), plus gRPC calls.
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) {
      workers.emplace_back([&, w] {
        Mutator m(seed * 1000003 + static_cast<std::uint64_t>(batches) * 17 + static_cast<std::uint64_t>(w),
                  token.secret);
        for (int i = 0; i < 100 && !stop; ++i) {
          if (w == 3 && m.OneIn(3)) {
            const std::size_t rpc = m.Below(sizeof kRpcs / sizeof kRpcs[0] + 1);
            const bool made_up = rpc == sizeof kRpcs / sizeof kRpcs[0];
            const std::string method =
                made_up ? "/vik.v1.ExchangeService/Z" + std::to_string(m.Below(1000)) : std::string(kRpcs[rpc]);
            const std::string bytes = m.Protobuf(ValidMessage(rpc));
            const auto status = CallRaw(stub, method, bytes, m.OneIn(8) ? "" : token.secret);
            {
              std::lock_guard lock(figures.mu);
              ++figures.grpc_calls;
              ++figures.grpc_code[status.error_code()];
            }
            const auto code = status.error_code();
            if (code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
                (code == grpc::StatusCode::UNIMPLEMENTED && !made_up)) {
              record("gRPC " + method + " ended " + std::to_string(code) + " " + status.error_message(), bytes);
            }
            if (vik::fuzz::HasDatabaseText(status.error_message(), bytes)) {
              record("gRPC " + method + " database text: " + status.error_message(), bytes);
            }
            continue;
          }
          std::string bytes;
          const std::size_t pipelined = m.OneIn(10) ? m.Below(5) + 2 : 1;
          for (std::size_t k = 0; k < pipelined; ++k) {
            bool head = false;
            bytes += m.Request(templates[m.Below(templates.size())], &head);
          }
          const auto heads = vik::fuzz::RequestHeads(bytes, 4 * 1024 * 1024);  // http.max_body_bytes default
          const bool slow = m.OneIn(100);
          // A stream (SSE) answers until the budget ends it; everything else closes at once after the
          // half-close.
          const bool stream = bytes.find("/stream") != std::string::npos;
          const std::string answer = Exchange(vikd.http_port(), bytes, slow,
                                              std::chrono::milliseconds(slow     ? 4000
                                                                        : stream ? 200
                                                                                 : 1500));
          {
            std::lock_guard lock(figures.mu);
            figures.http_requests += pipelined;
            if (answer.empty()) {
              ++figures.no_answer;
            }
          }
          if (answer == "<connect failed>") {
            record("cannot connect", bytes);
            continue;
          }
          std::vector<unsigned> statuses;
          const auto count = [&figures, &statuses](unsigned status) {
            statuses.push_back(status);
            std::lock_guard lock(figures.mu);
            ++figures.http_status[status];
          };
          if (const auto f = vik::fuzz::CheckAnswers(answer, bytes, heads, true, count); !f.empty()) {
            record(f, bytes);
          } else if (const auto te = vik::fuzz::OddTransferEncoding(bytes);
                     te && !statuses.empty() && !(statuses.size() == 1 && (statuses[0] == 400 || statuses[0] == 501))) {
            record("Transfer-Encoding \"" + *te + "\" was not refused with one 400/501", bytes);
          }
        }
      });
    }
    for (auto& t : workers) {
      t.join();
    }
    ++batches;
    // The checks after every batch.
    if (!vikd.process().running()) {
      const std::string log = vikd.process().Stderr();
      failed = "vikd exited (code " + std::to_string(vikd.process().Wait(std::chrono::milliseconds(100)).value_or(-1)) +
               "); stderr tail: " + log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
      break;
    }
    const auto health = vik::testing::HttpGet(vikd.http_port(), "/healthz");
    if (health.status != 200) {
      failed = "/healthz answered " + std::to_string(health.status) + " after batch " + std::to_string(batches);
    }
    const long rss = RssKib(pid);
    max_rss = std::max(max_rss, rss);
    if (batches == 1) {
      baseline_rss = rss;
    } else if (rss - baseline_rss > rss_bound_mib * 1024) {
      failed = "RSS grew from " + std::to_string(baseline_rss) + " KiB to " + std::to_string(rss) + " KiB";
    }
    std::lock_guard lock(figures.mu);
    if (figures.total_findings > 0 && !keep_going && failed.empty()) {
      failed = std::to_string(figures.total_findings) + " finding(s) by batch " + std::to_string(batches);
    }
  }
  if (failed.empty() && figures.total_findings > 0) {
    failed = std::to_string(figures.total_findings) + " finding(s)";
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long rss_end = RssKib(pid);

  std::string report = "surface soak: seed " + std::to_string(seed) + ", " + std::to_string(batches) + " batches in " +
                       std::to_string(static_cast<int>(elapsed)) + " s; HTTP requests " +
                       std::to_string(figures.http_requests) + " (connections without an answer " +
                       std::to_string(figures.no_answer) + "), gRPC calls " + std::to_string(figures.grpc_calls) +
                       ", findings " + std::to_string(figures.total_findings) + "\n  HTTP status:";
  for (const auto& [status, n] : figures.http_status) {
    report += " " + std::to_string(status) + "=" + std::to_string(n);
  }
  report += "\n  gRPC code:";
  for (const auto& [code, n] : figures.grpc_code) {
    report += " " + std::to_string(code) + "=" + std::to_string(n);
  }
  report += "\n  RSS KiB: first batch " + std::to_string(baseline_rss) + ", max " + std::to_string(max_rss) + ", end " +
            std::to_string(rss_end) + " (growth " + std::to_string((rss_end - baseline_rss) / 1024) + " MiB, bound " +
            std::to_string(rss_bound_mib) + " MiB)\n";
  for (const auto& f : figures.findings) {
    report += "  finding: " + f + "\n";
  }
  // What vikd logged about caught exceptions (the cause of a 500).
  std::istringstream log(vikd.process().Stderr());
  int shown = 0;
  for (std::string line; std::getline(log, line) && shown < 10;) {
    if (line.find("threw") != std::string::npos || line.find("internal") != std::string::npos ||
        line.find("terminate") != std::string::npos) {
      report += "  vikd log: " + line.substr(0, 400) + "\n";
      ++shown;
    }
  }
  std::printf("%s", report.c_str());
  std::fflush(stdout);
  INFO(report);
  CHECK(failed == "");
}
