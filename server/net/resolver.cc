#include "net/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>

namespace vik::net {
namespace {

// One lookup. Owned jointly by the caller and by glibc's completion callback (a heap-held
// shared_ptr the callback deletes), so whichever finishes last frees it.
struct Lookup {
  std::string host;
  std::string port;
  addrinfo hints{};
  gaicb request{};
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  ~Lookup() {
    if (request.ar_result != nullptr) {
      freeaddrinfo(request.ar_result);
    }
  }
};

void OnComplete(sigval value) {
  auto* holder = static_cast<std::shared_ptr<Lookup>*>(value.sival_ptr);
  {
    std::lock_guard<std::mutex> lock((*holder)->mu);
    (*holder)->done = true;
  }
  (*holder)->cv.notify_all();
  delete holder;
}

std::string Text(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

}  // namespace

core::Result<std::vector<std::string>> ResolveHost(const std::string& host, const std::string& port,
                                                   std::chrono::steady_clock::time_point deadline) {
  auto lookup = std::make_shared<Lookup>();
  lookup->host = host;
  lookup->port = port;
  lookup->hints.ai_family = AF_UNSPEC;
  lookup->hints.ai_socktype = SOCK_STREAM;
  lookup->hints.ai_flags = AI_ADDRCONFIG;
  lookup->request.ar_name = lookup->host.c_str();
  lookup->request.ar_service = lookup->port.empty() ? nullptr : lookup->port.c_str();
  lookup->request.ar_request = &lookup->hints;

  sigevent notify{};
  notify.sigev_notify = SIGEV_THREAD;
  notify.sigev_notify_function = OnComplete;
  auto* holder = new std::shared_ptr<Lookup>(lookup);
  notify.sigev_value.sival_ptr = holder;
  gaicb* list[] = {&lookup->request};
  if (const int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &notify); rc != 0) {
    delete holder;  // not queued: no callback will run
    return core::Unavailable("resolving \"" + host + "\": " + gai_strerror(rc));
  }
  {
    std::unique_lock<std::mutex> lock(lookup->mu);
    if (!lookup->cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
      // Abandoned. A request glibc had not started yet is cancelled and never notifies: its
      // holder is freed here. One already running finishes and its callback frees the holder.
      lock.unlock();
      if (gai_cancel(&lookup->request) == EAI_CANCELED) {
        delete holder;
      }
      return core::DeadlineExceeded("resolving \"" + host + "\": no answer within the deadline");
    }
  }
  if (const int rc = gai_error(&lookup->request); rc != 0) {
    return core::Unavailable("cannot resolve \"" + host + "\": " + gai_strerror(rc));
  }
  std::vector<std::string> out;
  for (const addrinfo* ai = lookup->request.ar_result; ai != nullptr; ai = ai->ai_next) {
    std::string text = Text(ai->ai_addr);
    if (!text.empty() && std::find(out.begin(), out.end(), text) == out.end()) {
      out.push_back(std::move(text));
    }
  }
  if (out.empty()) {
    return core::Unavailable("cannot resolve \"" + host + "\": no IPv4 or IPv6 address");
  }
  return out;
}

}  // namespace vik::net
