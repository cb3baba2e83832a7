#pragma once

// CAP index feeds: Atom 1.0 (`feed/entry`) and RSS 2.0 (`rss/channel/item`) as MeteoAlarm and
// national weather services publish them, and a plain CAP document (root `alert`, a feed of one).
// The bytes are untrusted: the same pre-scan as the CAP parser (cap/xml_prescan.h) refuses DOCTYPE
// and markup declarations, NUL bytes and oversized structures before pugixml builds a tree without
// DOCTYPE support, so no entity is ever declared, expanded or fetched.
//
// Each entry gives an id, its version (Atom <updated>, else <published>; RSS <pubDate>), a title,
// the link to its CAP document ("thin" entry) and/or the CAP alert inlined in the entry ("fat"
// entry: an `alert` element in Atom <content> or in an RSS <item>; directly in an Atom <entry> only
// when the entry has no link, since the US NWS index puts a summary pseudo-alert there). Inline alerts are
// re-serialised as standalone documents (namespace declarations of ancestors copied onto the
// <alert>), so an XML signature over the original bytes does not survive; vik does not verify them.
//
// Refused (INVALID_ARGUMENT, the reason names the entry): wrong root, an Atom entry without <id> or
// <title>, an RSS item without <guid>/<link> or <title>, an entry with neither a link nor an inline
// alert, a CAP <alert> outside any entry. Text fields with invalid UTF-8 (feeds that declare UTF-8
// but send Latin-1) are accepted with the bad bytes replaced by U+FFFD. Pure, no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vik::cap {

enum class FeedKind { kAtom, kRss, kCap };

struct FeedEntry {
  std::string id;       // Atom <id>, RSS <guid> (else <link>), CAP <identifier>
  std::string updated;  // as written; may be empty
  std::string title;
  std::string link;                       // the CAP document; empty when only inline
  std::optional<std::string> inline_cap;  // a standalone CAP document

  // Identifies this version of the entry: a changed <updated> is a new version to ingest.
  std::string Key() const { return updated.empty() ? id : id + "\n" + updated; }
};

struct Feed {
  FeedKind kind = FeedKind::kAtom;
  std::string id;
  std::string title;
  std::vector<FeedEntry> entries;  // in document order
};

struct FeedLimits {
  std::size_t max_bytes = 8 << 20;
  std::size_t max_depth = 48;
  std::size_t max_elements = 400000;
  std::size_t max_attributes = 64;
  std::size_t max_entries = 10000;
};

core::Result<Feed> ParseFeed(std::string_view bytes, const FeedLimits& limits = {});

const char* Name(FeedKind kind);

}  // namespace vik::cap
