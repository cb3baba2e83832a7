#include "bench/postgres_baseline.h"

#include <libpq-fe.h>

#include <stdexcept>

#include <pqxx/pqxx>

#include "bench/copy_text.h"

namespace vik::bench {
namespace {

constexpr const char* kReceivedBy = "bench-baseline";
constexpr const char* kInsert = "bench_insert_signal";

void AppendCopyLine(std::string& out, const StoredRow& row) {
  for (int i = 0; i < kSignalColumnCount; ++i) {
    if (i > 0) {
      out += '\t';
    }
    AppendCopyText(out, row.values[i]);
  }
  out += '\n';
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

void Exec(PGconn* c, const std::string& sql, ExecStatusType expected) {
  Result r(PQexec(c, sql.c_str()));
  if (PQresultStatus(r.get()) != expected) {
    throw std::runtime_error("\"" + sql + "\" failed: " + PQerrorMessage(c));
  }
}

}  // namespace

Postgres::Postgres(const std::string& dsn, std::string partner) : partner_(std::move(partner)), conn_(dsn) {
  std::string sql = std::string("INSERT INTO signals (") + kSignalColumns + ") VALUES (";
  for (int i = 1; i <= kSignalColumnCount; ++i) {
    sql += (i > 1 ? ", $" : "$") + std::to_string(i);
  }
  sql += ")";
  conn_.prepare(kInsert, sql);
  copy_ = PQconnectdb(dsn.c_str());
  if (PQstatus(copy_) != CONNECTION_OK) {
    const std::string error = PQerrorMessage(copy_);
    PQfinish(copy_);
    throw std::runtime_error("could not connect for COPY: " + error);
  }
}

Postgres::~Postgres() { PQfinish(copy_); }

Recorder Postgres::Copy(SignalFactory& factory, std::size_t rows_per_transaction, Clock::duration duration) {
  const std::string copy = std::string("COPY signals (") + kSignalColumns + ") FROM STDIN";
  Recorder rec;
  std::string buffer;
  const auto until = Clock::now() + duration;
  while (Clock::now() < until) {
    const auto t0 = Clock::now();
    buffer.clear();
    for (std::size_t i = 0; i < rows_per_transaction; ++i) {
      AppendCopyLine(buffer, factory.MakeRow(partner_, kReceivedBy));
    }
    Exec(copy_, "BEGIN", PGRES_COMMAND_OK);
    Exec(copy_, copy, PGRES_COPY_IN);
    if (PQputCopyData(copy_, buffer.data(), static_cast<int>(buffer.size())) != 1 ||
        PQputCopyEnd(copy_, nullptr) != 1) {
      throw std::runtime_error(std::string("COPY data failed: ") + PQerrorMessage(copy_));
    }
    for (Result r(PQgetResult(copy_)); r != nullptr; r.reset(PQgetResult(copy_))) {
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        throw std::runtime_error(std::string("COPY failed: ") + PQerrorMessage(copy_));
      }
    }
    Exec(copy_, "COMMIT", PGRES_COMMAND_OK);
    rec.Latency(Clock::now() - t0);
    ++rec.calls;
    rec.accepted += rows_per_transaction;
  }
  return rec;
}

Recorder Postgres::SingleRowCommits(SignalFactory& factory, int count) {
  Recorder rec;
  for (int n = 0; n < count; ++n) {
    const StoredRow row = factory.MakeRow(partner_, kReceivedBy);
    const auto& v = row.values;
    const auto t0 = Clock::now();
    pqxx::work w(conn_);
    w.exec_prepared(kInsert, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                    v[14], v[15], v[16], v[17]);
    w.commit();
    rec.Latency(Clock::now() - t0);
    ++rec.calls;
    ++rec.accepted;
  }
  return rec;
}

std::string Postgres::QueryValue(const std::string& sql) {
  pqxx::nontransaction tx(conn_);
  const pqxx::result r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) {
    return "";
  }
  return r[0][0].as<std::string>();
}

}  // namespace vik::bench
