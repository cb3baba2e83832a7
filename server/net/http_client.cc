#include "net/http_client.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "net/public_address.h"
#include "net/resolver.h"

namespace vik::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Runs the async operation started by `start` on `ioc` until it completes or `deadline` passes;
// then `cancel` (closing the socket) makes it complete with an error. Returns the operation's error
// code, or timed_out.
template <typename Start, typename Cancel>
boost::system::error_code Await(asio::io_context& ioc, Clock::time_point deadline, Start start, Cancel cancel) {
  bool done = false;
  boost::system::error_code result;
  start([&done, &result](boost::system::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  ioc.restart();
  ioc.run_until(deadline);
  if (!done) {
    cancel();
    ioc.restart();
    ioc.run();
    return asio::error::timed_out;
  }
  return result;
}

core::Status NetworkError(const std::string& method, const std::string& what, const std::string& url,
                          const boost::system::error_code& ec) {
  if (ec == asio::error::timed_out) {
    return core::DeadlineExceeded(method + " " + url + ": timed out during " + what);
  }
  return core::Unavailable(method + " " + url + ": " + what + " failed: " + ec.message());
}

// The URL as shown in a message: control characters and bytes over 0x7e as \xNN, at most 200 bytes.
std::string Printable(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c > 0x7e) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return s.size() > 200 ? out + "..." : out;
}

// A DNS name (RFC 1123 letters, digits, "-"; "_" as real names carry it; dots between labels) or,
// with a ":", an IPv6 literal. Control characters, spaces, "%" and everything else are refused.
core::Status CheckHost(const std::string& host) {
  if (host.empty()) {
    return core::InvalidArgument("the host is empty");
  }
  if (host.find(':') != std::string::npos) {
    boost::system::error_code ec;
    const auto a = asio::ip::make_address_v6(host, ec);
    if (ec || a.scope_id() != 0) {
      return core::InvalidArgument("the host is not a valid IPv6 address");
    }
    return core::Status::Ok();
  }
  if (host.size() > 253) {
    return core::InvalidArgument("the host name is longer than 253 bytes");
  }
  for (std::size_t i = 0; i < host.size(); ++i) {
    const char c = host[i];
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '.' && c != '_') {
      return core::InvalidArgument("the host has the character \"" + Printable(std::string(1, c)) + "\" at byte " +
                                   std::to_string(i) + " (allowed: letters, digits, \"-\", \"_\", \".\")");
    }
  }
  return core::Status::Ok();
}

}  // namespace

struct HttpClient::Tls {
  asio::ssl::context context{asio::ssl::context::tls_client};
};

std::string Url::Origin() const {
  const bool default_port = (https && port == "443") || (!https && port == "80");
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(https ? "https://" : "http://") + h + (default_port ? "" : ":" + port);
}

core::Result<Url> ParseUrl(const std::string& url) {
  Url u;
  std::string rest;
  const std::string lower = Lower(url.substr(0, 8));
  if (lower.rfind("https://", 0) == 0) {
    u.https = true;
    rest = url.substr(8);
  } else if (lower.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return core::InvalidArgument("url \"" + Printable(url) + "\": only http:// and https:// are supported");
  }
  const auto slash = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (const auto hash = u.target.find('#'); hash != std::string::npos) {
    u.target.resize(hash);
  }
  if (u.target.empty() || u.target[0] != '/') {
    u.target = "/" + u.target;
  }
  if (authority.find('@') != std::string::npos) {
    return core::InvalidArgument("url \"" + Printable(url) + "\": credentials in the URL are not supported");
  }
  u.port = u.https ? "443" : "80";
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      return core::InvalidArgument("url \"" + Printable(url) + "\": unterminated IPv6 address");
    }
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return core::InvalidArgument("url \"" + Printable(url) + "\": bad authority");
      }
      u.port = authority.substr(close + 2);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
    u.host = authority.substr(0, colon);
    u.port = authority.substr(colon + 1);
  } else {
    u.host = authority;
  }
  if (core::Status s = CheckHost(u.host); !s.ok()) {
    return core::InvalidArgument("url \"" + Printable(url) + "\": " + s.message());
  }
  if (u.host.empty() || u.port.empty() || u.port.size() > 5 ||
      u.port.find_first_not_of("0123456789") != std::string::npos || std::stoul(u.port) == 0 ||
      std::stoul(u.port) > 65535) {
    return core::InvalidArgument("url \"" + Printable(url) + "\": expected http(s)://HOST[:PORT]/PATH");
  }
  for (char c : u.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return core::InvalidArgument("url \"" + Printable(url) + "\": white space or control characters in the path");
    }
  }
  return u;
}

