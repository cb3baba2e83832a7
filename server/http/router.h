#pragma once

// Maps (method, path) to handlers. Paths are exact ("/readyz") or end in "/*" for a prefix.
// Unknown paths answer 404, known paths with another method 405 (with Allow), both as JSON errors.
// HEAD is served by the GET handler (the body is dropped by the server).
// Thread-safety: routes are added before the server starts; Match is then safe for concurrent use.

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace vik::http {

class Router {
 public:
  void Add(bhttp::verb method, std::string path, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: answer `error`
    std::string route;                 // label for metrics: the registered path, or "unmatched"
    Response error;                    // 404 or 405 when handler is null
  };
  Match Find(bhttp::verb method, std::string_view path) const;

 private:
  struct Route {
    bhttp::verb method;
    std::string path;
    bool prefix;
    Handler handler;
  };
  bool PathMatches(const Route& r, std::string_view path) const;

  std::vector<Route> routes_;
};

}  // namespace vik::http
