#include "bench/flags.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <stdexcept>

namespace vik::bench {

bool ParseFlags(int argc, char** argv, int first, const Flags& flags, const char* program, const char* help) {
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(help, stdout);
      std::exit(0);
    }
    auto it = flags.find(arg);
    if (it == flags.end() || i + 1 >= argc) {
      std::fprintf(stderr, "%s: %s %s\n%s", program, it == flags.end() ? "unknown flag" : "missing value for",
                   arg.c_str(), help);
      return false;
    }
    try {
      it->second(argv[++i]);
    } catch (const std::exception&) {
      std::fprintf(stderr, "%s: %s: bad value \"%s\"\n", program, arg.c_str(), argv[i]);
      return false;
    }
  }
  return true;
}

std::optional<std::string> ParseMode(int argc, char** argv, const char* help, const std::string& mode_with_files,
                                     std::vector<std::string>& files) {
  if (argc < 2) {
    std::fputs(help, stderr);
    return std::nullopt;
  }
  const std::string mode = argv[1];
  if (mode == "--help" || mode == "-h") {
    std::fputs(help, stdout);
    std::exit(0);
  }
  if (mode == mode_with_files) {
    files.assign(argv + 2, argv + argc);
  }
  return mode;
}

std::string ReadToken(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  if (token.empty()) {
    throw std::runtime_error("no token in " + path);
  }
  return token;
}

}  // namespace vik::bench
