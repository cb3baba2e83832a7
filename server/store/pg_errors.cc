#include "store/pg_errors.h"

#include <pqxx/except>

#include <string>

namespace vik::store {
namespace {

std::string FirstLine(const char* text) {
  std::string s = text;
  auto nl = s.find('\n');
  if (nl != std::string::npos) {
    s.resize(nl);
  }
  return s;
}

TranslatedError FromSqlState(const std::string& state, const std::string& detail) {
  using core::StatusCode;
  auto is = [&state](const char* prefix) { return state.rfind(prefix, 0) == 0; };
  if (is("08") || is("57P0") || state == "53300") {
    return {{StatusCode::kUnavailable, detail}, true};
  }
  if (state == "25006") {
    return {{StatusCode::kUnavailable, "the database is read-only (a standby?): " + detail}, true};
  }
  if (state == "40001" || state == "40P01" || state == "55P03") {  // 55P03: lock_timeout
    return {{StatusCode::kAborted, detail}, false};
  }
  if (state == "23505") {
    return {{StatusCode::kAlreadyExists, detail}, false};
  }
  if (is("23")) {
    return {{StatusCode::kFailedPrecondition, detail}, false};
  }
  if (state == "57014") {
    return {{StatusCode::kDeadlineExceeded, detail}, false};
  }
  if (is("53")) {
    return {{StatusCode::kResourceExhausted, detail}, false};
  }
  return {{StatusCode::kInternal, detail}, false};
}

}  // namespace

TranslatedError TranslateException(std::exception_ptr e, const char* what) {
  using core::StatusCode;
  const std::string prefix = std::string(what) + ": ";
  try {
    std::rethrow_exception(e);
  } catch (const pqxx::in_doubt_error& ex) {
    return {{StatusCode::kUnknown,
             prefix + "the outcome of the commit is unknown (connection lost during COMMIT): " + FirstLine(ex.what())},
            true};
  } catch (const pqxx::statement_completion_unknown& ex) {
    return {{StatusCode::kUnknown, prefix + "the outcome of the statement is unknown: " + FirstLine(ex.what())}, true};
  } catch (const pqxx::transaction_rollback& ex) {
    // serialization_failure, deadlock_detected: the transaction was rolled back; safe to retry.
    return {{StatusCode::kAborted, prefix + FirstLine(ex.what())}, false};
  } catch (const pqxx::broken_connection& ex) {
    return {{StatusCode::kUnavailable, prefix + "database connection failed: " + FirstLine(ex.what())}, true};
  } catch (const pqxx::sql_error& ex) {
    return FromSqlState(ex.sqlstate(), prefix + FirstLine(ex.what()));
  } catch (const pqxx::usage_error& ex) {
    return {{StatusCode::kInternal, prefix + "database usage error: " + FirstLine(ex.what())}, true};
  } catch (const pqxx::failure& ex) {
    // Other libpqxx failures (e.g. a lost connection noticed outside a statement).
    return {{StatusCode::kUnavailable, prefix + FirstLine(ex.what())}, true};
  } catch (const std::exception& ex) {
    return {{StatusCode::kInternal, prefix + FirstLine(ex.what())}, false};
  } catch (...) {
    return {{StatusCode::kInternal, prefix + "unknown exception"}, false};
  }
}

}  // namespace vik::store
