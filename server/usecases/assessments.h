#pragma once

// An analysts' assessment of a risk (PUT /v1/risks/{id}/assessment; the console's assessment form):
// checked against the rules of domain::ValidateAssessment, appended as a new version only when
// `from_version` is still the current one (optimistic concurrency: someone else's newer version
// is never overwritten), audited in the same transaction, naming the caller. Transport-free: the
// transport decodes its body into an AssessmentChange and maps only the Status. Blocking (database
// write): call from the blocking pool. Thread-safety: safe for concurrent use.

#include <string>

#include "auth/authenticator.h"
#include "core/result.h"
#include "domain/assessment.h"
#include "domain/picture.h"
#include "domain/risk_engine.h"
#include "store/store.h"
#include "vik/v1/picture.pb.h"

namespace vik::usecases {

struct AssessmentChange {
  domain::RiskKey key;
  domain::Picture picture = domain::Picture::kActual;
  int from_version = 0;  // the version the analyst last read (0: never assessed)
  domain::Assessment content;
};

// The stored version. INVALID_ARGUMENT naming the field that breaks a rule (nothing stored);
// otherwise what the store answers (FAILED_PRECONDITION when `from_version` moved on, NOT_FOUND
// for an unknown risk, UNAVAILABLE when the database is).
core::Result<vik::v1::Assessment> AppendAssessment(store::Store& store, const std::string& region,
                                                   const auth::Caller& caller, const AssessmentChange& change);

}  // namespace vik::usecases
