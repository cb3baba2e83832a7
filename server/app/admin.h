#pragma once

// The administrative subcommands (partners, sources, tokens, CAP feeds, subscriptions). Each change is written together
// with its audit record (actor "cli:<user>", origin "cli@<host>"). Exit codes: 0 ok, 1 the database refused or failed,
// 2 usage error.

#include <map>
#include <string>
#include <vector>

#include "app/config.h"

namespace vik::app {

int RunAdmin(const Config& config, const std::string& command, const std::vector<std::string>& args,
             const std::map<std::string, std::string>& flags);

}  // namespace vik::app
