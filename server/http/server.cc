#include "http/server.h"

#include <algorithm>
#include <array>
#include <optional>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/internal_errors.h"
#include "core/logging.h"
#include "http/query.h"

namespace vik::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::ModuleLogger("http");
  return log;
}

}  // namespace

// One connection. Every member is used on the connection's strand only, except the two atomics
// that the acceptor reads to choose a connection to evict at the cap.
//
// The catch boundary: every function that runs on the strand (completion handlers, posted work,
// the route's handler) runs inside Guarded(). An exception there is reported once
// (core::ReportCurrentException, kHttpSession, the route as context) and answered with a generic
// 500 INTERNAL when the request is still unanswered; otherwise the connection is closed. Nothing
// escapes to the io_context.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::uint64_t id, const HttpOptions& options, const Router& router,
          std::shared_ptr<HttpMetrics> metrics, std::shared_ptr<SessionRegistry> registry)
      : stream_(std::move(socket)),
        id_(id),
        options_(options),
        router_(router),
        metrics_(std::move(metrics)),
        registry_(std::move(registry)) {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
    metrics_->connections_active.Increment();
  }

  ~Session() {
    metrics_->connections_active.Decrement();
    std::lock_guard lock(registry_->mu);
    registry_->sessions.erase(id_);
  }

  void Start() {
    Post([this] { ReadHeader(); });
  }

  // Answers 503 (connection cap reached) and closes.
  void Reject() {
    Post([this] {
      Response res = ErrorResponse(bhttp::status::service_unavailable, core::StatusCode::kUnavailable,
                                   "too many open connections; retry later");
      closing_ = true;
      state_ = State::kHandling;
      Send(std::move(res), "rejected", "-");
    });
  }

  // Shutdown: finish the request in flight (if any), then close; close at once when idle or
  // streaming between pieces (a stream in the middle of writing a piece closes after it).
  void BeginDrain() {
    closing_ = true;
    if ((state_ == State::kIdle && buffer_.size() == 0) || (state_ == State::kStreaming && !piece_in_flight_)) {
      Close();
    }
  }

  void ForceClose() { Close(); }

  // Read by the acceptor (any thread): true while the connection waits for (the rest of) a
  // request header, either a new connection or an idle keep-alive one; then `waiting_since` is
  // when it started to wait (steady clock, nanoseconds).
  bool Evictable() const { return awaiting_header_.load(); }
  std::int64_t WaitingSince() const { return waiting_since_.load(); }
  // Claims the connection for eviction (false when it stopped waiting or was claimed already).
  bool ClaimForEviction() { return awaiting_header_.exchange(false); }

  // Closes the connection for a newer one (the cap is reached and this one has sent no complete
  // request header).
  void Evict() {
    Post([this] {
      if (state_ == State::kIdle) {
        metrics_->protocol_errors.Add({{"reason", "evicted"}}).Increment();
        Close();
      }
    });
  }

  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kStreaming, kClosed };

  // Runs `fn` (a member call) on the strand inside the catch boundary, keeping the session alive.
  template <typename Fn>
  void Post(Fn fn) {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this(), fn = std::move(fn)]() mutable { self->Guarded(fn); });
  }

  template <typename Fn>
  void Guarded(Fn& fn) noexcept {
    try {
      fn();
    } catch (...) {
      core::ReportCurrentException(core::ErrorBoundary::kHttpSession, route_);
      FailRequest();
    }
  }

  // After an exception: a generic 500 if the request is still unanswered, else close. Never throws.
  void FailRequest() noexcept {
    try {
      if (state_ == State::kHandling || state_ == State::kReading) {
        state_ = State::kHandling;
        ++request_seq_;  // whatever the failed handler still answers is dropped
        Send(ErrorResponse(bhttp::status::internal_server_error, core::StatusCode::kInternal, "internal error"), route_,
             method_);
        return;
      }
    } catch (...) {
      core::ReportCurrentException(core::ErrorBoundary::kHttpSession, route_);
    }
    Close();
  }

  // HttpOptions::refusal_pause: idle (and evictable) until the pause ends, then ReadHeader.
  void PauseThenReadHeader() {
    state_ = State::kIdle;
    stream_.expires_never();
    waiting_since_ = std::chrono::steady_clock::now().time_since_epoch().count();
    awaiting_header_ = true;
    pause_timer_.expires_after(options_.refusal_pause);
    pause_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      auto fn = [&] {
        if (ec || self->state_ == State::kClosed) {
          return;  // closed meanwhile (evicted, drained)
        }
        if (!self->awaiting_header_.exchange(false)) {
          return;  // claimed for eviction: Evict closes it
        }
        self->ReadHeader();
      };
      self->Guarded(fn);
    });
  }

  void ReadHeader() {
    if (closing_) {
      Close();
      return;
    }
    state_ = State::kIdle;
    head_ = false;  // until the next header says otherwise
    parser_.emplace();
    parser_->header_limit(options_.max_header_bytes);
    parser_->body_limit(options_.max_body_bytes);
    // A new connection has header_timeout to send its first header; a keep-alive one may idle
    // for idle_timeout (and is evictable meanwhile, see Evictable).
    stream_.expires_after(first_request_ ? std::min(options_.header_timeout, options_.read_timeout)
                                         : options_.idle_timeout);
    waiting_since_ = std::chrono::steady_clock::now().time_since_epoch().count();
    awaiting_header_ = true;
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               auto fn = [&] { self->OnHeader(ec); };
                               self->Guarded(fn);
                             });
  }

  void OnHeader(beast::error_code ec) {
    awaiting_header_ = false;
    if (ec) {
      OnReadError(ec);
      return;
    }
    state_ = State::kReading;
    first_request_ = false;
    stream_.expires_after(options_.read_timeout);
    const auto& req = parser_->get();
    // Known from here on: every answer to a HEAD (a refusal of its framing or body included) is
    // the head alone.
    head_ = req.method() == bhttp::verb::head;
    if (auto refusal = CheckTransferEncoding(req)) {
      closing_ = true;  // the framing of what follows is unknown: answer and close
      metrics_->protocol_errors.Add({{"reason", "transfer_encoding"}}).Increment();
      state_ = State::kHandling;
      Send(std::move(*refusal), "unmatched", MethodLabel(req.method()));
      return;
    }
    if (beast::iequals(req[bhttp::field::expect], "100-continue") && !parser_->is_done()) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
        auto fn = [&] {
          if (wec) {
            self->Close();
            return;
          }
          self->ReadBody();
        };
        self->Guarded(fn);
      });
      return;
    }
    ReadBody();
  }

  // Transfer-Encoding other than exactly one "chunked" is refused: Beast would read such a
  // request as bodiless and parse its body as the next request (smuggling through a proxy that
  // reads it otherwise).
  static std::optional<Response> CheckTransferEncoding(const bhttp::request<bhttp::string_body>& req) {
    const auto count = req.count(bhttp::field::transfer_encoding);
    if (count == 0) {
      return std::nullopt;
    }
    const auto value = req[bhttp::field::transfer_encoding];
    if (count == 1 && beast::iequals(value, "chunked")) {
      return std::nullopt;
    }
    return ErrorResponse(
        bhttp::status::not_implemented, core::StatusCode::kUnimplemented,
        "Transfer-Encoding \"" + std::string(value.data(), value.size()) + "\" is not supported: only \"chunked\" is");
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      auto fn = [&] { self->OnRead(ec); };
      self->Guarded(fn);
    });
  }

  void OnReadError(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();  // a refused request is answered at once
    const bool idle = state_ == State::kIdle && !parser_->got_some();
    if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted || ec == net::error::eof ||
        ec == net::error::connection_reset || (idle && ec == beast::error::timeout)) {
      Close();  // the client went away or stayed idle: nothing to answer
      return;
    }
    if (ec == beast::error::timeout) {
      // tcp_stream closed the socket on timeout; a half-received request cannot be answered.
      metrics_->protocol_errors.Add({{"reason", "timeout"}}).Increment();
      Close();
      return;
    }
    closing_ = true;
    state_ = State::kHandling;
    if (ec == bhttp::error::header_limit) {
      metrics_->protocol_errors.Add({{"reason", "header_too_large"}}).Increment();
      Send(ErrorResponse(bhttp::status::request_header_fields_too_large, core::StatusCode::kInvalidArgument,
                         "request header is larger than " + std::to_string(options_.max_header_bytes) + " bytes"),
           "unmatched", "-");
      return;
    }
    if (ec == bhttp::error::body_limit) {
      // Beast checks Content-Length against the limit as the header ends (its fields are all in
      // parser_ by then, though is_header_done() is not yet true); a framing refusal
      // (Transfer-Encoding) names the real fault and wins over the size.
      if (auto refusal = CheckTransferEncoding(parser_->get())) {
        metrics_->protocol_errors.Add({{"reason", "transfer_encoding"}}).Increment();
        Send(std::move(*refusal), "unmatched", MethodLabel(parser_->get().method()));
        return;
      }
      metrics_->protocol_errors.Add({{"reason", "body_too_large"}}).Increment();
      Send(ErrorResponse(bhttp::status::payload_too_large, core::StatusCode::kInvalidArgument,
                         "request body is larger than " + std::to_string(options_.max_body_bytes) + " bytes"),
           "unmatched", "-");
      return;
    }
    metrics_->protocol_errors.Add({{"reason", "bad_request"}}).Increment();
    Send(ErrorResponse(bhttp::status::bad_request, core::StatusCode::kInvalidArgument,
                       "malformed HTTP request: " + ec.message()),
         "unmatched", "-");
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    state_ = State::kHandling;
    stream_.expires_never();  // the handler owns the time now; the write sets its own deadline
    const std::uint64_t seq = ++request_seq_;
    route_ = "unmatched";
    auto req = std::make_shared<Request>();
    req->msg = parser_->release();
    req->remote_address = remote_;
    keep_alive_ = req->msg.keep_alive();
    head_ = req->msg.method() == bhttp::verb::head;
    started_ = std::chrono::steady_clock::now();
    method_ = MethodLabel(req->msg.method());

    // The target is decoded and checked once, here, before any handler sees it.
    const std::string_view target(req->msg.target().data(), req->msg.target().size());
    const auto q = target.find('?');
    auto path = DecodePath(target.substr(0, q));
    auto query =
        q == std::string_view::npos ? core::Result<QueryParams>(QueryParams{}) : DecodeQuery(target.substr(q + 1));
    if (!path.ok() || !query.ok()) {
      metrics_->protocol_errors.Add({{"reason", "bad_target"}}).Increment();
      Send(ErrorResponse(!path.ok() ? path.status() : query.status()), route_, method_);
      return;
    }
    req->path = std::move(path).value();
    req->query = std::move(query).value();

    Router::Match match = router_.Find(req->msg.method(), req->path);
    route_ = match.route;
    if (match.handler == nullptr) {
      Send(std::move(match.error), route_, method_);
      return;
    }
    // The responder keeps the session alive until the handler answers (handlers always answer).
    // An answer for an earlier request (its handler failed and was answered 500) is dropped.
    auto self = shared_from_this();
    Responder respond = [self, seq](Response res) {
      net::post(self->stream_.get_executor(), [self, seq, res = std::move(res)]() mutable {
        auto fn = [&] {
          if (seq == self->request_seq_ && self->state_ == State::kHandling) {
            self->Send(std::move(res), self->route_, self->method_);
          }
        };
        self->Guarded(fn);
      });
    };
    req->start_stream = [weak = weak_from_this(), seq](Response head, std::shared_ptr<StreamSource> source) {
      auto session = weak.lock();
      if (!session) {
        source->Cancel();
        return;
      }
      net::post(session->stream_.get_executor(), [session, seq, head = std::move(head), source]() mutable {
        auto fn = [&] {
          if (seq != session->request_seq_) {
            source->Cancel();
            return;
          }
          session->StartStream(std::move(head), std::move(source));
        };
        session->Guarded(fn);
      });
    };
    (*match.handler)(std::move(req), std::move(respond));  // an exception: see Guarded
  }

  // Writes `res` (state kHandling: the one answer to the current request).
  void Send(Response res, const std::string& route, const std::string& method) {
    if (state_ != State::kHandling) {
      return;
    }
    state_ = State::kWriting;
    const bool keep = keep_alive_ && !closing_ && !registry_->draining.load();
    res.keep_alive(keep);
    if (head_) {
      const auto length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
    const unsigned code = res.result_int();
    const bool pause =
        (code == 429 || code == 503) && res.count(bhttp::field::retry_after) > 0 && options_.refusal_pause.count() > 0;
    const double seconds =
        route == "rejected" ? 0.0 : std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    auto msg = std::make_shared<Response>(std::move(res));
    stream_.expires_after(options_.read_timeout);
    bhttp::async_write(
        stream_, *msg,
        [self = shared_from_this(), msg, keep, pause, route, method, code, seconds](beast::error_code ec, std::size_t) {
          auto fn = [&] {
            self->metrics_->Observe(route, method, code, seconds);
            if (ec || !keep) {
              self->Close();
              return;
            }
            if (pause) {
              self->PauseThenReadHeader();
              return;
            }
            self->ReadHeader();
          };
          self->Guarded(fn);
        });
  }

  // A streaming response: the head now, then the source's pieces one write at a time. Writes have
  // the read timeout as deadline (a client that stops reading is cut off); between pieces there is
  // no deadline (the source decides when to write: events, heartbeats). The connection closes when
  // the stream ends. A HEAD request gets the head only: the source is cancelled at once.
  void StartStream(Response head, std::shared_ptr<StreamSource> source) {
    if (state_ != State::kHandling) {
      source->Cancel();  // answered already, or closed
      return;
    }
    state_ = State::kStreaming;
    if (head_) {
      source->Cancel();
    } else {
      source_ = std::move(source);
      WatchPeer();
    }
    head.keep_alive(false);
    head.body().clear();
    head.erase(bhttp::field::content_length);  // the body runs until the connection closes
    auto msg = std::make_shared<bhttp::response<bhttp::empty_body>>(std::move(head.base()));
    const unsigned code = msg->result_int();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    piece_in_flight_ = true;
    stream_.expires_after(options_.read_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg, code, seconds](beast::error_code ec, std::size_t) {
                         auto fn = [&] {
                           self->piece_in_flight_ = false;
                           self->metrics_->Observe(self->route_, self->method_, code, seconds);
                           // Beast reports end_of_stream for a head whose message ends with the connection: expected
                           // here.
                           self->AfterPiece(ec == bhttp::error::end_of_stream ? beast::error_code() : ec, self->head_);
                         };
                         self->Guarded(fn);
                       });
  }

  void AfterPiece(beast::error_code ec, bool last) {
    if (ec || last || closing_ || state_ != State::kStreaming || !source_) {
      Close();
      return;
    }
    stream_.expires_never();
    // The callback keeps the session alive while the source waits for something to send (no I/O
    // is pending then); Cancel (from Close) releases it.
    source_->Next([self = shared_from_this()](std::string piece, bool end) {
      net::post(self->stream_.get_executor(), [self, piece = std::move(piece), end]() mutable {
        auto fn = [&] { self->WritePiece(std::move(piece), end); };
        self->Guarded(fn);
      });
    });
  }

  void WritePiece(std::string piece, bool last) {
    if (state_ != State::kStreaming) {
      return;
    }
    auto text = std::make_shared<std::string>(std::move(piece));
    piece_in_flight_ = true;
    stream_.expires_after(options_.read_timeout);
    net::async_write(stream_, net::buffer(*text),
                     [self = shared_from_this(), text, last](beast::error_code ec, std::size_t) {
                       auto fn = [&] {
                         self->piece_in_flight_ = false;
                         self->AfterPiece(ec, last);
                       };
                       self->Guarded(fn);
                     });
  }

  // While streaming, one read stays pending so that a client that leaves is noticed at once (its
  // stream, and the stream's quota slot, end now, not at the next write). Bytes are ignored.
  void WatchPeer() {
    stream_.async_read_some(net::buffer(peer_probe_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      auto fn = [&] {
        if (self->state_ != State::kStreaming) {
          return;
        }
        if (ec) {
          self->Close();
          return;
        }
        self->WatchPeer();
      };
      self->Guarded(fn);
    });
  }

  void Close() noexcept {
    awaiting_header_ = false;
    if (state_ == State::kClosed) {
      return;
    }
    state_ = State::kClosed;
    pause_timer_.cancel();
    if (source_) {
      auto source = std::move(source_);
      try {
        source->Cancel();
      } catch (...) {
        core::ReportCurrentException(core::ErrorBoundary::kHttpSession, route_);
      }
    }
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  const std::uint64_t id_;
  const HttpOptions& options_;
  const Router& router_;
  std::shared_ptr<HttpMetrics> metrics_;
  std::shared_ptr<SessionRegistry> registry_;
  std::string remote_;

  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  State state_ = State::kIdle;
  bool first_request_ = true;
  bool closing_ = false;
  bool keep_alive_ = false;
  bool head_ = false;
  std::uint64_t request_seq_ = 0;  // the request being handled; answers for older ones are dropped
  std::chrono::steady_clock::time_point started_;
  std::string route_ = "unmatched";
  std::string method_ = "-";
  std::shared_ptr<StreamSource> source_;  // while streaming
  bool piece_in_flight_ = false;
  std::atomic<bool> awaiting_header_{false};
  std::atomic<std::int64_t> waiting_since_{0};
  std::array<char, 256> peer_probe_{};                     // WatchPeer's read buffer
  net::steady_timer pause_timer_{stream_.get_executor()};  // HttpOptions::refusal_pause
};

