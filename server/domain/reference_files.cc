#include "domain/reference_files.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

namespace vik::domain {
namespace {

using Row = std::vector<std::string>;

// One parsed file: its rows (fields by column) with their line numbers.
struct Table {
  std::string file;
  std::vector<std::pair<int, Row>> rows;
};

core::Status Bad(const std::string& file, int line, const std::string& what) {
  return core::InvalidArgument(file + ":" + std::to_string(line) + ": " + what);
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) {
      return out;
    }
    start = tab + 1;
  }
}

core::Result<Table> ReadTable(const std::string& file, const std::string& text, const Row& header) {
  Table t{file, {}};
  std::istringstream in(text);
  std::string line;
  int number = 0;
  bool seen_header = false;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.empty() || line[0] == '#') {
      continue;
    }
    Row fields = SplitTabs(line);
    if (!seen_header) {
      if (fields != header) {
        std::string expected;
        for (const auto& h : header) {
          expected += (expected.empty() ? "" : ", ") + h;
        }
        return Bad(file, number, "the header must name the columns " + expected + " (tab-separated)");
      }
      seen_header = true;
      continue;
    }
    if (fields.size() != header.size()) {
      return Bad(file, number,
                 "has " + std::to_string(fields.size()) + " columns, expected " + std::to_string(header.size()));
    }
    t.rows.emplace_back(number, std::move(fields));
  }
  if (!seen_header) {
    return Bad(file, 1, "is empty (a header row is required)");
  }
  return t;
}

bool Matches(const std::string& value, const char* pattern) { return std::regex_match(value, std::regex(pattern)); }

std::optional<int> Int(const std::string& s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

// Checks a key column for format and uniqueness.
core::Status Key(const Table& t, int line, const std::string& column, const std::string& value, const char* pattern,
                 const char* form, std::set<std::string>& seen) {
  if (!Matches(value, pattern)) {
    return Bad(t.file, line, column + " \"" + value + "\" is not " + form);
  }
  if (!seen.insert(value).second) {
    return Bad(t.file, line, column + " \"" + value + "\" is listed twice");
  }
  return core::Status::Ok();
}

core::Status Required(const Table& t, int line, const std::string& column, const std::string& value) {
  return value.empty() ? Bad(t.file, line, column + " is required") : core::Status::Ok();
}

const std::set<std::string>& CapCategories() {
  static const std::set<std::string> k = {"Geo",    "Met", "Safety",    "Security", "Rescue", "Fire",
                                          "Health", "Env", "Transport", "Infra",    "CBRNE",  "Other"};
  return k;
}

constexpr const char* kDate = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$";

}  // namespace

std::size_t ReferenceTables::rows() const {
  return regions.size() + municipalities.size() + themes.size() + cap_category_themes.size() + impact_classes.size() +
         likelihood_classes.size() + grip_levels.size() + crisis_phases.size();
}

const std::vector<std::string>& ReferenceFileNames() {
  static const std::vector<std::string> k = {
      "regions.tsv",        "municipalities.tsv",     "themes.tsv",      "cap_category_themes.tsv",
      "impact_classes.tsv", "likelihood_classes.tsv", "grip_levels.tsv", "crisis_phases.tsv"};
  return k;
}

core::Result<ReferenceTables> ParseReferenceFiles(const std::map<std::string, std::string>& files) {
  for (const auto& [name, text] : files) {
    const auto& known = ReferenceFileNames();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return core::InvalidArgument(name +
                                   ": not a reference file (expected one of regions.tsv, municipalities.tsv, "
                                   "themes.tsv, cap_category_themes.tsv, impact_classes.tsv, "
                                   "likelihood_classes.tsv, grip_levels.tsv, crisis_phases.tsv)");
    }
  }
  ReferenceTables out;
  auto read = [&files](const std::string& name, const Row& header) -> core::Result<std::optional<Table>> {
    auto it = files.find(name);
    if (it == files.end()) {
      return std::optional<Table>();
    }
    auto t = ReadTable(name, it->second, header);
    if (!t.ok()) {
      return t.status();
    }
    return std::optional<Table>(std::move(t).value());
  };
