#pragma once

// The database-side reference points of the ingest benchmark, measured directly against PostgreSQL:
// - the physical limit: rows loaded with COPY into `signals`, a fixed number per transaction, on one
//   connection (libpq's COPY protocol);
// - the cost of one durable acknowledgement: a single-row INSERT + COMMIT (libpqxx).
// Both write the same rows vikd would store (SignalFactory::MakeRow). The connections stay open for
// the whole run, so their server processes' CPU time can be attributed. Errors throw.
// Thread-safety: not for concurrent use.

#include <cstdint>
#include <memory>
#include <string>

#include <pqxx/connection>

#include "bench/signals.h"
#include "bench/stats.h"

struct pg_conn;

namespace vik::bench {

class Postgres {
 public:
  Postgres(const std::string& dsn, std::string partner);
  ~Postgres();
  Postgres(const Postgres&) = delete;
  Postgres& operator=(const Postgres&) = delete;

  // Transactions of `rows_per_transaction` COPYed rows until `duration` has passed; one latency per
  // transaction, `accepted` counts rows.
  Recorder Copy(SignalFactory& factory, std::size_t rows_per_transaction, Clock::duration duration);

  // `count` single-row INSERT + COMMIT round trips; one latency each.
  Recorder SingleRowCommits(SignalFactory& factory, int count);

  // The first column of the first row of `sql` as text ("" when there is no row or it is null).
  std::string QueryValue(const std::string& sql);

 private:
  const std::string partner_;
  pqxx::connection conn_;
  pg_conn* copy_ = nullptr;
};

}  // namespace vik::bench
