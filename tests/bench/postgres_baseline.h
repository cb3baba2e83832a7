#pragma once

// The database-side reference points of the ingest benchmark, measured directly against PostgreSQL:
// - the physical limit: rows loaded with COPY into `signals`, a fixed number per transaction, on one
//   connection (libpq's COPY protocol);
// - the cost of one durable acknowledgement: a single-row INSERT + COMMIT (libpqxx).
// Both write the same rows vikd would store (SignalFactory::MakeRow). Errors throw.
// Thread-safety: each call opens its own connection; safe for concurrent use.

#include <cstdint>
#include <string>

#include "bench/signals.h"
#include "bench/stats.h"

namespace vik::bench {

struct CopyRun {
  std::uint64_t rows = 0;
  std::uint64_t transactions = 0;
  double seconds = 0;
  Recorder recorder;  // one latency per transaction
};

// Transactions of `rows_per_transaction` COPYed rows until `duration` has passed.
CopyRun CopyLoad(const std::string& dsn, SignalFactory& factory, const std::string& partner,
                 std::size_t rows_per_transaction, Clock::duration duration);

// `count` single-row INSERT + COMMIT round trips; one latency each.
Recorder SingleRowCommits(const std::string& dsn, SignalFactory& factory, const std::string& partner, int count);

// The first column of the first row of `sql` as text ("" when there is no row).
std::string QueryValue(const std::string& dsn, const std::string& sql);

}  // namespace vik::bench
