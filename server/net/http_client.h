#pragma once

// The HTTP(S) client of vikd: GET for the feed poller and POST for webhook deliveries
// (subscriptions/delivery_job.h). GET: conditional requests (If-None-Match, If-Modified-Since), a
// connect timeout and a total deadline per fetch, a response size limit enforced while reading
// (Beast's parser body_limit: nothing beyond the limit is buffered), at most `max_redirects`
// redirects to http/https URLs (a relative Location resolved against the redirecting URL; a
// redirect from https to http is refused, as is any hop the request's `allow` check refuses),
// https with certificate verification against the system store and SNI.
//
// POST sends a body with headers to one URL (no redirects) and returns whatever status the server
// answers, with the same timeouts, TLS verification and response size limit.
//
// Each call runs on the calling thread with its own short-lived io_context: the poller is already
// on a blocking-pool thread and works feed by feed, so a sequential fetch with hard deadlines
// (io_context::run_until, then cancel) is simpler than an async chain on the runtime's io_context,
// and a slow feed server can never delay the HTTP listener's handlers. Name resolution is bounded
// by the connect timeout and the deadline (ingest/resolver.h: glibc's getaddrinfo_a).
// Thread-safety: safe for concurrent use (the TLS context is configured once, then only read).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/result.h"

namespace vik::net {

struct FetchOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{20000};  // connect + TLS + request + response, per hop
  std::size_t max_bytes = 8 << 20;
  int max_redirects = 3;
  std::string user_agent = "vikd";
};

struct Url;

struct FetchRequest {
  std::string url;
  std::string etag;           // sent as If-None-Match when not empty
  std::string last_modified;  // sent as If-Modified-Since when not empty
  // Asked for every URL before it is requested (the first and each redirect target); a non-OK
  // status refuses the fetch with that status. Empty: everything http(s) is allowed.
  std::function<core::Status(const Url&)> allow;
  // When set, no hop runs past it (in addition to FetchOptions::total_timeout per hop).
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct FetchResponse {
  int status = 0;             // 200 or 304
  bool not_modified = false;  // 304
  std::string body;
  std::string etag;
  std::string last_modified;
  std::string url;  // after redirects
};

struct PostRequest {
  std::string url;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<std::chrono::steady_clock::time_point> deadline;  // as FetchRequest::deadline
  // Refuse (PERMISSION_DENIED, nothing sent) when the host resolves to any address that is not
  // public (ingest/public_address.h); the connection goes only to the addresses checked.
  bool public_only = false;
};

struct PostResponse {
  int status = 0;
  std::string body;  // at most FetchOptions::max_bytes
};

// http(s)://host[:port]/path?query split up; INVALID_ARGUMENT for anything else, including a host
// that is neither a DNS name (letters, digits, "-", "_", ".") nor an IP literal, and white space or
// control characters anywhere.
struct Url {
  bool https = false;
  std::string host;  // IPv6 without brackets
  std::string port;
  std::string target;  // "/path?query"
  std::string Origin() const;
};
core::Result<Url> ParseUrl(const std::string& url);
// The URI reference `ref` resolved against `base` (RFC 3986 section 5.2): an absolute URI as is
// (any scheme: ParseUrl refuses what is not http/https), a scheme-relative "//host/x" with the
// base's scheme, an absolute path "/x", a relative path "x", "../x" (merged with the base's
// directory, dot segments removed, never above the root), a query-only "?q", and "" or "#f" (the
// base). The fragment is dropped. Leading and trailing white space is ignored. Pure.
std::string ResolveUrl(const Url& base, const std::string& ref);

class HttpClient {
 public:
  explicit HttpClient(FetchOptions options);
  ~HttpClient();

  // OK with 200 or 304. Errors: INVALID_ARGUMENT (bad URL, too many redirects), PERMISSION_DENIED
  // (a redirect from https to http; a URL the request's `allow` refused: its status),
  // DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (body over max_bytes), UNAVAILABLE (network, TLS,
  // certificate, any other HTTP status; the message names the status).
  core::Result<FetchResponse> Get(const FetchRequest& request) const;

  // OK with any HTTP status (the caller judges it; redirects are not followed). Errors as Get's for
  // the URL, the network, the deadline and the response size.
  core::Result<PostResponse> Post(const PostRequest& request) const;

 private:
  struct Tls;
  core::Result<FetchResponse> GetOnce(const Url& url, const FetchRequest& request, std::string& location) const;
  // Connects (TLS for https), writes `request` (Host and User-Agent set here) and reads the
  // response within the deadline and size limit.
  core::Result<boost::beast::http::response<boost::beast::http::string_body>> RoundTrip(
      const Url& url, boost::beast::http::request<boost::beast::http::string_body>& request,
      std::optional<std::chrono::steady_clock::time_point> deadline, bool public_only = false) const;

  const FetchOptions options_;
  std::unique_ptr<Tls> tls_;
};

}  // namespace vik::net
