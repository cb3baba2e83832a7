#include "app/cli.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "app/admin.h"
#include "app/build_info.h"
#include "app/config.h"
#include "app/runtime.h"
#include "core/logging.h"

namespace vik::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void PrintHelp() {
  std::string out =
      "vikd - the regional safety information hub (VIK)\n"
      "\n"
      "Usage:\n"
      "  vikd serve   [flags]   run the hub (HTTP + gRPC) until SIGTERM/SIGINT\n"
      "  vikd migrate [flags]   apply pending database migrations and exit\n"
      "  vikd version           print version and library versions\n"
      "  vikd partner add NAME                          register a partner organisation\n"
      "  vikd source add ID --partner NAME [--interval 15m]\n"
      "                                                 register a source (expected reporting interval)\n"
      "  vikd source list                               list sources\n"
      "  vikd token issue --partner NAME --scopes ingest,read,analyst,admin\n"
      "                                                 issue a token; the secret is printed once\n"
      "  vikd token revoke ID                           revoke a token (all instances within seconds)\n"
      "  vikd token list                                list tokens (ids, never secrets)\n"
      "  vikd feed add NAME URL --partner NAME [--interval 60s] [--allow-hosts HOST,*.DOMAIN]\n"
      "                                                 poll a CAP feed (Atom, RSS or a CAP URL) on the leader;\n"
      "                                                 its alerts' senders must be sources of the partner; entry\n"
      "                                                 links are fetched from the feed's origin and these hosts\n"
      "  vikd feed list                                 list CAP feeds with their polling state\n"
      "  vikd feed remove NAME                          stop polling a feed (its ingested alerts stay)\n"
      "  vikd subscription list                         list webhook subscriptions with their delivery counts\n"
      "  vikd subscription remove ID                    delete a subscription and its deliveries\n"
      "  vikd reference load DIR                        load the region's reference data files (*.tsv, e.g.\n"
      "                                                 deploy/reference/vr21): regions, municipalities, themes,\n"
      "                                                 CAP category themes, impact and likelihood classes, GRIP\n"
      "                                                 levels, crisis phases; inserted or updated, never deleted\n"
      "  Admin commands take the same --db / --config settings as serve.\n"
      "  vikd help | --help     this text\n"
      "\n"
      "Flags:\n"
      "  --config FILE          read settings from FILE (see deploy/vikd.conf.example)\n"
      "  --set KEY=VALUE        set any setting below, e.g. --set http.max_connections=256\n";
  const auto settings = DescribeSettings();
  for (const auto& s : settings) {
    if (s.flag.empty()) {
      continue;
    }
    std::string left = "  " + s.flag + " VALUE";
    left.resize(std::max<std::size_t>(left.size() + 1, 25), ' ');
    out += left + "same as --set " + s.key + "=VALUE\n";
  }
  out += "\nSettings (config file keys; flags override the file):\n";
  for (const auto& s : settings) {
    out += "  " + s.key + " (default " + (s.default_value.empty() ? "\"\"" : s.default_value) + ")\n      " + s.help +
           "\n";
  }
  out += "\nExit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.\n";
  std::fputs(out.c_str(), stdout);
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "vikd: %s\n", message.c_str());
  return kExitUsage;
}

struct Parsed {
  std::string command;
  std::vector<std::string> args;             // positionals after the command
  std::map<std::string, std::string> admin;  // --partner, --scopes, --interval
  std::string config_file;
  std::vector<std::pair<std::string, std::string>> settings;  // in command-line order
  bool help = false;
};

