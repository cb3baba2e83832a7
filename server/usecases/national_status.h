#pragma once

// The national status (GET /v1/national/status, rpc::ExchangeService/GetNationalStatus): the regions this
// node mirrors and, on a regional node, its own region, with the themes at risk in more than one
// region; and the signals mirrored from peers (GET /v1/national/signals). Blocking (database reads):
// call from the blocking pool. Thread-safety: safe for concurrent use.

#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"
#include "vik/v1/exchange.pb.h"
#include "wire/mirror_mapping.h"
#include "wire/picture_mapping.h"

namespace vik::usecases {

struct NationalSource {
  wire::NationalContext national;  // role, own region, stale_after
  wire::StatusContext own;         // for the own region's status (regional role)
  std::vector<std::string> peers;  // configured peer names
};

// top: risks per region (0: 5, else 1..50); min_level: 0: 2, else 1..4. INVALID_ARGUMENT names the
// parameter.
core::Result<vik::v1::NationalStatus> ReadNationalStatus(store::Store& store, const NationalSource& source, int top,
                                                         int min_level);

// Signals mirrored from the peers serving `region` (empty: every peer), newest first; limit 1..1000.
core::Result<vik::v1::ListMirroredSignalsResponse> ReadMirroredSignals(store::Store& store,
                                                                       const NationalSource& source,
                                                                       const std::string& region, int limit);

}  // namespace vik::usecases