namespace {

// scheme ":" at the start (RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )).
bool HasScheme(const std::string& ref) {
  if (ref.empty() || std::isalpha(static_cast<unsigned char>(ref[0])) == 0) {
    return false;
  }
  for (std::size_t i = 1; i < ref.size(); ++i) {
    const char c = ref[i];
    if (c == ':') {
      return true;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return false;
}

// RFC 3986 5.2.4 for an absolute path ("/..."): "." and ".." segments removed, never above "/".
std::string RemoveDotSegments(const std::string& path) {
  std::vector<std::string> segments;
  bool trailing_slash = false;
  for (std::size_t i = path.empty() || path[0] != '/' ? 0 : 1;;) {
    const auto slash = path.find('/', i);
    const bool last = slash == std::string::npos;
    std::string segment = path.substr(i, last ? std::string::npos : slash - i);
    if (segment == "." || segment == "..") {
      if (segment == ".." && !segments.empty()) {
        segments.pop_back();
      }
      trailing_slash = last;
    } else {
      segments.push_back(std::move(segment));
      trailing_slash = false;
    }
    if (last) {
      break;
    }
    i = slash + 1;
  }
  std::string out;
  for (const auto& segment : segments) {
    out += "/" + segment;
  }
  if (trailing_slash || out.empty()) {
    out += "/";
  }
  return out;
}

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return "";
  }
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::string ResolveUrl(const Url& base, const std::string& reference) {
  std::string ref = Trim(reference);
  if (const auto hash = ref.find('#'); hash != std::string::npos) {
    ref.resize(hash);
  }
  if (HasScheme(ref)) {
    return ref;
  }
  if (ref.rfind("//", 0) == 0) {
    return std::string(base.https ? "https:" : "http:") + ref;
  }
  const auto base_query = base.target.find('?');
  const std::string base_path = base.target.substr(0, base_query);
  if (ref.empty()) {
    return base.Origin() + base.target;
  }
  if (ref[0] == '?') {
    return base.Origin() + base_path + ref;
  }
  const auto query = ref.find('?');
  const std::string path = ref.substr(0, query);
  const std::string rest = query == std::string::npos ? "" : ref.substr(query);
  if (path[0] == '/') {
    return base.Origin() + RemoveDotSegments(path) + rest;
  }
  return base.Origin() + RemoveDotSegments(base_path.substr(0, base_path.rfind('/') + 1) + path) + rest;
}

HttpClient::HttpClient(FetchOptions options) : options_(std::move(options)), tls_(std::make_unique<Tls>()) {
  boost::system::error_code ec;
  tls_->context.set_default_verify_paths(ec);  // the system store (ca-certificates); errors show per fetch
  tls_->context.set_verify_mode(asio::ssl::verify_peer);
  tls_->context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1);
}

HttpClient::~HttpClient() = default;

core::Result<FetchResponse> HttpClient::Get(const FetchRequest& request) const {
  std::string url = request.url;
  bool from_https = false;
  for (int hop = 0;; ++hop) {
    auto parsed = ParseUrl(url);
    if (!parsed.ok()) {
      return hop == 0 ? parsed.status()
                      : core::InvalidArgument("GET " + request.url + ": redirected to " + parsed.status().message());
    }
    if (hop > 0 && from_https && !parsed->https) {
      return core::PermissionDenied("GET " + request.url + ": redirect from https to http (" + url + ") refused");
    }
    if (request.allow) {
      if (core::Status s = request.allow(*parsed); !s.ok()) {
        return hop == 0 ? s : core::Status(s.code(), "GET " + request.url + ": redirected to " + s.message());
      }
    }
    std::string location;
    auto r = GetOnce(*parsed, request, location);
    if (!r.ok() || location.empty()) {
      if (r.ok()) {
        r->url = url;
      }
      return r;
    }
    if (hop >= options_.max_redirects) {
      return core::InvalidArgument("GET " + request.url + ": more than " + std::to_string(options_.max_redirects) +
                                   " redirects");
    }
    from_https = parsed->https;
    url = ResolveUrl(*parsed, location);
  }
}

core::Result<FetchResponse> HttpClient::GetOnce(const Url& url, const FetchRequest& request,
                                                std::string& location) const {
  const std::string shown = url.Origin() + url.target;
  http::request<http::string_body> req{http::verb::get, url.target, 11};
  req.set(http::field::accept, "application/atom+xml, application/rss+xml, application/cap+xml, application/xml, */*");
  if (!request.etag.empty()) {
    req.set(http::field::if_none_match, request.etag);
  }
  if (!request.last_modified.empty()) {
    req.set(http::field::if_modified_since, request.last_modified);
  }
  auto r = RoundTrip(url, req, request.deadline);
  if (!r.ok()) {
    return r.status();
  }
  auto& res = *r;
  const int status = static_cast<int>(res.result_int());
  if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
    location = std::string(res[http::field::location]);
    if (location.empty()) {
      return core::Unavailable("GET " + shown + ": HTTP " + std::to_string(status) + " without Location");
    }
    return FetchResponse{};
  }
  if (status != 200 && status != 304) {
    return core::Unavailable("GET " + shown + ": HTTP " + std::to_string(status));
  }
  FetchResponse out;
  out.status = status;
  out.not_modified = status == 304;
  out.etag = std::string(res[http::field::etag]);
  out.last_modified = std::string(res[http::field::last_modified]);
  out.body = std::move(res.body());
  return out;
}

