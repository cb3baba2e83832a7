#include "core/logging.h"

#include <atomic>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "core/text.h"

namespace vik::core {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kKeyValue};
std::atomic<spdlog::level::level_enum> g_level{spdlog::level::info};

std::string PatternFor(LogFormat format) {
  if (format == LogFormat::kJson) {
    return R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","module":"%n",%v})";
  }
  return "ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l module=%n %v";
}

std::mutex& SinkMutex() {
  static std::mutex m;
  return m;
}

spdlog::sink_ptr& SharedSink() {
  static spdlog::sink_ptr sink = [] {
    spdlog::sink_ptr s = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    s->set_formatter(
        std::make_unique<spdlog::pattern_formatter>(PatternFor(LogFormat::kKeyValue), spdlog::pattern_time_type::utc));
    return s;
  }();
  return sink;
}

// Bare words stay bare; anything empty or with spaces, '=', quotes, control characters or bytes that
// are not UTF-8 is written as a JSON string (which doubles as logfmt quoting).
bool NeedsQuotes(std::string_view s) {
  if (s.empty() || NeedsJsonEscaping(s)) {
    return true;
  }
  for (char c : s) {
    if (c == ' ' || c == '=') {
      return true;
    }
  }
  return false;
}

void AppendKvValue(std::string& out, std::string_view s) {
  if (NeedsQuotes(s)) {
    AppendJsonString(out, s);
  } else {
    out += s;
  }
}

}  // namespace

void SetupLogging(spdlog::level::level_enum level, LogFormat format) {
  g_format = format;
  g_level = level;
  std::lock_guard lock(SinkMutex());
  SharedSink()->set_formatter(
      std::make_unique<spdlog::pattern_formatter>(PatternFor(format), spdlog::pattern_time_type::utc));
  spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

std::shared_ptr<spdlog::logger> ModuleLogger(const std::string& module) {
  std::lock_guard lock(SinkMutex());
  if (auto existing = spdlog::get(module)) {
    return existing;
  }
  auto logger = std::make_shared<spdlog::logger>(module, SharedSink());
  logger->set_level(g_level.load());
  logger->flush_on(spdlog::level::info);

  spdlog::register_logger(logger);
  return logger;
}

void LogEvent(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
              std::initializer_list<LogField> fields) {
  if (!logger.should_log(level)) {
    return;
  }
  std::string line;
  line.reserve(64 + msg.size() + fields.size() * 24);
  if (g_format.load() == LogFormat::kJson) {
    line += "\"msg\":";
    AppendJsonString(line, msg);
    for (const auto& f : fields) {
      line += ',';
      AppendJsonString(line, f.key);
      line += ':';
      if (f.quoted) {
        AppendJsonString(line, f.value);
      } else {
        line += f.value;
      }
    }
  } else {
    line += "msg=";
    AppendJsonString(line, msg);
    for (const auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      AppendKvValue(line, f.value);
    }
  }
  logger.log(level, "{}", line);
}

bool ParseLogLevel(std::string_view text, spdlog::level::level_enum& out) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug}, {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},   {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
      {"off", spdlog::level::off}};
  for (const auto& [name, level] : kLevels) {
    if (name == text) {
      out = level;
      return true;
    }
  }
  return false;
}

}  // namespace vik::core
