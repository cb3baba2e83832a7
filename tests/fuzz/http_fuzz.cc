// libFuzzer target for the HTTP surface: the input is the raw byte stream of one client connection
// (one request, several pipelined ones, or garbage), written to the real http::Server of an
// in-process vikd surface (surface_fixture.h: every route, a store that cannot connect, one token
// with every scope). The stream goes through Beast's request parser, the session, the router and
// the route's request decoding. Every answer read back must be a well-formed HTTP response with a
// status from the documented set, never 500, with a valid UTF-8 body free of database text; an
// exception that escapes a session ends the process, which libFuzzer reports as a crash. A HEAD
// answer has no body; a Transfer-Encoding other than exactly "chunked" is refused (400/501).
// Built by tests/fuzz/CMakeLists.txt (VIK_FUZZ=ON), run by tests/fuzz/run.sh.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fuzz/answer_check.h"
#include "fuzz/surface_fixture.h"

namespace {

[[noreturn]] void Finding(const std::string& what, std::string_view answer) {
  std::fprintf(stderr, "http_fuzz: %s\n--- answer (%zu bytes) ---\n%.*s\n", what.c_str(), answer.size(),
               static_cast<int>(std::min<std::size_t>(answer.size(), 2000)), answer.data());
  __builtin_trap();
}

// Connects to the surface's HTTP port; -1 on failure (reported by the caller).
int Connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  // Closed with a reset (no TIME_WAIT): a thousand connections a second would otherwise use up the
  // loopback's ephemeral ports within a minute and look like a dead server.
  const linger reset{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  return fd;
}

// Connects, retrying briefly: a refused or unassignable connect once is the machine's, a server
// that stays unreachable for a second is a finding.
int ConnectPatiently(std::uint16_t port) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (const int fd = Connect(port); fd >= 0) {
      return fd;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

// Writes `bytes` (the server may close early: that is an answer too), half-closes, and reads until
// the server closes or `budget` passes.
std::string Exchange(int fd, std::string_view bytes, std::chrono::milliseconds budget) {
  std::size_t sent = 0;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  std::string answer;
  char buf[16384];
  bool write_open = true;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      break;
    }
    if (write_open && sent == bytes.size()) {
      ::shutdown(fd, SHUT_WR);
      write_open = false;
    }
    pollfd p{fd, static_cast<short>(POLLIN | (write_open ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      break;
    }
    if ((p.revents & POLLOUT) != 0 && write_open) {
      const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        ::shutdown(fd, SHUT_WR);
        write_open = false;
      } else {
        sent += static_cast<std::size_t>(n);
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
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& surface = vik::fuzz::GetSurface();
  const int fd = ConnectPatiently(surface.http_port);
  if (fd < 0) {
    Finding(std::string("cannot connect to the HTTP server for 1 s (is it alive?): ") + std::strerror(errno), {});
  }
  const std::string answer =
      Exchange(fd, std::string_view(reinterpret_cast<const char*>(data), size), std::chrono::milliseconds(1000));
  ::close(fd);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<unsigned> statuses;
  const auto heads = vik::fuzz::RequestHeads(input, vik::fuzz::kMaxBodyBytes);
  const auto finding =
      vik::fuzz::CheckAnswers(answer, input, heads, true, [&statuses](unsigned status) { statuses.push_back(status); });
  if (!finding.empty()) {
    Finding(finding, answer);
  }
  if (const auto te = vik::fuzz::OddTransferEncoding(input)) {
    const bool refused = statuses.size() == 1 && (statuses[0] == 400 || statuses[0] == 501);
    if (!refused && !statuses.empty()) {
      Finding("Transfer-Encoding \"" + *te + "\" was not refused with one 400/501", answer);
    }
  }
  return 0;
}
