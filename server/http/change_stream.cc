#include "http/change_stream.h"

#include <deque>
#include <mutex>

#include <boost/asio/steady_timer.hpp>

#include "http/filter_query.h"
#include "http/route_helpers.h"
#include "wire/change_filters.h"
#include "wire/change_mapping.h"

namespace vik::http {
namespace {

struct Shared {
  explicit Shared(ChangeStreamContext c) : ctx(std::move(c)), quota("SSE change streams", ctx.limits) {
    quota.FollowRevocations(*ctx.auth);
  }
  ChangeStreamContext ctx;
  auth::StreamQuota quota;
};

constexpr const char* kRevokedEvent =
    "event: error\ndata: {\"code\":\"UNAUTHENTICATED\",\"message\":\"the token was revoked\"}\n\n";

std::string Event(const vik::v1::Change& change) {
  return "id: " + change.cursor() + "\nevent: " + change.kind() + "\ndata: " + wire::ChangeJson(change) + "\n\n";
}

// One stream's source: a queue of pieces filled from the change log. `mu_` guards everything; the
// session's Next/Cancel, pool reads and timer callbacks may arrive on different threads.
class ChangeStream final : public StreamSource, public std::enable_shared_from_this<ChangeStream> {
 public:
  ChangeStream(std::shared_ptr<Shared> shared, auth::StreamQuota::Slot slot, std::string partner,
               store::ChangeCursor cursor, domain::ChangeFilter filter)
      : shared_(std::move(shared)),
        slot_(std::move(slot)),
        partner_(std::move(partner)),
        filter_(std::move(filter)),
        cursor_(cursor),
        timer_(shared_->ctx.executor),
        last_write_(std::chrono::steady_clock::now()) {
    slot_.OnRevoked([this] { Revoke(); });
  }

  ~ChangeStream() override { slot_.Release(); }  // first: no Revoke may run on a dying stream

  // Queues the changes of `page` that match; moves the cursor.
  void Take(const store::ChangePage& page) {
    std::lock_guard lock(mu_);
    TakeLocked(page);
  }

  void Next(Deliver deliver) override {
    std::unique_lock lock(mu_);
    if (cancelled_) {
      return;
    }
    deliver_ = std::move(deliver);
    FlushOrWaitLocked(lock);
  }

  void Cancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    deliver_ = nullptr;
    timer_.cancel();
  }

  // The token was revoked (called by the quota with its lock held: only flags and cancels; the
  // timer's callback or the next Next sends the error event).
  void Revoke() {
    std::lock_guard lock(mu_);
    revoked_ = true;
    timer_.cancel();
  }

 private:
  void TakeLocked(const store::ChangePage& page) {
    vik::v1::ListChangesResponse matching;
    wire::ToProtoPageFiltered(page, filter_, &matching);
    for (const auto& c : matching.changes()) {
      pieces_.emplace_back(Event(c), false);
    }
    cursor_ = page.next;
    more_ = page.more;
  }

