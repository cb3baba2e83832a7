#pragma once

// The region's reference data as data files (deploy/reference/<region>/*.tsv, see its README.md):
// tab-separated, a header row naming the columns, one row per line. Parsing and checking is pure;
// `vikd reference load` reads the files and the store writes the rows in one transaction.
// Every file is optional, but a file that is present must be valid as a whole: errors name the
// file and line ("municipalities.tsv:4: gm_code \"GM79\" is not GMnnnn").

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace vik::domain {

struct RegionRow {
  std::string code;  // VRnn
  int nr = 0;
  std::string name;
  std::string province;
};

struct MunicipalityRow {
  std::string gm_code;
  std::string name;
  std::string region;
  std::string valid_from;  // YYYY-MM-DD or empty
  std::string valid_to;
  std::string successor;  // gm_code or empty
};

struct ThemeRow {
  std::string code;
  std::string label;
  std::string parent;        // empty for a top-level theme
  std::string cap_category;  // empty or a CAP 1.2 category
};

struct CapCategoryThemeRow {
  std::string cap_category;
  std::string theme;
};

struct ClassRow {  // impact_classes.tsv (label_nl, label_en) and likelihood_classes.tsv
  std::string code;
  std::string label_nl;
  std::string label_en;     // impact only
  std::string chance;       // likelihood only
  std::string description;  // likelihood only
};

struct OrderedRow {  // grip_levels.tsv, crisis_phases.tsv
  std::string code;
  int ordinal = 0;
  std::string label;
  std::string description;
};

struct ReferenceTables {
  std::vector<RegionRow> regions;
  std::vector<MunicipalityRow> municipalities;
  std::vector<ThemeRow> themes;
  std::vector<CapCategoryThemeRow> cap_category_themes;
  std::vector<ClassRow> impact_classes;
  std::vector<ClassRow> likelihood_classes;
  std::vector<OrderedRow> grip_levels;
  std::vector<OrderedRow> crisis_phases;

  std::size_t rows() const;
};

// The file names `ParseReferenceFiles` knows, in load order.
const std::vector<std::string>& ReferenceFileNames();

// `files`: file name -> contents, for the files present. INVALID_ARGUMENT naming file and line for
// an unknown file name, a wrong header, a malformed value or a duplicate key. References between
// files (a municipality's region, a theme's parent) are checked when the referenced file is
// present too; otherwise the database's foreign keys decide when the rows are written.
core::Result<ReferenceTables> ParseReferenceFiles(const std::map<std::string, std::string>& files);

}  // namespace vik::domain
