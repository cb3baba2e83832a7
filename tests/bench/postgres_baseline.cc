#include "bench/postgres_baseline.h"

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>

#include <pqxx/pqxx>

namespace vik::bench {
namespace {

constexpr const char* kReceivedBy = "bench-baseline";

// COPY text format: backslash, tab, newline and carriage return are escaped.
void AppendCopyValue(std::string& out, const std::string& value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

void AppendCopyLine(std::string& out, const StoredRow& row) {
  for (int i = 0; i < kSignalColumnCount; ++i) {
    if (i > 0) {
      out += '\t';
    }
    AppendCopyValue(out, row.values[i]);
  }
  out += '\n';
}

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

void Exec(PGconn* c, const char* sql, ExecStatusType expected) {
  Result r(PQexec(c, sql));
  if (PQresultStatus(r.get()) != expected) {
    throw std::runtime_error(std::string("\"") + sql + "\" failed: " + PQerrorMessage(c));
  }
}

}  // namespace

CopyRun CopyLoad(const std::string& dsn, SignalFactory& factory, const std::string& partner,
                 std::size_t rows_per_transaction, Clock::duration duration) {
  Conn conn(PQconnectdb(dsn.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("could not connect for COPY: ") + PQerrorMessage(conn.get()));
  }
  const std::string copy = std::string("COPY signals (") + kSignalColumns + ") FROM STDIN";
  CopyRun run;
  std::string buffer;
  const auto start = Clock::now();
  const auto until = start + duration;
  while (Clock::now() < until) {
    const auto t0 = Clock::now();
    buffer.clear();
    for (std::size_t i = 0; i < rows_per_transaction; ++i) {
      AppendCopyLine(buffer, factory.MakeRow(partner, kReceivedBy));
    }
    Exec(conn.get(), "BEGIN", PGRES_COMMAND_OK);
    Exec(conn.get(), copy.c_str(), PGRES_COPY_IN);
    if (PQputCopyData(conn.get(), buffer.data(), static_cast<int>(buffer.size())) != 1 ||
        PQputCopyEnd(conn.get(), nullptr) != 1) {
      throw std::runtime_error(std::string("COPY data failed: ") + PQerrorMessage(conn.get()));
    }
    for (Result r(PQgetResult(conn.get())); r != nullptr; r.reset(PQgetResult(conn.get()))) {
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        throw std::runtime_error(std::string("COPY failed: ") + PQerrorMessage(conn.get()));
      }
    }
    Exec(conn.get(), "COMMIT", PGRES_COMMAND_OK);
    run.recorder.Latency(Clock::now() - t0);
    run.rows += rows_per_transaction;
    ++run.transactions;
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.recorder.accepted = run.rows;
  run.recorder.calls = run.transactions;
  return run;
}

Recorder SingleRowCommits(const std::string& dsn, SignalFactory& factory, const std::string& partner, int count) {
  pqxx::connection c(dsn);
  std::string sql = std::string("INSERT INTO signals (") + kSignalColumns + ") VALUES (";
  for (int i = 1; i <= kSignalColumnCount; ++i) {
    sql += (i > 1 ? ", $" : "$") + std::to_string(i);
  }
  sql += ")";
  c.prepare("bench_insert_signal", sql);
  Recorder rec;
  for (int n = 0; n < count; ++n) {
    const StoredRow row = factory.MakeRow(partner, kReceivedBy);
    const auto t0 = Clock::now();
    pqxx::work w(c);
    const auto& v = row.values;
    w.exec_prepared("bench_insert_signal", v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11],
                    v[12], v[13], v[14], v[15], v[16], v[17]);
    w.commit();
    rec.Latency(Clock::now() - t0);
    ++rec.calls;
    ++rec.accepted;
  }
  return rec;
}

std::string QueryValue(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::nontransaction tx(c);
  const pqxx::result r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) {
    return "";
  }
  return r[0][0].as<std::string>();
}

}  // namespace vik::bench