Server::Server(net::io_context& ioc, HttpOptions options, const Router& router, std::shared_ptr<HttpMetrics> metrics)
    : ioc_(ioc),
      options_(std::move(options)),
      router_(router),
      metrics_(std::move(metrics)),
      acceptor_(net::make_strand(ioc)),
      registry_(std::make_shared<SessionRegistry>()) {}

Server::~Server() = default;

core::Status Server::Start() {
  boost::system::error_code ec;
  auto address = net::ip::make_address(options_.host, ec);
  if (ec) {
    return core::InvalidArgument("http: invalid listen address \"" + options_.host + "\": " + ec.message());
  }
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return core::Unavailable("http: cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                             ec.message());
  }
  bound_port_ = acceptor_.local_endpoint().port();
  Accept();
  return core::Status::Ok();
}

void Server::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         [this](boost::system::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void Server::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
    return;  // stopped
  }
  if (ec) {
    metrics_->protocol_errors.Add({{"reason", "accept"}}).Increment();
    core::LogWarn(*Log(), "accept failed", {{"error", ec.message()}});
    // Keep accepting: transient errors (EMFILE, ECONNABORTED) must not stop the server.
    Accept();
    return;
  }
  std::shared_ptr<Session> session;
  std::shared_ptr<Session> evict;
  bool reject = false;
  {
    std::lock_guard lock(registry_->mu);
    if (draining_) {
      reject = true;
    } else if (registry_->sessions.size() >= options_.max_connections) {
      evict = OldestWaiting();
      reject = evict == nullptr;
    }
    const std::uint64_t id = registry_->next_id++;
    session = std::make_shared<Session>(std::move(socket), id, options_, router_, metrics_, registry_);
    registry_->sessions.emplace(id, session);
  }
  if (evict) {
    metrics_->connections_evicted.Increment();
    evict->Evict();
  }
  if (reject) {
    metrics_->connections_rejected.Increment();
    session->Reject();
  } else {
    metrics_->connections_accepted.Increment();
    session->Start();
  }
  Accept();
}

