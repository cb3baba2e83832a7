#include "usecases/assessments.h"

#include <nlohmann/json.hpp>

#include "wire/picture_mapping.h"

namespace vik::usecases {

core::Result<vik::v1::Assessment> AppendAssessment(store::Store& store, const std::string& region,
                                                   const auth::Caller& caller, const AssessmentChange& change) {
  if (auto s = domain::ValidateAssessment(change.content); !s.ok()) {
    return s;
  }
  store::AssessmentRecord record;
  static_cast<domain::Assessment&>(record) = change.content;
  record.set_by = caller.Actor();
  const std::string picture(domain::PictureName(change.picture));
  const nlohmann::json object{
      {"risk", domain::RiskId(change.key)},
      {"picture", picture},
      {"from_version", change.from_version},
      {"status", record.status},
      {"analyst_level", record.analyst_level ? nlohmann::json(*record.analyst_level) : nlohmann::json(nullptr)}};
  auto set = store.AppendAssessment(region, picture, change.key, change.from_version, record,
                                    {caller.Actor(), caller.origin, "risk.assess", object.dump(), "ok"});
  if (!set.ok()) {
    return set.status();
  }
  vik::v1::Assessment out;
  wire::ToProtoAssessment(*set, &out);
  return out;
}

}  // namespace vik::usecases
