#pragma once

// A synthetic year of signal history for the risk-picture benchmark (docs/performance.md, "Risk
// picture"): rows for the `signals` table (migrations 0003 and 0005) as COPY text, spread over the
// region's sources, themes and municipalities. Row n is a pure function of (seed, n, now), so a load
// can be split or repeated.
//
// Rows 0 .. total-current-1 are history: received evenly over the year before `now` (in order of n),
// so most of them ended long ago; the last hours of it are in effect, as in a live region. Rows
// total-current .. total-1 were received in the 5 hours before `now` and are in effect or upcoming
// at `now` unless ended, so that the picture has content at every size.
//
// The mix (weights in history.cc): kinds incident 40%, observation 25%, warning 25%, forecast 10%;
// CAP status actual 97%, exercise 2%, test 1%; state active 93%, superseded 5%, cancelled 2%;
// 88% alerts, 10% updates, 2% cancels; warnings and forecasts are mostly weather (1.3, 1.1) and often
// region-wide; sources are skewed (a few busy feeds, many quiet ones). refs are '[]' (updates and
// cancels do not name what they end; their `state` is what the engine reads).
// Thread-safety: AppendCopyLine is const and safe for concurrent use.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vik::bench {

// The columns AppendCopyLine writes, in this order; `id` takes its default.
inline constexpr const char* kHistoryColumns =
    "source, external_id, content_hash, msg_type, status, kind, categories, theme, urgency, severity, "
    "certainty, sent_at, onset_at, expires_at, municipalities, headline, refs, payload, received_at, "
    "received_by, partner, state, ended_at, ended_by";

struct HistorySource {
  std::string id;
  std::string partner;
};

struct HistoryTheme {
  std::string code;          // leaf crisis-type code, e.g. "1.3"
  std::string label;         // for headlines
  std::string cap_category;  // lowercase CAP category as stored ("met"); "other" when none
};

// What the rows may name. REQUIRES: every vector non-empty; codes valid for the region.
struct HistoryReference {
  std::vector<HistorySource> sources;
  std::vector<HistoryTheme> themes;
  std::vector<std::string> municipalities;  // current CBS codes of the region
};

struct HistorySpec {
  std::uint64_t total = 0;    // rows
  std::uint64_t current = 0;  // of which recent (<= total)
  std::chrono::system_clock::time_point now;
  std::uint64_t seed = 1;
  std::string prefix = "hist";  // external_id = prefix + "-" + n
  std::string received_by = "bench-loader";
};

class HistoryGenerator {
 public:
  HistoryGenerator(HistoryReference reference, HistorySpec spec);

  // Appends row n (0 <= n < total) as one line of COPY text (kHistoryColumns, tab-separated, "\N" for
  // null, newline-terminated).
  void AppendCopyLine(std::uint64_t n, std::string& out) const;

  const HistorySpec& spec() const { return spec_; }

 private:
  const HistoryReference reference_;
  const HistorySpec spec_;
  std::vector<std::size_t> theme_draw_;  // theme indexes, repeated by weight
  std::vector<std::size_t> weather_;     // indexes of 1.3 and 1.1 (may be empty)
};

}  // namespace vik::bench
