#include "bench/http_load.h"

#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vik::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::string_view kAccepted = "\"RECEIPT_OUTCOME_ACCEPTED\"";

// One keep-alive HTTP/1.1 connection; reconnects when the server closes it. Not thread-safe.
class Connection {
 public:
  explicit Connection(const HttpTarget& target) : target_(target), stream_(ioc_) {}

  http::response<http::string_body> Call(http::request<http::string_body>& request) {
    if (!open_) {
      tcp::resolver resolver(ioc_);
      stream_.connect(resolver.resolve(target_.host, target_.port));
      stream_.socket().set_option(tcp::no_delay(true));
      open_ = true;
    }
    request.set(http::field::host, target_.host);
    request.keep_alive(true);
    request.prepare_payload();
    http::write(stream_, request);
    http::response<http::string_body> response;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream_, buffer_, parser);
    response = parser.release();
    if (!response.keep_alive()) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.close();
      open_ = false;
    }
    return response;
  }

  void Reset() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    open_ = false;
  }

 private:
  const HttpTarget target_;
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool open_ = false;
};

std::size_t CountOccurrences(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string_view::npos; pos = text.find(what, pos + what.size())) {
    ++n;
  }
  return n;
}

// The text from the first receipt outcome other than ACCEPTED (for the error summary).
std::string FirstOtherOutcome(std::string_view body) {
  for (auto pos = body.find("RECEIPT_OUTCOME_"); pos != std::string_view::npos;
       pos = body.find("RECEIPT_OUTCOME_", pos + 1)) {
    if (body.substr(pos - 1, kAccepted.size()) != kAccepted) {
      return std::string(body.substr(pos, 200));
    }
  }
  return std::string(body.substr(0, 200));
}

void PostLoop(const HttpTarget& target, const std::string& authorization, SignalFactory& factory, int batch,
              Clock::time_point until, Recorder& rec) {
  Connection connection(target);
  std::string body;
  while (Clock::now() < until) {
    body.clear();
    body += R"({"signals":[)";
    for (int i = 0; i < batch; ++i) {
      if (i > 0) {
        body += ',';
      }
      factory.AppendJson(body);
    }
    body += "]}";
    http::request<http::string_body> request{http::verb::post, "/v1/signals", 11};
    request.set(http::field::authorization, authorization);
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    const auto sent = Clock::now();
    ++rec.calls;
    try {
      const auto response = connection.Call(request);
      const auto done = Clock::now();
      if (response.result() != http::status::ok) {
        rec.Error("HTTP " + std::to_string(response.result_int()) + ": " + response.body(),
                  static_cast<std::uint64_t>(batch));
        continue;
      }
      rec.Latency(done - sent);
      const std::size_t accepted = CountOccurrences(response.body(), kAccepted);
      rec.accepted += accepted;
      if (accepted < static_cast<std::size_t>(batch)) {
        rec.Error("receipt not accepted: " + FirstOtherOutcome(response.body()),
                  static_cast<std::uint64_t>(batch) - accepted);
      }
    } catch (const std::exception& e) {
      rec.Error(std::string("HTTP transport: ") + e.what(), static_cast<std::uint64_t>(batch));
      connection.Reset();
    }
  }
}

void GeneralPostLoop(const HttpTarget& target, const std::string& authorization, const PostLoadSpec& spec, int client,
                     Clock::time_point until, Recorder& rec) {
  Connection connection(target);
  for (std::uint64_t n = 0; Clock::now() < until; ++n) {
    http::request<http::string_body> request{http::verb::post, spec.path, 11};
    request.set(http::field::authorization, authorization);
    request.set(http::field::content_type, spec.content_type);
    request.body() = spec.body(client, n);
    const auto sent = Clock::now();
    ++rec.calls;
    try {
      const auto response = connection.Call(request);
      const auto done = Clock::now();
      const PostVerdict verdict = spec.judge(response.result_int(), response.body());
      if (verdict.accepted > 0) {
        rec.Latency(done - sent);
      }
      rec.accepted += verdict.accepted;
      if (verdict.not_accepted > 0 || !verdict.error.empty()) {
        rec.Error(verdict.error.empty() ? "not accepted" : verdict.error, verdict.not_accepted);
      }
    } catch (const std::exception& e) {
      rec.Error(std::string("HTTP transport: ") + e.what(), spec.messages_per_request);
      connection.Reset();
    }
  }
}

