#pragma once

// The HTTP/1.1 server (Boost.Beast): accepts connections, reads requests within limits, dispatches
// them through a Router and writes responses, with keep-alive.
//
// Limits (all from HttpOptions): header bytes (431), body bytes (413), a header timeout for the
// first request of a connection, a read timeout for a request once it started, an idle timeout
// between keep-alive requests, and a cap on concurrent connections. At the cap, the connection that
// has waited longest for a request header (idle keep-alive, or slow: slowloris) is closed to admit
// the new one; only when every connection is busy with a request does a new one get 503 with
// Retry-After. Malformed requests get 400; a path or query that is not UTF-8 text 400 naming it
// (http/query.h); Transfer-Encoding other than "chunked" 501. An exception in a session is
// answered 500 INTERNAL and reported (core/internal_errors.h); it never ends the process.
// Shutdown: StopAccepting() closes the listener; Drain() closes idle connections at once and lets
// requests in flight finish (their connections close after the response) until the deadline, then
// closes whatever is left.
// Thread-safety: the Server runs on the io_context's threads; Start/StopAccepting/Drain are called
// by the owner (app::Runtime).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/status.h"
#include "http/http_metrics.h"
#include "http/router.h"

namespace vik::http {

struct HttpOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port
  std::size_t max_connections = 512;
  std::uint32_t max_header_bytes = 16 * 1024;
  std::uint64_t max_body_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{5000};  // a new connection's first header (at most read_timeout)
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  // After an answer refused for load (429 or 503 with Retry-After) on a keep-alive connection, the
  // next request on it is not read before this pause: a client honouring Retry-After never notices,
  // one looping on refusals is paced to one request per pause and connection, instead of spending
  // the CPU the other partners need on cheap refusals. A paused connection is evictable like an
  // idle one. 0: no pause.
  std::chrono::milliseconds refusal_pause{1000};
};

class Session;

// The open connections, shared with every Session so that a session can unregister itself whatever
// outlives what at shutdown. Thread-safety: safe for concurrent use.
struct SessionRegistry {
  std::mutex mu;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_id = 1;
  // Set when the listener stops accepting: from then on every response closes its connection
  // (read on the sessions' strands, set from the shutdown thread).
  std::atomic<bool> draining{false};
};

class Server {
 public:
  // `metrics` is shared with the sessions, which may outlive the server at process exit.
  Server(boost::asio::io_context& ioc, HttpOptions options, const Router& router, std::shared_ptr<HttpMetrics> metrics);
  ~Server();

  // Binds and starts accepting. Returns the bound port (useful with port 0).
  core::Status Start();
  std::uint16_t port() const { return bound_port_; }

  void StopAccepting();
  // Blocks (call from a thread that is not an io_context thread) until no connection is left or the
  // deadline passes; connections still open then are closed. Returns the number closed by force.
  std::size_t Drain(std::chrono::steady_clock::time_point deadline);

  std::size_t active_connections() const;

 private:
  friend class Session;
  void Accept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  // The open connection that has waited longest for a request header, claimed for eviction; null
  // when every connection is busy. Called with registry_->mu held.
  std::shared_ptr<Session> OldestWaiting();
  // Posts `fn(session)` to every open session's strand.
  template <typename Fn>
  void ForEachSession(Fn fn);

  boost::asio::io_context& ioc_;
  const HttpOptions options_;
  const Router& router_;
  std::shared_ptr<HttpMetrics> metrics_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t bound_port_ = 0;
  std::atomic<bool> draining_{false};
  std::shared_ptr<SessionRegistry> registry_;
};

}  // namespace vik::http