core::Result<PostResponse> HttpClient::Post(const PostRequest& request) const {
  auto url = ParseUrl(request.url);
  if (!url.ok()) {
    return url.status();
  }
  http::request<http::string_body> req{http::verb::post, url->target, 11};
  req.set(http::field::content_type, request.content_type);
  for (const auto& [name, value] : request.headers) {
    req.set(name, value);
  }
  req.body() = request.body;
  req.prepare_payload();
  auto r = RoundTrip(*url, req, request.deadline, request.public_only);
  if (!r.ok()) {
    return r.status();
  }
  return PostResponse{static_cast<int>(r->result_int()), std::move(r->body())};
}

core::Result<http::response<http::string_body>> HttpClient::RoundTrip(
    const Url& url, http::request<http::string_body>& req,
    std::optional<std::chrono::steady_clock::time_point> request_deadline, bool public_only) const {
  const std::string method(req.method_string());
  const std::string shown = url.Origin() + url.target;
  auto deadline = Clock::now() + options_.total_timeout;
  if (request_deadline) {
    deadline = std::min(deadline, *request_deadline);
    if (deadline <= Clock::now()) {
      return core::DeadlineExceeded(method + " " + shown + ": no time left in the round's budget");
    }
  }
  asio::io_context ioc(1);

  boost::system::error_code ec;
  auto resolved = ResolveHost(url.host, url.port, std::min(deadline, Clock::now() + options_.connect_timeout));
  if (!resolved.ok()) {
    return core::Status(resolved.status().code(), method + " " + shown + ": " + resolved.status().message());
  }
  std::vector<tcp::endpoint> endpoints;
  const auto port = static_cast<unsigned short>(std::stoul(url.port));
  for (const auto& ip : *resolved) {
    if (public_only) {
      if (const std::string why = NonPublicReason(ip); !why.empty()) {
        return core::PermissionDenied(method + " " + shown + ": \"" + url.host + "\" resolves to " + ip +
                                      ", which is not a public address: " + why +
                                      " (subscriptions.allow_private_destinations)");
      }
    }
    endpoints.emplace_back(asio::ip::make_address(ip, ec), port);
    if (ec) {
      return core::Unavailable(method + " " + shown + ": the resolver returned \"" + ip + "\"");
    }
  }

  asio::ssl::stream<tcp::socket> stream(ioc, tls_->context);
  tcp::socket& socket = stream.next_layer();
  auto close = [&socket] {
    boost::system::error_code ignored;
    socket.close(ignored);
  };
  const auto connect_deadline = std::min(deadline, Clock::now() + options_.connect_timeout);
  ec = Await(
      ioc, connect_deadline, [&](auto handler) { asio::async_connect(socket, endpoints, handler); }, close);
  if (ec) {
    return NetworkError(method, "connect", shown, ec);
  }

  if (url.https) {
    // SNI, and the certificate must name the host (as well as chain to the system store).
    if (SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()) != 1) {
      return core::Unavailable(method + " " + shown + ": cannot set the TLS server name");
    }
    stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
    ec = Await(
        ioc, deadline, [&](auto handler) { stream.async_handshake(asio::ssl::stream_base::client, handler); }, close);
    if (ec) {
      return NetworkError(method, "TLS handshake", shown, ec);
    }
  }

  req.set(http::field::host, url.Origin().substr(url.https ? 8 : 7));
  req.set(http::field::user_agent, options_.user_agent);
  http::response_parser<http::string_body> parser;
  parser.body_limit(options_.max_bytes);
  parser.header_limit(64 * 1024);
  boost::beast::flat_buffer buffer;
  auto exchange = [&](auto& s) -> boost::system::error_code {
    auto e = Await(
        ioc, deadline, [&](auto handler) { http::async_write(s, req, handler); }, close);
    if (e) {
      return e;
    }
    // The header first: a declared Content-Length over the limit is refused before any body byte
    // is read; the parser's body_limit then bounds chunked and close-delimited bodies.
    e = Await(
        ioc, deadline, [&](auto handler) { http::async_read_header(s, buffer, parser, handler); }, close);
    if (e) {
      return e;
    }
    if (const auto length = parser.content_length(); length && *length > options_.max_bytes) {
      return make_error_code(http::error::body_limit);
    }
    return Await(
        ioc, deadline, [&](auto handler) { http::async_read(s, buffer, parser, handler); }, close);
  };
  ec = url.https ? exchange(stream) : exchange(socket);
  close();
  if (ec == http::error::body_limit) {
    return core::ResourceExhausted(method + " " + shown + ": the response is larger than " +
                                   std::to_string(options_.max_bytes) + " bytes");
  }
  if (ec) {
    return NetworkError(method, "the request", shown, ec);
  }
  auto res = parser.release();
  if (res.body().size() > options_.max_bytes) {
    return core::ResourceExhausted(method + " " + shown + ": the response is larger than " +
                                   std::to_string(options_.max_bytes) + " bytes");
  }
  return res;
}

}  // namespace vik::net