void GetLoop(const HttpTarget& target, const std::string& authorization, const std::string& path,
             Clock::time_point until, Recorder& rec) {
  Connection connection(target);
  while (Clock::now() < until) {
    http::request<http::string_body> request{http::verb::get, path, 11};
    if (!authorization.empty()) {
      request.set(http::field::authorization, authorization);
    }
    const auto sent = Clock::now();
    ++rec.calls;
    try {
      const auto response = connection.Call(request);
      const auto done = Clock::now();
      if (response.result() != http::status::ok) {
        rec.Error("HTTP " + std::to_string(response.result_int()) + ": " + response.body(), 1);
        continue;
      }
      rec.Latency(done - sent);
      ++rec.accepted;
    } catch (const std::exception& e) {
      rec.Error(std::string("HTTP transport: ") + e.what(), 1);
      connection.Reset();
    }
  }
}

}  // namespace

HttpTarget ParseHttpTarget(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos || colon + 1 == host_port.size()) {
    throw std::invalid_argument("expected HOST:PORT, got \"" + host_port + "\"");
  }
  return {host_port.substr(0, colon), host_port.substr(colon + 1)};
}

Recorder HttpLoad(const HttpTarget& target, const std::string& token, SignalFactory& factory, int connections,
                  int batch, Clock::duration duration) {
  const auto until = Clock::now() + duration;
  const std::string authorization = "Bearer " + token;
  std::vector<Recorder> recorders(static_cast<std::size_t>(connections));
  std::vector<std::thread> threads;
  for (auto& rec : recorders) {
    threads.emplace_back([&, r = &rec] { PostLoop(target, authorization, factory, batch, until, *r); });
  }
  for (auto& t : threads) {
    t.join();
  }
  Recorder merged;
  for (auto& rec : recorders) {
    merged.Merge(std::move(rec));
  }
  return merged;
}

Recorder HttpPostLoad(const HttpTarget& target, const std::string& token, const PostLoadSpec& spec, int clients,
                      Clock::duration duration) {
  const auto until = Clock::now() + duration;
  const std::string authorization = "Bearer " + token;
  std::vector<Recorder> recorders(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back(
        [&, i] { GeneralPostLoop(target, authorization, spec, i, until, recorders[static_cast<std::size_t>(i)]); });
  }
  for (auto& t : threads) {
    t.join();
  }
  Recorder merged;
  for (auto& rec : recorders) {
    merged.Merge(std::move(rec));
  }
  return merged;
}

Recorder HttpGetLoad(const HttpTarget& target, const std::string& token, const std::string& path, int clients,
                     Clock::duration duration) {
  const auto until = Clock::now() + duration;
  const std::string authorization = token.empty() ? "" : "Bearer " + token;
  std::vector<Recorder> recorders(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  for (auto& rec : recorders) {
    threads.emplace_back([&, r = &rec] { GetLoop(target, authorization, path, until, *r); });
  }
  for (auto& t : threads) {
    t.join();
  }
  Recorder merged;
  for (auto& rec : recorders) {
    merged.Merge(std::move(rec));
  }
  return merged;
}

HttpAnswer HttpGet(const HttpTarget& target, const std::string& token, const std::string& path) {
  Connection connection(target);
  http::request<http::string_body> request{http::verb::get, path, 11};
  if (!token.empty()) {
    request.set(http::field::authorization, "Bearer " + token);
  }
  auto response = connection.Call(request);
  return {response.result_int(), std::move(response.body())};
}

std::map<std::string, double> ScrapeMetrics(const HttpTarget& target) {
  Connection connection(target);
  http::request<http::string_body> request{http::verb::get, "/metrics", 11};
  const auto response = connection.Call(request);
  if (response.result() != http::status::ok) {
    throw std::runtime_error("GET /metrics answered " + std::to_string(response.result_int()));
  }
  std::map<std::string, double> out;
  std::istringstream lines(response.body());
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#' || line.find('{') != std::string::npos) {
      continue;
    }
    const auto space = line.find(' ');
    if (space != std::string::npos) {
      out[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
    }
  }
  return out;
}

}  // namespace vik::bench
