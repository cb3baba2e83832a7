#include "usecases/regional_status.h"

#include <string>

namespace vik::usecases {

core::Result<int> StatusRisksOf(int limit) {
  if (limit == 0) {
    return kDefaultStatusRisks;
  }
  if (limit < 1 || limit > kMaxStatusRisks) {
    return core::InvalidArgument("limit: expected a number from 1 to " + std::to_string(kMaxStatusRisks) +
                                 " (0: " + std::to_string(kDefaultStatusRisks) + "), got " + std::to_string(limit));
  }
  return limit;
}

core::Result<vik::v1::RegionalStatus> ReadRegionalStatus(store::Store& store, const wire::StatusContext& ctx,
                                                         domain::Picture picture, int requested) {
  const auto limit = StatusRisksOf(requested);
  if (!limit.ok()) {
    return limit.status();
  }
  auto status = store.ReadRegionalStatus(ctx.region, std::string(domain::PictureName(picture)), *limit, ctx.lease,
                                         ctx.live_window);
  if (!status.ok()) {
    return status.status();
  }
  vik::v1::RegionalStatus out;
  wire::ToProtoStatus(*status, ctx, &out);
  return out;
}

}  // namespace vik::usecases