// Splits argv into the command, --config, and settings from flags. Errors name the flag.
core::Result<Parsed> ParseArgs(int argc, char** argv) {
  std::map<std::string, std::string> flag_to_key;
  for (const auto& s : DescribeSettings()) {
    if (!s.flag.empty()) {
      flag_to_key[s.flag] = s.key;
    }
  }
  Parsed p;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      p.help = true;
      continue;
    }
    if (arg == "--version") {
      p.command = "version";
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      if (p.command.empty()) {
        p.command = arg;
      } else {
        p.args.push_back(arg);
      }
      continue;
    }
    std::string value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const bool admin_flag = arg == "--partner" || arg == "--scopes" || arg == "--interval" || arg == "--allow-hosts";
    const bool known = arg == "--config" || arg == "--set" || admin_flag || flag_to_key.count(arg) > 0;
    if (!known) {
      return core::InvalidArgument("unknown flag " + arg + " (see vikd --help)");
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        return core::InvalidArgument(arg + ": missing value");
      }
      value = argv[++i];
    }
    if (admin_flag) {
      p.admin[arg.substr(2)] = value;
    } else if (arg == "--config") {
      p.config_file = value;
    } else if (arg == "--set") {
      const auto eq = value.find('=');
      if (eq == std::string::npos || eq == 0) {
        return core::InvalidArgument("--set: expected KEY=VALUE, got \"" + value + "\"");
      }
      p.settings.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else {
      p.settings.emplace_back(flag_to_key[arg], value);
    }
  }
  return p;
}

core::Result<Config> LoadConfig(const Parsed& p, bool require_db) {
  Config config;
  if (!p.config_file.empty()) {
    if (core::Status s = ApplyConfigFile(config, p.config_file); !s.ok()) {
      return s;
    }
  }
  for (const auto& [key, value] : p.settings) {
    if (core::Status s = ApplySetting(config, key, value); !s.ok()) {
      return s;
    }
  }
  if (core::Status s = FinalizeConfig(config, require_db); !s.ok()) {
    return s;
  }
  return config;
}

int Migrate(const Config& config) {
  core::SetupLogging(config.log.level, config.log.format);
  auto log = core::ModuleLogger("app");
  prometheus::Registry registry;
  store::StoreOptions options = config.store;
  options.applied_by = std::string("vikd ") + Version() + " " + config.node_id;
  options.connection.application_name = "vikd-migrate/" + config.node_id;
  auto store = store::Store::Open(options, registry);
  if (!store.ok()) {
    std::fprintf(stderr, "vikd: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  auto applied = (*store)->Migrate();
  if (!applied.ok()) {
    std::fprintf(stderr, "vikd: migrate failed: %s\n", applied.status().ToString().c_str());
    return kExitFailure;
  }
  std::printf("applied %d migration(s); schema is at version %d\n", *applied, (*store)->LatestSchemaVersion());
  return kExitOk;
}

}  // namespace

int RunCli(int argc, char** argv) {
  auto parsed = ParseArgs(argc, argv);
  if (!parsed.ok()) {
    return UsageError(parsed.status().message());
  }
  const Parsed& p = *parsed;
  if (p.help || p.command.empty() || p.command == "help") {
    PrintHelp();
    return p.command.empty() && !p.help ? kExitUsage : kExitOk;
  }
  if (p.command == "version") {
    std::printf("%s\n", VersionLine().c_str());
    return kExitOk;
  }
  const bool admin = p.command == "partner" || p.command == "source" || p.command == "token" || p.command == "feed" ||
                     p.command == "subscription" || p.command == "reference";
  if (p.command != "serve" && p.command != "migrate" && !admin) {
    return UsageError(
        "unknown command \"" + p.command +
        "\" (expected serve, migrate, partner, source, token, feed, subscription, reference, version or help)");
  }
  if (!admin && !p.args.empty()) {
    return UsageError("unexpected argument \"" + p.args.front() + "\" after " + p.command);
  }
  if (!admin && !p.admin.empty()) {
    return UsageError("--" + p.admin.begin()->first + " applies to the partner, source, token and feed commands only");
  }
  auto config = LoadConfig(p, /*require_db=*/true);
  if (!config.ok()) {
    return UsageError(config.status().message());
  }
  if (p.command == "migrate") {
    return Migrate(*config);
  }
  if (admin) {
    return RunAdmin(*config, p.command, p.args, p.admin);
  }
  core::SetupLogging(config->log.level, config->log.format);
  Runtime runtime(std::move(config).value());
  return runtime.Serve();
}

}  // namespace vik::app
