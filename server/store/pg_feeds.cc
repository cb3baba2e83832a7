// Store: CAP feeds, their polling state and the entries already handled. State written by the
// poller passes the leader's fence in the same transaction.

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/time_format.h"
#include "store/fence_status.h"
#include "store/pg_query_rows.h"
#include "store/pg_signal_rows.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {
namespace {

std::optional<core::WallTime> OptionalTime(const pqxx::field& f) {
  if (f.is_null()) {
    return std::nullopt;
  }
  return core::FromUnixSeconds(f.as<double>());
}

double Seconds(std::chrono::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

}  // namespace

core::Status Store::AddFeed(const FeedConfig& feed, const AuditRecord& audit) {
  return impl_->pool.Run("add feed", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    w.exec_prepared(stmt::kFeedInsert.name, feed.name, feed.url, feed.partner, static_cast<double>(feed.interval_s),
                    nlohmann::json(feed.allow_hosts).dump());
    InsertAudit(w, {audit});
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::RemoveFeed(const std::string& name, const AuditRecord& audit) {
  return impl_->pool.Run("remove feed", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (w.exec_prepared(stmt::kFeedDelete.name, name).empty()) {
      return core::NotFound("no feed \"" + name + "\"");
    }
    InsertAudit(w, {audit});
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<std::vector<FeedRecord>> Store::ListFeeds(bool due_only) {
  return impl_->pool.Run("list feeds", [due_only](pqxx::connection& c) -> core::Result<std::vector<FeedRecord>> {
    pqxx::read_transaction tx(c);
    std::vector<FeedRecord> out;
    for (const auto& r : tx.exec_prepared(stmt::kFeedsList.name, due_only)) {
      FeedRecord f;
      f.config.name = r[col::kFeedName].as<std::string>();
      f.config.url = r[col::kFeedUrl].as<std::string>();
      f.config.partner = r[col::kFeedPartner].as<std::string>();
      f.config.interval_s = static_cast<std::int64_t>(r[col::kFeedIntervalS].as<double>());
      f.enabled = r[col::kFeedEnabled].as<bool>();
      f.created_at = core::FromUnixSeconds(r[col::kFeedCreatedAt].as<double>());
      f.etag = r[col::kFeedEtag].as<std::string>();
      f.last_modified = r[col::kFeedLastModified].as<std::string>();
      f.last_attempt_at = OptionalTime(r[col::kFeedLastAttemptAt]);
      f.last_success_at = OptionalTime(r[col::kFeedLastSuccessAt]);
      f.last_error = r[col::kFeedLastError].as<std::string>();
      f.consecutive_errors = r[col::kFeedConsecutiveErrors].as<int>();
      f.next_poll_at = core::FromUnixSeconds(r[col::kFeedNextPollAt].as<double>());
      f.entries_seen = r[col::kFeedEntriesSeen].as<std::int64_t>();
      f.config.allow_hosts =
          nlohmann::json::parse(r[col::kFeedAllowHosts].as<std::string>()).get<std::vector<std::string>>();
      out.push_back(std::move(f));
    }
    return out;
  });
}

core::Result<std::set<std::string>> Store::SeenFeedEntries(const std::string& feed,
                                                           const std::vector<std::string>& keys) {
  if (keys.empty()) {
    return std::set<std::string>();
  }
  const std::string keys_json = nlohmann::json(keys).dump();
  return impl_->pool.Run("read feed entries", [&](pqxx::connection& c) -> core::Result<std::set<std::string>> {
    pqxx::read_transaction tx(c);
    std::set<std::string> out;
    for (const auto& r : tx.exec_prepared(stmt::kFeedEntriesSeen.name, feed, keys_json)) {
      out.insert(r[0].as<std::string>());
    }
    return out;
  });
}

core::Status Store::MarkFeedEntry(const Fence& fence, const FeedEntryMark& mark, const std::string& node_id) {
  return impl_->pool.Run("mark feed entry", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    w.exec_prepared(stmt::kFeedEntryMark.name, mark.feed, mark.entry_key, mark.entry_id, "", mark.outcome, mark.detail,
                    node_id);
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::RecordFeedPoll(const Fence& fence, const FeedPollRecord& poll) {
  return impl_->pool.Run("record feed poll", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    if (poll.ok) {
      w.exec_prepared(stmt::kFeedPollSuccess.name, poll.feed, poll.etag, poll.last_modified,
                      Seconds(poll.next_poll_in));
      w.exec_prepared(stmt::kFeedAttemptsPrune.name, poll.feed);
    } else {
      w.exec_prepared(stmt::kFeedPollError.name, poll.feed, poll.error, Seconds(poll.next_poll_in));
    }
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<int> Store::RecordFeedEntryFailure(const Fence& fence, const FeedEntryMark& mark, int max_attempts,
                                                const std::string& node_id) {
  return impl_->pool.Run("record feed entry failure", [&](pqxx::connection& c) -> core::Result<int> {
    pqxx::work w(c);
    if (core::Status s = CheckFence(w, fence); !s.ok()) {
      return s;
    }
    const int attempts =
        w.exec_prepared1(stmt::kFeedAttemptFailed.name, mark.feed, mark.entry_key, mark.detail)[0].as<int>();
    if (attempts >= max_attempts) {
      w.exec_prepared(stmt::kFeedEntryMark.name, mark.feed, mark.entry_key, mark.entry_id, "", "refused",
                      "gave up after " + std::to_string(attempts) + " failed attempts: " + mark.detail, node_id);
      w.exec_prepared(stmt::kFeedAttemptsClear.name, mark.feed, mark.entry_key);
    }
    w.commit();
    return attempts;
  });
}

}  // namespace vik::store
