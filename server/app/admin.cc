#include "app/admin.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include "auth/tokens.h"
#include "core/duration.h"
#include "core/time_format.h"
#include "domain/reference_files.h"
#include "store/store.h"

namespace vik::app {
namespace {

int Usage(const std::string& message) {
  std::fprintf(stderr, "vikd: %s\n", message.c_str());
  return 2;
}

int Failed(const std::string& what, const core::Status& s) {
  std::fprintf(stderr, "vikd: %s failed: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

store::AuditRecord CliAudit(const std::string& action, const nlohmann::json& object) {
  const char* user = std::getenv("SUDO_USER") != nullptr ? std::getenv("SUDO_USER") : std::getenv("USER");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return {std::string("cli:") + (user != nullptr ? user : std::to_string(getuid())), std::string("cli@") + host, action,
          object.dump(), "ok"};
}

std::string Flag(const std::map<std::string, std::string>& flags, const std::string& name) {
  auto it = flags.find(name);
  return it == flags.end() ? "" : it->second;
}

bool IsPartnerName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '_' || name[0] == '-') {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

// Text from the database as a terminal should see it: control characters (C0, DEL, and C1 in
// UTF-8) as \xNN, so that a stored name can never move the cursor, clear the screen or ring.
std::string Printable(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    const bool c1 = u == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(s[i + 1]) <= 0x9f;
    if (u < 0x20 || u == 0x7f || c1) {
      const auto shown = c1 ? static_cast<unsigned char>(s[++i]) : u;
      out += "\\x";
      out += kHex[shown >> 4];
      out += kHex[shown & 0xf];
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string Date(core::WallTime t) { return core::FormatRfc3339(t).substr(0, 19) + "Z"; }

}  // namespace

int RunAdmin(const Config& config, const std::string& command, const std::vector<std::string>& args,
             const std::map<std::string, std::string>& flags) {
  const std::string sub = args.empty() ? "" : args[0];
  prometheus::Registry registry;
  store::StoreOptions options = config.store;
  options.pool_size = 1;
  options.connection.application_name = "vikd-admin/" + config.node_id;
  auto opened = store::Store::Open(options, registry);
  if (!opened.ok()) {
    return Failed(command, opened.status());
  }
  store::Store& db = **opened;

  if (command == "partner" && sub == "add") {
    if (args.size() != 2 || !IsPartnerName(args[1])) {
      return Usage("usage: vikd partner add NAME (NAME: 1-64 of a-z 0-9 . _ -, starting with a letter or digit)");
    }
    if (auto s = db.AddPartner(args[1], CliAudit("partner.add", {{"partner", args[1]}})); !s.ok()) {
      return Failed("partner add", s);
    }
    std::printf("partner %s added\n", args[1].c_str());
    return 0;
  }
  if (command == "source" && sub == "add") {
    const std::string partner = Flag(flags, "partner");
    if (args.size() != 2 || partner.empty()) {
      return Usage("usage: vikd source add ID --partner NAME [--interval 15m]");
    }
    store::SourceRecord source{args[1], partner, std::nullopt};
    if (const std::string interval = Flag(flags, "interval"); !interval.empty()) {
      auto d = core::ParseDuration(interval);
      if (!d.ok() || d->count() < 1000) {
        return Usage("--interval: expected a duration of at least 1s such as 15m, got \"" + interval + "\"");
      }
      source.expected_interval_s = d->count() / 1000;
    }
    nlohmann::json object{{"source", source.id}, {"partner", partner}};
    if (source.expected_interval_s) {
      object["expected_interval_s"] = *source.expected_interval_s;
    }
    if (auto s = db.AddSource(source, CliAudit("source.add", object)); !s.ok()) {
      return Failed("source add", s);
    }
    std::printf("source %s added for partner %s\n", source.id.c_str(), partner.c_str());
    return 0;
  }
  if (command == "source" && sub == "list" && args.size() == 1) {
    auto credentials = db.LoadCredentials();
    if (!credentials.ok()) {
      return Failed("source list", credentials.status());
    }
    std::printf("%-32s %-24s %s\n", "SOURCE", "PARTNER", "EXPECTED INTERVAL");
    for (const auto& s : credentials->sources) {
      std::printf(
          "%-32s %-24s %s\n", s.id.c_str(), s.partner.c_str(),
          s.expected_interval_s ? core::FormatDuration(std::chrono::seconds(*s.expected_interval_s)).c_str() : "-");
    }
    return 0;
  }
  if (command == "token" && sub == "issue") {
    const std::string partner = Flag(flags, "partner");
    const std::string scopes_csv = Flag(flags, "scopes");
    if (args.size() != 1 || partner.empty() || scopes_csv.empty()) {
      return Usage(
          "usage: vikd token issue --partner NAME --scopes SCOPE[,SCOPE] (ingest, read, analyst, admin, push)");
    }
    std::set<std::string> scopes;
    std::stringstream ss(scopes_csv);
    for (std::string scope; std::getline(ss, scope, ',');) {
      if (scope != "ingest" && scope != "read" && scope != "admin" && scope != "analyst" && scope != "push") {
        return Usage("--scopes: unknown scope \"" + scope + "\" (expected ingest, read, analyst, admin or push)");
      }
      scopes.insert(scope);
    }
    auth::NewToken token = auth::GenerateToken();
    store::TokenRecord record;
    record.id = token.id;
    record.partner = partner;
    record.digest = token.digest;
    record.scopes = scopes;
    if (auto s = db.InsertToken(
            record, CliAudit("token.issue", {{"token", token.id}, {"partner", partner}, {"scopes", scopes_csv}}));
        !s.ok()) {
      return Failed("token issue", s);
    }
    std::fprintf(stderr, "token %s issued for partner %s (scopes %s); the secret below is shown only once:\n",
                 token.id.c_str(), partner.c_str(), scopes_csv.c_str());
    std::printf("%s\n", token.secret.c_str());
    return 0;
  }
  if (command == "token" && sub == "revoke") {
    if (args.size() != 2) {
      return Usage("usage: vikd token revoke ID");
    }
    if (auto s = db.RevokeToken(args[1], CliAudit("token.revoke", {{"token", args[1]}})); !s.ok()) {
      return Failed("token revoke", s);
    }
    std::printf("token %s revoked\n", args[1].c_str());
    return 0;
  }
  if (command == "token" && sub == "list" && args.size() == 1) {
    auto tokens = db.ListTokens();
    if (!tokens.ok()) {
      return Failed("token list", tokens.status());
    }
    std::printf("%-14s %-24s %-24s %-21s %s\n", "ID", "PARTNER", "SCOPES", "CREATED", "REVOKED");
    for (const auto& t : *tokens) {
      std::string scopes;
      for (const auto& s : t.scopes) {
        scopes += (scopes.empty() ? "" : ",") + s;
      }
      std::printf("%-14s %-24s %-24s %-21s %s\n", t.id.c_str(), t.partner.c_str(), scopes.c_str(),
                  Date(t.created_at).c_str(), t.revoked_at ? Date(*t.revoked_at).c_str() : "-");
    }
    return 0;
  }
  if (command == "reference" && sub == "load") {
    if (args.size() != 2) {
      return Usage("usage: vikd reference load DIR (the region's *.tsv files, e.g. deploy/reference/vr21)");
    }
    const std::filesystem::path dir = args[1];
    std::map<std::string, std::string> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".tsv") {
        continue;
      }
      if (entry.file_size() > 64 * 1024 * 1024) {
        return Usage(entry.path().string() + ": larger than 64 MiB");
      }
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (!in) {
        return Usage("cannot read " + entry.path().string());
      }
      files[entry.path().filename().string()] = text.str();
    }
    if (ec) {
      return Usage("cannot read the directory " + dir.string() + ": " + ec.message());
    }
    if (files.empty()) {
      return Usage(dir.string() + " holds no .tsv reference files");
    }
    auto tables = domain::ParseReferenceFiles(files);
    if (!tables.ok()) {
      return Usage(tables.status().message());
    }
    nlohmann::json object{{"dir", dir.string()},
                          {"regions", tables->regions.size()},
                          {"municipalities", tables->municipalities.size()},
                          {"themes", tables->themes.size()},
                          {"cap_category_themes", tables->cap_category_themes.size()},
                          {"impact_classes", tables->impact_classes.size()},
                          {"likelihood_classes", tables->likelihood_classes.size()},
                          {"grip_levels", tables->grip_levels.size()},
                          {"crisis_phases", tables->crisis_phases.size()}};
    if (auto s = db.LoadReferenceTables(*tables, CliAudit("reference.load", object)); !s.ok()) {
      return Failed("reference load", s);
    }
    std::printf(
        "loaded %zu rows from %zu files in %s (running instances pick up municipalities and themes "
        "on restart)\n",
        tables->rows(), files.size(), dir.string().c_str());
    return 0;
  }
  if (command == "feed" && sub == "add") {
    const std::string partner = Flag(flags, "partner");
    if (args.size() != 3 || partner.empty() || !IsPartnerName(args[1])) {
      return Usage(
          "usage: vikd feed add NAME URL --partner NAME [--interval 60s] [--allow-hosts HOST,*.DOMAIN] "
          "(NAME: 1-64 of a-z 0-9 . _ -)");
    }
    store::FeedConfig feed{args[1], args[2], partner, 60, {}};
    if (args[2].rfind("http://", 0) != 0 && args[2].rfind("https://", 0) != 0) {
      return Usage("feed add: URL must start with http:// or https://, got \"" + args[2] + "\"");
    }
    if (const std::string interval = Flag(flags, "interval"); !interval.empty()) {
      auto d = core::ParseDuration(interval);
      if (!d.ok() || d->count() < 1000) {
        return Usage("--interval: expected a duration of at least 1s such as 60s, got \"" + interval + "\"");
      }
      feed.interval_s = d->count() / 1000;
    }
    if (const std::string hosts = Flag(flags, "allow-hosts"); !hosts.empty()) {
      // Host names (or "*.domain"): the entry links the feed may make the server fetch besides
      // its own origin.
      std::size_t start = 0;
      while (start <= hosts.size()) {
        const auto comma = std::min(hosts.find(',', start), hosts.size());
        std::string host = hosts.substr(start, comma - start);
        std::transform(host.begin(), host.end(), host.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const std::string bare = host.rfind("*.", 0) == 0 ? host.substr(2) : host;
        if (bare.empty() || bare.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-:") != std::string::npos) {
          return Usage("--allow-hosts: expected host names or *.domain separated by commas, got \"" + hosts + "\"");
        }
        feed.allow_hosts.push_back(host);
        start = comma + 1;
      }
    }
    if (auto s = db.AddFeed(feed, CliAudit("feed.add", {{"feed", feed.name},
                                                        {"url", feed.url},
                                                        {"partner", partner},
                                                        {"interval_s", feed.interval_s},
                                                        {"allow_hosts", feed.allow_hosts}}));
        !s.ok()) {
      return Failed("feed add", s);
    }
    std::printf("feed %s added for partner %s (every %s)\n", feed.name.c_str(), partner.c_str(),
                core::FormatDuration(std::chrono::seconds(feed.interval_s)).c_str());
    return 0;
  }
  if (command == "feed" && sub == "remove") {
    if (args.size() != 2) {
      return Usage("usage: vikd feed remove NAME");
    }
    if (auto s = db.RemoveFeed(args[1], CliAudit("feed.remove", {{"feed", args[1]}})); !s.ok()) {
      return Failed("feed remove", s);
    }
    std::printf("feed %s removed\n", args[1].c_str());
    return 0;
  }
  if (command == "feed" && sub == "list" && args.size() == 1) {
    auto feeds = db.ListFeeds(/*due_only=*/false);
    if (!feeds.ok()) {
      return Failed("feed list", feeds.status());
    }
    std::printf("%-20s %-16s %-8s %-21s %-7s %-8s %-21s %s\n", "FEED", "PARTNER", "EVERY", "LAST SUCCESS", "ERRORS",
                "ENTRIES", "NEXT POLL", "URL / LAST ERROR");
    for (const auto& f : *feeds) {
      std::printf("%-20s %-16s %-8s %-21s %-7d %-8lld %-21s %s%s%s\n", f.config.name.c_str(), f.config.partner.c_str(),
                  core::FormatDuration(std::chrono::seconds(f.config.interval_s)).c_str(),
                  f.last_success_at ? Date(*f.last_success_at).c_str() : "-", f.consecutive_errors,
                  static_cast<long long>(f.entries_seen), f.enabled ? Date(f.next_poll_at).c_str() : "disabled",
                  f.config.url.c_str(), f.last_error.empty() ? "" : "\n    last error: ", f.last_error.c_str());
    }
    return 0;
  }
  if (command == "subscription" && sub == "list" && args.size() == 1) {
    auto subs = db.ListSubscriptions("");
    if (!subs.ok()) {
      return Failed("subscription list", subs.status());
    }
    std::printf("%-36s %-16s %-20s %-8s %-9s %-5s %s\n", "ID", "PARTNER", "NAME", "PENDING", "DELIVERED", "DEAD",
                "URL / LAST ERROR");
    for (const auto& s : *subs) {
      std::printf("%-36s %-16s %-20s %-8lld %-9lld %-5lld %s%s%s\n", s.id.c_str(), Printable(s.partner).c_str(),
                  Printable(s.name).c_str(), static_cast<long long>(s.pending), static_cast<long long>(s.delivered),
                  static_cast<long long>(s.dead), Printable(s.url).c_str(),
                  s.last_error.empty() ? "" : "\n    last error: ", Printable(s.last_error).c_str());
    }
    return 0;
  }
  if (command == "subscription" && sub == "remove") {
    if (args.size() != 2) {
      return Usage("usage: vikd subscription remove ID");
    }
    auto existing = db.ReadSubscription(args[1]);
    if (!existing.ok()) {
      return Failed("subscription remove", existing.status());
    }
    if (auto s = db.DeleteSubscription(
            args[1], CliAudit("subscription.delete",
                              {{"id", args[1]}, {"partner", existing->partner}, {"name", existing->name}}));
        !s.ok()) {
      return Failed("subscription remove", s);
    }
    std::printf("subscription %s (%s of partner %s) removed\n", Printable(args[1]).c_str(),
                Printable(existing->name).c_str(), Printable(existing->partner).c_str());
    return 0;
  }
  return Usage("unknown " + command + " subcommand \"" + sub + "\" (see vikd --help)");
}

}  // namespace vik::app