  // Hands the next piece to the waiting session, a heartbeat when one is due, or waits for the
  // next poll. REQUIRES: deliver_ set, `lock` held.
  void FlushOrWaitLocked(std::unique_lock<std::mutex>& lock) {
    const auto now = std::chrono::steady_clock::now();
    std::optional<std::pair<std::string, bool>> piece;
    if (revoked_) {
      pieces_.clear();
      piece = std::make_pair(std::string(kRevokedEvent), true);
    } else if (!pieces_.empty()) {
      piece = std::move(pieces_.front());
      pieces_.pop_front();
    } else if (now - last_write_ >= shared_->ctx.heartbeat) {
      piece = std::make_pair(": keep-alive\nid: " + wire::FormatCursor(cursor_) + "\n\n", false);
    }
    if (piece) {
      last_write_ = now;
      Deliver deliver = std::move(deliver_);
      deliver_ = nullptr;
      lock.unlock();
      deliver(std::move(piece->first), piece->second);
      return;
    }
    if (polling_) {
      return;  // the read in flight (or the timer's callback) flushes
    }
    polling_ = true;
    timer_.expires_after(more_ ? std::chrono::milliseconds(0) : shared_->ctx.poll);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->Poll(ec); });
  }

  void Poll(const boost::system::error_code& ec) {
    {
      std::unique_lock lock(mu_);
      if (revoked_ && !cancelled_) {
        polling_ = false;
        if (deliver_) {
          FlushOrWaitLocked(lock);
        }
        return;
      }
      if (ec || cancelled_) {
        polling_ = false;
        return;
      }
    }
    // Counted against the partner's quota of the pool (runtime.blocking_per_partner) like its
    // requests; refused, the stream tries again at the next poll.
    const bool queued = !shared_->ctx.blocking->Offer([self = shared_from_this()] { self->Read(); }, {}, partner_);
    if (!queued) {  // the pool is busy: try again at the next poll
      std::unique_lock lock(mu_);
      polling_ = false;
      more_ = false;
      if (deliver_ && !cancelled_) {
        FlushOrWaitLocked(lock);
      }
    }
  }

  void Read() {
    store::ChangeCursor from;
    {
      std::lock_guard lock(mu_);
      from = cursor_;
    }
    auto page = shared_->ctx.store->ReadChanges(from, shared_->ctx.page_limit, shared_->ctx.status.region);
    std::unique_lock lock(mu_);
    polling_ = false;
    if (cancelled_) {
      return;
    }
    if (page.ok()) {
      TakeLocked(*page);
    } else if (page.status().code() == core::StatusCode::kOutOfRange) {
      pieces_.emplace_back(
          "event: error\ndata: {\"code\":\"OUT_OF_RANGE\",\"message\":\"the cursor fell out of the "
          "change log; resynchronise from a snapshot\"}\n\n",
          true);
    } else {
      more_ = false;  // a database error: try again at the next poll
    }
    if (deliver_) {
      FlushOrWaitLocked(lock);
    }
  }

  const std::shared_ptr<Shared> shared_;
  auth::StreamQuota::Slot slot_;
  const std::string partner_;  // whose reads these are, in the pool
  const domain::ChangeFilter filter_;
  std::mutex mu_;
  store::ChangeCursor cursor_;
  std::deque<std::pair<std::string, bool>> pieces_;  // text, last
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point last_write_;
  Deliver deliver_;
  bool more_ = false;
  bool polling_ = false;
  bool cancelled_ = false;
  bool revoked_ = false;
};

}  // namespace

void AddChangeStreamRoute(Router& router, ChangeStreamContext context) {
  auto shared = std::make_shared<Shared>(std::move(context));
  router.Add(
      bhttp::verb::get, "/v1/changes/stream", [shared](std::shared_ptr<const Request> request, Responder respond) {
        const ChangeStreamContext& ctx = shared->ctx;
        auto caller = Authorize(*ctx.auth, *request, {"read", "analyst", "admin"}, respond);
        if (!caller) {
          return;
        }
        auto query = ParseFeedQuery(request->query, {"after"});
        if (!query.ok()) {
          respond(ErrorResponse(query.status()));
          return;
        }
        const auto last_event_id = request->msg["Last-Event-ID"];
        auto after = last_event_id.empty() ? wire::ParseCursor(Param(query->params, "after"), "after")
                                           : wire::ParseCursor(std::string(last_event_id), "Last-Event-ID");
        if (!after.ok()) {
          respond(ErrorResponse(after.status()));
          return;
        }
        auto slot = shared->quota.Acquire(*caller);
        if (!slot.ok()) {
          Response res = ErrorResponse(slot.status());
          SetRetryAfter(res, std::chrono::seconds(5));
          respond(std::move(res));
          return;
        }
        // The first read decides between an error answer (410, ...) and the stream. The slot goes with
        // the task (a shared_ptr: the pool's tasks are copyable) and is given back if it never streams.
        auto held = std::make_shared<auth::StreamQuota::Slot>(std::move(slot).value());
        const auto refused = ctx.blocking->Offer(
            [shared, request, respond, held, partner = caller->partner, from = *after, filter = query->filter] {
              auto page = shared->ctx.store->ReadChanges(from, shared->ctx.page_limit, shared->ctx.status.region);
              if (!page.ok()) {
                held->Release();
                respond(StoreErrorResponse(page.status()));
                return;
              }
              auto stream = std::make_shared<ChangeStream>(shared, std::move(*held), partner, page->next, filter);
              stream->Take(*page);
              Response head = MakeResponse(bhttp::status::ok, "", "text/event-stream; charset=utf-8");
              head.set(bhttp::field::cache_control, "no-cache");
              head.set("X-Accel-Buffering", "no");
              request->start_stream(std::move(head), std::move(stream));
            });
        if (refused) {
          held->Release();
          respond(PoolRefusalResponse(*refused, *ctx.blocking, *caller));
        }
      });
}

}  // namespace vik::http
