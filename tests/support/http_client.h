#pragma once

// A minimal blocking HTTP/1.1 client for tests (Boost.Beast), one connection per call.

#include <map>
#include <string>

namespace vik::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

HttpReply HttpCall(int port, const std::string& method, const std::string& target, const std::string& body = "",
                   const std::map<std::string, std::string>& headers = {});
inline HttpReply HttpGet(int port, const std::string& target) { return HttpCall(port, "GET", target); }

// A raw TCP connection to 127.0.0.1:port for protocol-level tests.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  void Send(const std::string& bytes);
  // Reads until the peer closes or `timeout_ms` passes; returns what arrived.
  std::string ReadAll(int timeout_ms);
  // True when the peer has closed the connection (a read returns EOF) within `timeout_ms`.
  bool ClosedByPeer(int timeout_ms);

 private:
  int fd_ = -1;
};

}  // namespace vik::testing
