#pragma once

// The receiving side of push (docs/exchange.md, "Pushing instead of pulling"): a peer that this node
// cannot reach sends its feed with rpc::ExchangeService/PushChanges. A push is applied to the peer's
// mirror only when its `from_cursor` is the cursor stored for the peer (checked and moved in the
// apply transaction), so a repeated, late or concurrent push is never applied twice and leaves no
// gap; the answer is always the stored cursor, from which the pusher continues. Pages are refused
// until snapshots have set a cursor. Any instance may receive a push (no fence: the cursor check
// serialises writers). Blocking: call from the blocking pool.

#include <string>

#include "core/result.h"
#include "store/store.h"
#include "vik/v1/exchange.pb.h"

namespace vik::usecases {

// `peer`: the pushing partner's configured peer name; `region`: the region it speaks for
// (peer.NAME.region; empty: the one its first snapshot named); `own_region`: refused as the peer's
// region (empty at the national role). INVALID_ARGUMENT naming the change and field of a malformed
// push; PERMISSION_DENIED naming the field of a region code of another region. A refused push is
// recorded as the peer's error (the national status shows it; its contact does not move).
core::Result<vik::v1::PushChangesResponse> ReceivePush(store::Store& store, const std::string& peer,
                                                       const std::string& region, const std::string& own_region,
                                                       const vik::v1::PushChangesRequest& request);

}  // namespace vik::usecases
