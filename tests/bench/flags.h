#pragma once

// Command-line input of the benchmark programs: "--name value" flags (one parser for all of them)
// and token files.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vik::bench {

using Flags = std::map<std::string, std::function<void(const std::string&)>>;

// Applies argv[first..argc) to `flags`. --help/-h prints `help` and exits 0. An unknown flag, a
// missing value or a value its setter throws on prints the reason (prefixed with `program`) and
// returns false.
bool ParseFlags(int argc, char** argv, int first, const Flags& flags, const char* program, const char* help);

// The mode of a "PROGRAM MODE [ARGS...]" command line (argv[1]). --help/-h prints `help` and exits 0;
// no mode prints `help` to stderr and returns nullopt. For `mode_with_files` (e.g. "report"), the
// arguments after the mode go to `files` instead of being flags.
std::optional<std::string> ParseMode(int argc, char** argv, const char* help, const std::string& mode_with_files,
                                     std::vector<std::string>& files);

// The first line of the file at `path` (a bearer token written by the bench scripts); throws
// std::runtime_error when it is empty or missing.
std::string ReadToken(const std::string& path);

}  // namespace vik::bench