// Called with registry_->mu held.
std::shared_ptr<Session> Server::OldestWaiting() {
  std::shared_ptr<Session> oldest;
  for (auto& [id, weak] : registry_->sessions) {
    auto s = weak.lock();
    if (s && s->Evictable() && (!oldest || s->WaitingSince() < oldest->WaitingSince())) {
      oldest = std::move(s);
    }
  }
  if (oldest && !oldest->ClaimForEviction()) {
    return nullptr;  // it started a request meanwhile: the new connection is refused this time
  }
  return oldest;
}

void Server::StopAccepting() {
  draining_ = true;
  registry_->draining = true;
  net::dispatch(acceptor_.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
}

template <typename Fn>
void Server::ForEachSession(Fn fn) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(registry_->mu);
    for (auto& [id, weak] : registry_->sessions) {
      if (auto s = weak.lock()) {
        live.push_back(std::move(s));
      }
    }
  }
  for (auto& s : live) {
    net::post(s->executor(), [s, fn] { fn(*s); });
  }
}

std::size_t Server::active_connections() const {
  std::lock_guard lock(registry_->mu);
  return registry_->sessions.size();
}

std::size_t Server::Drain(std::chrono::steady_clock::time_point deadline) {
  ForEachSession([](Session& s) { s.BeginDrain(); });
  while (active_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::size_t forced = active_connections();
  if (forced > 0) {
    ForEachSession([](Session& s) { s.ForceClose(); });
    const auto hard = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (active_connections() > 0 && std::chrono::steady_clock::now() < hard) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return forced;
}

}  // namespace vik::http
