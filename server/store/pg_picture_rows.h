#pragma once

// Row reading shared by the picture's and the change feed's store code (pg_picture.cc,
// pg_changes.cc). Store-internal: only server/store/ includes this (it includes libpqxx).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "core/result.h"
#include "store/picture_records.h"

namespace vik::store {

using RepeatableRead = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// An xid8 in its text form; 0 when malformed.
std::uint64_t ParseXid(const std::string& text);

// Rows with the columns of kPictureRisksList (risk, labels, current assessment).
std::vector<RiskRecord> RiskRecordsOf(const pqxx::result& rows);
pqxx::result ListRiskRows(pqxx::transaction_base& tx, const RiskQuery& q);

std::optional<RegionState> CurrentRegionState(pqxx::transaction_base& tx, const std::string& region);

// Everything the regional status shows, read in `tx`.
core::Result<RegionalStatusRecord> RegionalStatusIn(pqxx::transaction_base& tx, const std::string& region,
                                                    const std::string& picture, int limit, const std::string& lease,
                                                    std::chrono::seconds live_window);

}  // namespace vik::store
