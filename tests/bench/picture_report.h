#pragma once

// The report of the risk-picture benchmark: reads the JSON files that vik_picture_loader and
// vik_picture_bench (status, ingest) wrote, and prints every figure in one table with a column per
// size. Missing files or fields show as "-".

#include <string>
#include <vector>

namespace vik::bench {

// Prints the table to stdout. Returns 1 when a file cannot be read or parsed (it is named on stderr),
// else 0.
int PrintPictureReport(const std::vector<std::string>& files);

}  // namespace vik::bench
