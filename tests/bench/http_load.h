#pragma once

// HTTP against vikd: POST /v1/signals load over keep-alive connections (one blocking Boost.Beast
// client per thread), a general POST load for other endpoints (POST /v1/cap), a GET load (GET
// /v1/status), single GETs, and scraping /metrics.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "bench/signals.h"
#include "bench/stats.h"

namespace vik::bench {

struct HttpTarget {
  std::string host;
  std::string port;
};

// "127.0.0.1:8080" -> {"127.0.0.1", "8080"}; throws std::invalid_argument when there is no port.
HttpTarget ParseHttpTarget(const std::string& host_port);

// `connections` concurrent clients, each posting batches of `batch` signals as JSON and the next as
// soon as the answer arrives, until `duration` has passed. Safe for concurrent use.
Recorder HttpLoad(const HttpTarget& target, const std::string& token, SignalFactory& factory, int connections,
                  int batch, Clock::duration duration);

// How the caller counts one answered request: the messages it made durable and those it did not, with
// the reason (empty when every message was accepted).
struct PostVerdict {
  std::uint64_t accepted = 0;
  std::uint64_t not_accepted = 0;
  std::string error;
};

struct PostLoadSpec {
  std::string path;                        // "/v1/cap"
  std::string content_type;                // "application/cap+xml"
  std::uint64_t messages_per_request = 1;  // counted as not accepted when the request fails in transport
  // The body of request `n` (0, 1, ...) of client `client` (0 .. clients-1). Called from every
  // client's thread at once: must be safe for concurrent use.
  std::function<std::string(int client, std::uint64_t n)> body;
  // Judges an answer (HTTP status, body). Called concurrently, like `body`.
  std::function<PostVerdict(unsigned status, const std::string& body)> judge;
};

// `clients` concurrent keep-alive clients, each POSTing spec.body(...) and the next as soon as the
// answer arrives, until `duration` has passed. Every answer is judged: `accepted`/`not_accepted` and
// `errors` come from the verdicts (transport failures are errors too). Latency is recorded for every
// request with at least one accepted message. Body generation is not timed.
Recorder HttpPostLoad(const HttpTarget& target, const std::string& token, const PostLoadSpec& spec, int clients,
                      Clock::duration duration);

// `clients` concurrent keep-alive clients, each GETting `path` (with "Authorization: Bearer <token>"
// unless `token` is empty) and the next as soon as the answer arrives, until `duration` has passed.
// A 200 counts as one accepted call and its latency is recorded; any other status or a transport
// failure is an error. Safe for concurrent use.
Recorder HttpGetLoad(const HttpTarget& target, const std::string& token, const std::string& path, int clients,
                     Clock::duration duration);

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

// One GET of `path` on a new connection (bearer token unless empty). Throws when the request fails in
// transport (e.g. connection refused).
HttpAnswer HttpGet(const HttpTarget& target, const std::string& token, const std::string& path);

// GET /metrics: every sample without labels, name -> value. Throws when vikd does not answer 200.
std::map<std::string, double> ScrapeMetrics(const HttpTarget& target);

}  // namespace vik::bench
