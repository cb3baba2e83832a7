#pragma once

// Structured logging on top of spdlog: one named logger per module ("http", "store", ...), all
// writing to stderr through one sink, each line either key=value or one JSON object:
//
//   ts=2026-11-25T03:19:43.123Z level=info module=http msg="listening" addr=127.0.0.1:8080
//   {"ts":"2026-11-25T03:19:43.123Z","level":"info","module":"http","msg":"listening","addr":"..."}
//
// Never log secrets (tokens, passwords, full DSNs): use RedactDsn() for connection strings.
// Thread-safety: every function here is safe for concurrent use.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace vik::core {

enum class LogFormat { kKeyValue, kJson };

// Configures the sink, level and format of every module logger. Call once at start-up, before
// threads start; later calls reconfigure existing loggers.
void SetupLogging(spdlog::level::level_enum level, LogFormat format);

// The named module logger, created on first use.
std::shared_ptr<spdlog::logger> ModuleLogger(const std::string& module);

// One key=value field of a log event.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, unsigned v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, std::uint64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, double v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}

  std::string_view key;
  std::string value;
  bool quoted;
};

// Logs `msg` with fields at `level`, formatted per SetupLogging's format.
void LogEvent(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
              std::initializer_list<LogField> fields = {});

inline void LogInfo(spdlog::logger& l, std::string_view m, std::initializer_list<LogField> f = {}) {
  LogEvent(l, spdlog::level::info, m, f);
}
inline void LogWarn(spdlog::logger& l, std::string_view m, std::initializer_list<LogField> f = {}) {
  LogEvent(l, spdlog::level::warn, m, f);
}
inline void LogError(spdlog::logger& l, std::string_view m, std::initializer_list<LogField> f = {}) {
  LogEvent(l, spdlog::level::err, m, f);
}
inline void LogDebug(spdlog::logger& l, std::string_view m, std::initializer_list<LogField> f = {}) {
  LogEvent(l, spdlog::level::debug, m, f);
}

// Parses "trace", "debug", "info", "warn", "error", "critical", "off".
bool ParseLogLevel(std::string_view text, spdlog::level::level_enum& out);

}  // namespace vik::core
