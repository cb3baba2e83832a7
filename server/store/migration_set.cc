#include "store/migration_set.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "store/checksum.h"
#include "store/embedded_migrations.h"

namespace vik::store {

core::Result<Migration> MakeMigration(const std::string& filename, std::string sql) {
  static const std::regex kName(R"(^([0-9]{4,})_([a-z0-9_]+)\.sql$)");
  std::smatch m;
  if (!std::regex_match(filename, m, kName)) {
    return core::InvalidArgument("migration file \"" + filename +
                                 "\" is not named NNNN_name.sql (digits, underscore, lowercase name)");
  }
  Migration mig;
  try {
    mig.version = std::stoi(m[1].str());
  } catch (const std::exception&) {
    return core::InvalidArgument("migration file \"" + filename + "\" has a version out of range");
  }
  mig.name = m[2].str();
  mig.filename = filename;
  mig.checksum = Sha256Hex(sql);
  mig.sql = std::move(sql);
  return mig;
}

core::Result<std::vector<Migration>> OrderMigrations(std::vector<Migration> migrations) {
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const int expected = static_cast<int>(i) + 1;
    if (migrations[i].version != expected) {
      if (i > 0 && migrations[i].version == migrations[i - 1].version) {
        return core::InvalidArgument("migrations \"" + migrations[i - 1].filename + "\" and \"" +
                                     migrations[i].filename + "\" have the same version");
      }
      return core::InvalidArgument("migration version " + std::to_string(expected) + " is missing (found \"" +
                                   migrations[i].filename + "\")");
    }
  }
  return migrations;
}

core::Result<std::vector<Migration>> EmbeddedMigrations() {
  std::vector<Migration> out;
  for (std::size_t i = 0; i < kEmbeddedMigrationCount; ++i) {
    auto m = MakeMigration(kEmbeddedMigrations[i].name, std::string(kEmbeddedMigrations[i].contents));
    if (!m.ok()) {
      return m.status();
    }
    out.push_back(std::move(m).value());
  }
  return OrderMigrations(std::move(out));
}

core::Result<std::vector<Migration>> LoadMigrationsDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return core::InvalidArgument("cannot read migrations directory \"" + dir.string() + "\": " + ec.message());
  }
  std::vector<Migration> out;
  for (const auto& entry : it) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return core::InvalidArgument("cannot read migration \"" + entry.path().string() + "\"");
    }
    auto m = MakeMigration(entry.path().filename().string(), buf.str());
    if (!m.ok()) {
      return m.status();
    }
    out.push_back(std::move(m).value());
  }
  return OrderMigrations(std::move(out));
}

core::Result<std::vector<Migration>> PlanMigrations(const std::vector<Migration>& known,
                                                    const std::vector<AppliedMigration>& applied, bool allow_newer) {
  std::map<int, const Migration*> by_version;
  for (const auto& m : known) {
    by_version[m.version] = &m;
  }
  const int latest_known = known.empty() ? 0 : known.back().version;
  std::map<int, const AppliedMigration*> done;
  for (const auto& a : applied) {
    auto it = by_version.find(a.version);
    if (it == by_version.end() && allow_newer) {
      continue;
    }
    if (it == by_version.end()) {
      return core::FailedPrecondition("database schema is newer than this binary: it has migration " +
                                      std::to_string(a.version) + " (" + a.name +
                                      ") but this vikd knows migrations up to " + std::to_string(latest_known) +
                                      "; upgrade vikd before running it against this database");
    }
    if (it->second->checksum != a.checksum) {
      return core::FailedPrecondition("migration " + it->second->filename +
                                      " was changed after it was applied (checksum " + a.checksum.substr(0, 12) +
                                      " in the database, " + it->second->checksum.substr(0, 12) +
                                      " in the file); applied migrations are immutable, add a new one");
    }
    done[a.version] = &a;
  }
  std::vector<Migration> pending;
  for (const auto& m : known) {
    if (!done.count(m.version)) {
      pending.push_back(m);
    }
  }
  return pending;
}

}  // namespace vik::store
