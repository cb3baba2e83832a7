#pragma once

// Checks shared by the surface fuzz targets and the soak: what every answer of vikd must be,
// whatever was sent. Header-only (the fuzz build and the test build link different libraries).
// - HasDatabaseText: a fragment of database driver or server text, which never reaches a client.
// - DocumentedStatus: the HTTP statuses docs/api.md documents (500 is not among them: a 500 is
//   an exception caught at a boundary, always a finding).
// - RequestHeads: which of the requests in a connection's bytes are HEAD, in order.
// - OddTransferEncoding: a first request whose Transfer-Encoding vikd must refuse.
// - CheckAnswers: every response in a connection's answer well-formed, documented, free of
//   database text (and valid UTF-8 when asked).

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/utf8.h"

namespace vik::fuzz {

// Fragments that also occur in `request` do not count (a path echoed in a 404 is the client's text).
inline bool HasDatabaseText(std::string_view text, std::string_view request = {}) {
  static constexpr std::array<std::string_view, 10> kFragments = {"ERROR:",
                                                                  "pqxx",
                                                                  "SQLSTATE",
                                                                  "syntax error at",
                                                                  "FATAL:",
                                                                  "invalid byte sequence for encoding",
                                                                  "violates unique constraint",
                                                                  "violates check constraint",
                                                                  "relation \"",
                                                                  "libpq"};
  for (const auto f : kFragments) {
    if (text.find(f) != std::string_view::npos && request.find(f) == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

inline bool DocumentedStatus(unsigned status) {
  static const std::set<unsigned> kStatuses = {100, 200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 410,
                                               411, 412, 413, 414, 415, 422, 429, 431, 501, 503, 504};
  return kStatuses.count(status) > 0;
}

// The requests vikd's parser reads from `input` (same header limit, body limit `max_body`) in order:
// true for a well-formed HEAD request (its answer must have no body, and never a stream). Stops at
// the first malformed request (vikd answers it, with a body whatever its method, and closes).
inline std::vector<bool> RequestHeads(std::string_view input, std::uint64_t max_body) {
  namespace bhttp = boost::beast::http;
  std::vector<bool> heads;
  while (!input.empty() && heads.size() < 1000) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.header_limit(16 * 1024);
    parser.body_limit(max_body);
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (!parser.is_done() && used < input.size()) {
      const auto n = parser.put(boost::asio::buffer(input.data() + used, input.size() - used), ec);
      used += n;
      if (ec || n == 0) {
        break;
      }
    }
    if (!parser.is_done() || ec) {
      break;
    }
    heads.push_back(parser.get().method() == bhttp::verb::head);
    input.remove_prefix(used);
  }
  return heads;
}

// The Transfer-Encoding of the first request in `input` when it is present and not exactly
// "chunked" (which vikd must refuse with 400 or 501 and close: issue 13, row 20); nullopt otherwise.
inline std::optional<std::string> OddTransferEncoding(std::string_view input) {
  const auto end = input.find("\r\n\r\n");
  std::string_view head = input.substr(0, end);
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos) {
    const std::size_t next = head.find("\r\n", at + 2);
    const std::size_t length = next == std::string_view::npos ? std::string_view::npos : next - at - 2;
    const std::string_view line = head.substr(at + 2, length);
    constexpr std::string_view kName = "transfer-encoding:";
    if (line.size() >= kName.size()) {
      std::string name(line.substr(0, kName.size()));
      for (auto& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      if (name == kName) {
        std::string_view value = line.substr(kName.size());
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
          value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
          value.remove_suffix(1);
        }
        // Transfer-coding names are case-insensitive (RFC 9112 section 7): "chunKed" is chunked.
        std::string lowered(value);
        for (auto& c : lowered) {
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (lowered != "chunked") {
          return std::string(value);
        }
      }
    }
    at = next;
  }
  return std::nullopt;
}

namespace detail {

// Parses the first response of `rest`; `used`: bytes taken. An error text or "".
inline std::string ParseOne(std::string_view rest, bool skip_body,
                            boost::beast::http::response_parser<boost::beast::http::string_body>& parser,
                            std::size_t& used) {
  parser.eager(true);
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(skip_body);
  boost::beast::error_code ec;
  used = 0;
  while (!parser.is_done() && used < rest.size()) {
    const auto n = parser.put(boost::asio::buffer(rest.data() + used, rest.size() - used), ec);
    used += n;
    if (ec == boost::beast::http::error::need_more) {
      return "";
    }
    if (ec) {
      return "malformed response: " + ec.message();
    }
    if (n == 0) {
      break;
    }
  }
  return "";
}

}  // namespace detail

// Checks every response in `answer` to `request` (the bytes of one connection; a response cut short by the
// reader's time budget, such as a running stream, is fine). `heads` from RequestHeads. Each status
// is passed to `on_status`. Returns the first finding, or "".
inline std::string CheckAnswers(std::string_view answer, std::string_view request, const std::vector<bool>& heads,
                                bool require_utf8, const std::function<void(unsigned)>& on_status = {}) {
  namespace bhttp = boost::beast::http;
  std::string_view rest = answer;
  std::size_t index = 0;
  while (!rest.empty()) {
    const bool head = index < heads.size() && heads[index];
    std::optional<bhttp::response_parser<bhttp::string_body>> parser;
    parser.emplace();
    std::size_t used = 0;
    const std::string error = detail::ParseOne(rest, head, *parser, used);
    if (!error.empty()) {
      return error;
    }
    if (head && parser->is_done() && used < rest.size() && rest.substr(used, 5) != "HTTP/") {
      return "the answer to a HEAD request has a body (or streams)";
    }
    if (!parser->is_header_done()) {
      return parser->got_some() ? "response cut in its header" : "";
    }
    boost::beast::error_code ec;
    if (!parser->is_done()) {
      parser->put_eof(ec);  // a body that runs to the end of the connection, or cut by the budget
    }
    const auto& res = parser->get();
    const unsigned status = res.result_int();
    if (on_status) {
      on_status(status);
    }
    if (status == 500) {
      return "status 500: " + res.body().substr(0, 300);
    }
    if (!DocumentedStatus(status)) {
      return "undocumented status " + std::to_string(status);
    }
    if (HasDatabaseText(res.body(), request)) {
      return "database text in a body: " + res.body().substr(0, 300);
    }
    if (require_utf8 && !core::IsValidUtf8(res.body())) {
      return "body is not valid UTF-8: " + res.body().substr(0, 300);
    }
    if (!parser->is_done()) {
      return "";
    }
    if (status != 100) {
      ++index;
    }
    rest.remove_prefix(used);
  }
  return "";
}

}  // namespace vik::fuzz
