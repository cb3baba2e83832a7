#pragma once

// The one place where libpqxx exceptions become Status codes:
//   broken_connection, other libpqxx failures, SQLSTATE 08*, 57P0x,
//   53300 (too many connections), 25006 (read-only: we hit a standby)         -> UNAVAILABLE
//   in_doubt_error (connection lost during COMMIT), completion unknown        -> UNKNOWN
//   40001 serialization failure, 40P01 deadlock, 55P03 lock timeout           -> ABORTED
//   23505 unique violation                                                    -> ALREADY_EXISTS
//   other 23* integrity violations                                            -> FAILED_PRECONDITION
//   57014 statement timeout / cancel                                          -> DEADLINE_EXCEEDED
//   53* insufficient resources                                                -> RESOURCE_EXHAUSTED
//   libpqxx usage errors (bugs; the connection is discarded), anything else    -> INTERNAL
// An UNKNOWN outcome must never be acknowledged and never blindly retried.

#include <exception>

#include "core/status.h"

namespace vik::store {

struct TranslatedError {
  core::Status status;
  // The connection can no longer be trusted (lost, in doubt, or on a read-only standby) and must
  // be closed and replaced rather than returned to the pool.
  bool discard_connection = false;
};

// REQUIRES: called from a catch block or with a non-null exception_ptr.
TranslatedError TranslateException(std::exception_ptr e, const char* what_was_attempted);

}  // namespace vik::store
