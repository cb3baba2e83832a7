#pragma once

// Untrusted text on its way out (error bodies, log lines) and on its way in (paths, query
// parameters). The one escaping function of the server is AppendJsonString: every error body and
// every log field goes through it, so both are valid UTF-8 and valid JSON whatever bytes a client
// sent. Pure.

#include <optional>
#include <string>
#include <string_view>

namespace vik::core {

// Appends `s` as a JSON string literal, quotes included: '"' and '\' escaped, control characters
// (U+0000-U+001F, U+007F) as \n, \r, \t or \u00XX, and each byte that does not start a well-formed
// UTF-8 sequence replaced by U+FFFD. The result is valid UTF-8 and valid JSON for any input.
void AppendJsonString(std::string& out, std::string_view s);
std::string JsonString(std::string_view s);

// True when AppendJsonString would change `s` beyond quoting it: a control character, '"', '\' or
// bytes that are not UTF-8.
bool NeedsJsonEscaping(std::string_view s);

// Why `s` is not acceptable as text that vik stores, echoes or matches on: "is not valid UTF-8" or
// "contains the control character U+00XX" (NUL and the other C0 controls, DEL). nullopt when fine.
std::optional<std::string> TextProblem(std::string_view s);

}  // namespace vik::core
