#include "support/webhook_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace vik::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Reads from `fd` until `done(buffer)` or the peer closes or 10 s pass; false on close/timeout.
template <typename Done>
bool ReadUntil(int fd, std::string& buffer, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done(buffer)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 200))) <= 0) {
      continue;
    }
    char chunk[8192];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) {
      return false;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

WebhookReceiver::WebhookReceiver() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("webhook receiver: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

WebhookReceiver::~WebhookReceiver() {
  stopping_ = true;
  acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mu_);
    connections.swap(connections_);
  }
  for (auto& t : connections) {
    t.join();
  }
}

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void WebhookReceiver::FailNext(int n, int status) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < n; ++i) {
    plan_status_.push_back(status);
  }
}

void WebhookReceiver::StallNext(int n, std::chrono::milliseconds stall) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < n; ++i) {
    plan_stall_.push_back(stall);
  }
}

std::vector<WebhookReceiver::Received> WebhookReceiver::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

void WebhookReceiver::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      continue;
    }
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      continue;
    }
    std::lock_guard lock(mu_);
    connections_.emplace_back([this, fd] { Serve(fd); });
  }
}

void WebhookReceiver::Serve(int fd) {
  std::string buffer;
  while (!stopping_) {
    if (!ReadUntil(fd, buffer, [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; })) {
      break;
    }
    const auto head_end = buffer.find("\r\n\r\n");
    Received r;
    std::size_t line_start = 0;
    std::size_t content_length = 0;
    bool first = true;
    while (line_start < head_end) {
      const auto eol = buffer.find("\r\n", line_start);
      const std::string line = buffer.substr(line_start, eol - line_start);
      line_start = eol + 2;
      if (first) {
        first = false;
        const auto sp1 = line.find(' ');
        const auto sp2 = line.find(' ', sp1 + 1);
        r.method = line.substr(0, sp1);
        r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        continue;
      }
      const auto colon = line.find(':');
      if (colon == std::string::npos) {
        continue;
      }
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[Lower(line.substr(0, colon))] = value;
    }
    if (const auto it = r.headers.find("content-length"); it != r.headers.end()) {
      content_length = std::stoul(it->second);
    }
    const std::size_t total = head_end + 4 + content_length;
    if (!ReadUntil(fd, buffer, [total](const std::string& b) { return b.size() >= total; })) {
      break;
    }
    r.body = buffer.substr(head_end + 4, content_length);
    buffer.erase(0, total);
    int status = 200;
    std::chrono::milliseconds stall{0};
    {
      std::lock_guard lock(mu_);
      if (!plan_status_.empty()) {
        status = plan_status_.front();
        plan_status_.erase(plan_status_.begin());
      }
      if (!plan_stall_.empty()) {
        stall = plan_stall_.front();
        plan_stall_.erase(plan_stall_.begin());
      }
      r.answered = status;
      received_.push_back(r);
    }
    const auto until = std::chrono::steady_clock::now() + stall;
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::string reply = "HTTP/1.1 " + std::to_string(status) + (status < 300 ? " OK" : " Error") +
                              "\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
    if (::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) {
      break;
    }
  }
  ::close(fd);
}

}  // namespace vik::testing
