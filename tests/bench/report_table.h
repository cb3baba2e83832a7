#pragma once

// The tables the benchmark programs print at the end of a run (vik_picture_bench report,
// vik_federation_bench report): the JSON files each measurement wrote, grouped into one column per
// run size, and rows that pick and format a figure. Missing files or fields show as "-".

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vik::bench {

// The files of one column, by kind ("status", "push", ...).
using ReportFiles = std::map<std::string, nlohmann::json>;
// Columns by their key (signals stored, regions), in ascending order.
using ReportColumns = std::map<long long, ReportFiles>;

struct ReportRow {
  std::string label;
  std::function<std::string(const ReportFiles&)> cell;
};

// Reads each file and files it under column j[key_field] and kind `kind_of(j)`. A file that cannot be
// read or parsed is named on stderr (prefixed with `program`) and makes the result 1; else 0.
int ReadReportFiles(const std::vector<std::string>& files, const char* program, const std::string& key_field,
                    const std::function<std::string(const nlohmann::json&)>& kind_of, ReportColumns& out);

// `j` at the path of keys ("a.b.c"); null when any part is missing.
nlohmann::json JsonAt(const nlohmann::json& j, const std::string& path);

// `v` x `scale` with `decimals` decimals (thousands separators for large whole numbers); "-" when `v`
// is not a number.
std::string FormatNumber(const nlohmann::json& v, int decimals, double scale = 1);

// The figure at `path` of the file of kind `file`.
ReportRow ReportField(std::string label, std::string file, std::string path, int decimals, double scale = 1);

// Several figures of the file of kind `file`, formatted alike and joined with " / ".
ReportRow ReportFields(std::string label, std::string file, std::vector<std::string> paths, int decimals,
                       double scale = 1);

// A row with a label and empty cells.
ReportRow ReportHeading(std::string label);

// "AMD EPYC" from /proc/cpuinfo; "" when unknown.
std::string CpuModel();

// Prints `title` with the CPU count and model, a header line (`key_label` and each column's key),
// then each row with a cell per column.
void PrintReportTable(const std::string& title, const std::string& key_label, const ReportColumns& columns,
                      const std::vector<ReportRow>& rows);

}  // namespace vik::bench