#define VIK_TRY(expr)         \
  do {                        \
    core::Status s_ = (expr); \
    if (!s_.ok()) return s_;  \
  } while (false)

  std::set<std::string> regions;
  auto region_file = read("regions.tsv", {"code", "nr", "name", "province"});
  if (!region_file.ok()) return region_file.status();
  if (*region_file) {
    const Table& t = **region_file;
    for (const auto& [line, r] : t.rows) {
      VIK_TRY(Key(t, line, "code", r[0], "^VR[0-9]{2}$", "VRnn", regions));
      const auto nr = Int(r[1]);
      if (!nr || *nr < 1 || *nr > 99) {
        return Bad(t.file, line, "nr \"" + r[1] + "\" is not a number from 1 to 99");
      }
      VIK_TRY(Required(t, line, "name", r[2]));
      out.regions.push_back({r[0], *nr, r[2], r[3]});
    }
  }

  std::set<std::string> municipalities;
  auto municipality_file =
      read("municipalities.tsv", {"gm_code", "name", "region", "valid_from", "valid_to", "successor"});
  if (!municipality_file.ok()) return municipality_file.status();
  if (*municipality_file) {
    const Table& t = **municipality_file;
    for (const auto& [line, r] : t.rows) {
      VIK_TRY(Key(t, line, "gm_code", r[0], "^GM[0-9]{4}$", "GMnnnn", municipalities));
      VIK_TRY(Required(t, line, "name", r[1]));
      if (!Matches(r[2], "^VR[0-9]{2}$")) {
        return Bad(t.file, line, "region \"" + r[2] + "\" is not VRnn");
      }
      if (*region_file && regions.count(r[2]) == 0) {
        return Bad(t.file, line, "region \"" + r[2] + "\" is not in regions.tsv");
      }
      for (int c : {3, 4}) {
        if (!Matches(r[static_cast<std::size_t>(c)], kDate)) {
          return Bad(t.file, line,
                     std::string(c == 3 ? "valid_from" : "valid_to") + " \"" + r[static_cast<std::size_t>(c)] +
                         "\" is not YYYY-MM-DD");
        }
      }
      if (!r[3].empty() && !r[4].empty() && r[4] < r[3]) {
        return Bad(t.file, line, "valid_to is before valid_from");
      }
      out.municipalities.push_back({r[0], r[1], r[2], r[3], r[4], r[5]});
    }
    for (const auto& [line, r] : t.rows) {
      if (!r[5].empty() && municipalities.count(r[5]) == 0) {
        return Bad(t.file, line, "successor \"" + r[5] + "\" is not in municipalities.tsv");
      }
    }
  }

  std::set<std::string> themes;
  auto theme_file = read("themes.tsv", {"code", "label", "parent", "cap_category"});
  if (!theme_file.ok()) return theme_file.status();
  if (*theme_file) {
    const Table& t = **theme_file;
    for (const auto& [line, r] : t.rows) {
      VIK_TRY(Key(t, line, "code", r[0], "^[1-9][0-9]?(\\.[0-9]{1,2}){0,2}$", "a theme code such as 1, 1.3 or 1.3.20",
                  themes));
      VIK_TRY(Required(t, line, "label", r[1]));
      if (!r[3].empty() && CapCategories().count(r[3]) == 0) {
        return Bad(t.file, line, "cap_category \"" + r[3] + "\" is not a CAP 1.2 category");
      }
      out.themes.push_back({r[0], r[1], r[2], r[3]});
    }
    for (const auto& [line, r] : t.rows) {
      if (!r[2].empty() && themes.count(r[2]) == 0) {
        return Bad(t.file, line, "parent \"" + r[2] + "\" is not a theme of this file");
      }
      if (!r[2].empty() && r[0].rfind(r[2] + ".", 0) != 0) {
        return Bad(t.file, line, "code \"" + r[0] + "\" does not extend its parent \"" + r[2] + "\"");
      }
    }
  }

  std::set<std::string> categories;
  auto cap_file = read("cap_category_themes.tsv", {"cap_category", "theme"});
  if (!cap_file.ok()) return cap_file.status();
  if (*cap_file) {
    const Table& t = **cap_file;
    for (const auto& [line, r] : t.rows) {
      if (CapCategories().count(r[0]) == 0) {
        return Bad(t.file, line, "cap_category \"" + r[0] + "\" is not a CAP 1.2 category");
      }
      if (!categories.insert(r[0]).second) {
        return Bad(t.file, line, "cap_category \"" + r[0] + "\" is listed twice");
      }
      if (*theme_file && themes.count(r[1]) == 0) {
        return Bad(t.file, line, "theme \"" + r[1] + "\" is not in themes.tsv");
      }
      out.cap_category_themes.push_back({r[0], r[1]});
    }
  }

  for (const bool impact : {true, false}) {
    const std::string name = impact ? "impact_classes.tsv" : "likelihood_classes.tsv";
    auto file =
        read(name, impact ? Row{"code", "label_nl", "label_en"} : Row{"code", "label_nl", "chance", "description"});
    if (!file.ok()) return file.status();
    if (!*file) {
      continue;
    }
    std::set<std::string> codes;
    const Table& t = **file;
    for (const auto& [line, r] : t.rows) {
      VIK_TRY(Key(t, line, "code", r[0], "^[A-E]$", "a class A to E", codes));
      VIK_TRY(Required(t, line, "label_nl", r[1]));
      ClassRow row;
      row.code = r[0];
      row.label_nl = r[1];
      if (impact) {
        row.label_en = r[2];
        out.impact_classes.push_back(std::move(row));
      } else {
        row.chance = r[2];
        row.description = r[3];
        out.likelihood_classes.push_back(std::move(row));
      }
    }
  }

  for (const bool grip : {true, false}) {
    const std::string name = grip ? "grip_levels.tsv" : "crisis_phases.tsv";
    auto file = read(name, {"code", "ordinal", "label", "description"});
    if (!file.ok()) return file.status();
    if (!*file) {
      continue;
    }
    std::set<std::string> codes;
    std::set<int> ordinals;
    const Table& t = **file;
    for (const auto& [line, r] : t.rows) {
      VIK_TRY(Key(t, line, "code", r[0], grip ? "^([0-9]|RIJK)$" : "^[a-z]{2,16}$",
                  grip ? "a GRIP level 0 to 9 or RIJK" : "a lower-case phase name", codes));
      const auto ordinal = Int(r[1]);
      if (!ordinal || *ordinal < 0) {
        return Bad(t.file, line, "ordinal \"" + r[1] + "\" is not a non-negative number");
      }
      if (!ordinals.insert(*ordinal).second) {
        return Bad(t.file, line, "ordinal " + r[1] + " is used twice");
      }
      VIK_TRY(Required(t, line, "label", r[2]));
      (grip ? out.grip_levels : out.crisis_phases).push_back({r[0], *ordinal, r[2], r[3]});
    }
  }
#undef VIK_TRY
  return out;
}

}  // namespace vik::domain
