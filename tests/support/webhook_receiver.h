#pragma once

// A webhook receiver for tests: an HTTP/1.1 server on 127.0.0.1 (port picked by the kernel) that
// records every request and answers 200, or what the test told it to answer next (an error status,
// or a stall before answering). One thread accepts; each connection is served on its own thread.
// Thread-safety: every method is safe for concurrent use.

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vik::testing {

class WebhookReceiver {
 public:
  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const;

  // The next `n` requests are answered `status` (after the ones already planned).
  void FailNext(int n, int status = 500);
  // The next `n` requests wait `stall` before they are answered 200 (or what FailNext planned).
  void StallNext(int n, std::chrono::milliseconds stall);

  struct Received {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    int answered = 0;  // the status sent
    std::string header(const std::string& name) const {
      const auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
  };
  std::vector<Received> received() const;

 private:
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<Received> received_;
  std::vector<int> plan_status_;                       // answers planned for the next requests
  std::vector<std::chrono::milliseconds> plan_stall_;  // stalls planned for the next requests
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

}  // namespace vik::testing
