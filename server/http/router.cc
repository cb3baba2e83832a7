#include "http/router.h"

namespace vik::http {

void Router::Add(bhttp::verb method, std::string path, Handler handler) {
  bool prefix = path.size() >= 2 && path.compare(path.size() - 2, 2, "/*") == 0;
  if (prefix) {
    path.resize(path.size() - 1);  // keep the trailing '/'
  }
  routes_.push_back({method, std::move(path), prefix, std::move(handler)});
}

bool Router::PathMatches(const Route& r, std::string_view path) const {
  if (r.prefix) {
    return path.size() > r.path.size() && path.substr(0, r.path.size()) == r.path;
  }
  return path == r.path;
}

Router::Match Router::Find(bhttp::verb method, std::string_view path) const {
  const bhttp::verb effective = method == bhttp::verb::head ? bhttp::verb::get : method;
  std::string allow;
  std::string route;
  for (const auto& r : routes_) {
    if (!PathMatches(r, path)) {
      continue;
    }
    route = r.prefix ? r.path + "*" : r.path;
    if (r.method == effective) {
      return {&r.handler, route, {}};
    }
    if (!allow.empty()) {
      allow += ", ";
    }
    allow += std::string(bhttp::to_string(r.method));
    if (r.method == bhttp::verb::get) {
      allow += ", HEAD";
    }
  }
  if (allow.empty()) {
    return {nullptr, "unmatched",
            ErrorResponse(bhttp::status::not_found, core::StatusCode::kNotFound,
                          "no resource at \"" + std::string(path) + "\"")};
  }
  Response res = ErrorResponse(bhttp::status::method_not_allowed, core::StatusCode::kUnimplemented,
                               "method " + std::string(bhttp::to_string(method)) + " is not allowed on \"" +
                                   std::string(path) + "\"; allowed: " + allow);
  res.set(bhttp::field::allow, allow);
  return {nullptr, route, std::move(res)};
}

}  // namespace vik::http
