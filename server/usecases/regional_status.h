#pragma once

// The regional status (GET /v1/status, ExchangeService/GetRegionalStatus, the own region in the
// national status): the region's GRIP level and phase, its prioritised risks, source freshness and
// how fresh the picture is, from one snapshot of the store. Transport-free: both transports call
// this and map only its Status. Blocking (database reads): call from the blocking pool.
// Thread-safety: safe for concurrent use.

#include "core/result.h"
#include "domain/picture.h"
#include "store/store.h"
#include "vik/v1/picture.pb.h"
#include "wire/picture_mapping.h"

namespace vik::usecases {

inline constexpr int kDefaultStatusRisks = 50;
inline constexpr int kMaxStatusRisks = 500;

// The number of risks a status request asks for: 0 means kDefaultStatusRisks; 1..kMaxStatusRisks as
// given; anything else INVALID_ARGUMENT "limit: ...". Pure: transports check it before taking a pool
// slot, ReadRegionalStatus checks it again.
core::Result<int> StatusRisksOf(int limit);

// At most `limit` risks in priority order; limit 0: kDefaultStatusRisks, else 1..kMaxStatusRisks
// (INVALID_ARGUMENT "limit: ..." otherwise).
core::Result<vik::v1::RegionalStatus> ReadRegionalStatus(store::Store& store, const wire::StatusContext& ctx,
                                                         domain::Picture picture, int limit);

}  // namespace vik::usecases
