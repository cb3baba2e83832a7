#pragma once

#include <string>
#include <string_view>

namespace vik::store {

// Lower-case hex SHA-256 of `data` (OpenSSL). Used to detect edited migrations.
std::string Sha256Hex(std::string_view data);

}  // namespace vik::store
