#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>

#include "core/json_text.h"
#include "core/rfc3339_time.h"
#include "core/utf8.h"

namespace vigie {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kHuman};

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("vigie");
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    return l;
  }();
  return logger;
}

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

spdlog::level::level_enum ToSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view event,
                          std::initializer_list<LogField> fields) {
  std::string line;
  if (format == LogFormat::kJson) {
    line = "{\"ts\":";
    AppendJsonText(line, Rfc3339Millis(std::chrono::system_clock::now()));
    line += ",\"level\":";
    AppendJsonText(line, LevelName(level));
    line += ",\"event\":";
    AppendJsonText(line, event);
    for (const auto& f : fields) {
      line += ',';
      AppendJsonText(line, f.key);
      line += ':';
      AppendJsonText(line, f.value);
    }
    line += '}';
  } else {
    line = Rfc3339Millis(std::chrono::system_clock::now()) + " " + std::string(LevelName(level)) +
           " " + std::string(event);
    for (const auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      // Quoted whenever it is not plain printable ASCII, and then made safe
      // to show (controls, C1 and bidirectional marks as '?'), so no value
      // can start a line of its own or send a terminal a control.
      const bool quote = f.value.empty() || std::ranges::any_of(f.value, [](char c) {
                           const auto byte = static_cast<unsigned char>(c);
                           return byte <= ' ' || byte >= 0x7F || c == '"' || c == '=';
                         });
      if (quote) {
        AppendJsonText(line, DisplaySafe(f.value, f.value.size()));
      } else {
        line += f.value;
      }
    }
  }
  return line;
}

void InitLogging(LogFormat format, std::string_view level) {
  g_format = format;
  LogLevel l = LogLevel::kInfo;
  for (LogLevel c : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                     LogLevel::kError, LogLevel::kOff}) {
    if (LevelName(c) == level) l = c;
  }
  Logger()->set_level(ToSpd(l));
}

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  auto logger = Logger();
  if (!logger->should_log(ToSpd(level))) return;
  logger->log(ToSpd(level), FormatLogLine(g_format.load(), level, event, fields));
}

}  // namespace vigie
