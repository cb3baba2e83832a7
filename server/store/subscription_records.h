#pragma once

// Records of subscriptions and their webhook deliveries (migration 0013; docs/exchange.md).

#include <cstdint>
#include <string>
#include <vector>

#include "store/picture_records.h"

namespace vik::store {

struct SubscriptionRecord {
  std::string id;
  std::string partner;
  std::string name;
  std::string url;
  std::string filter_json;  // vik.v1.ChangeFilter as protobuf JSON
  std::string created_by;
  std::int64_t created_us = 0;
  std::int64_t last_delivered_us = 0;  // 0: never
  std::string last_error;
  std::int64_t last_error_us = 0;  // 0: never
  // Deliveries kept (delivered and dead ones are pruned after subscriptions.retention).
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t dead = 0;
};

// A new subscription; `secret` is stored to sign deliveries.
struct SubscriptionCreate {
  std::string partner;
  std::string name;
  std::string url;
  std::string filter_json;
  std::string secret;
  std::string created_by;
  std::size_t max_per_partner = 20;  // RESOURCE_EXHAUSTED when the partner already has this many
};

// What the delivery job needs of an active subscription to match changes.
struct SubscriptionMatchRecord {
  std::string id;
  std::string filter_json;
  std::int64_t created_us = 0;  // changes before this are not delivered
};

// One delivery to enqueue: a change that matched a subscription.
struct DeliveryEnqueue {
  std::string subscription;
  ChangeCursor cursor;
  std::int64_t at_us = 0;
  std::string kind;
  std::string object;
  std::string body;
};

// A delivery due to be sent (the head of its subscription's queue).
struct DueDelivery {
  std::string id;
  std::string subscription;
  std::string url;
  std::string secret;
  std::string body;
  int attempts = 0;  // before this one
};

// The outcome of one attempt.
struct DeliveryOutcome {
  std::string id;
  bool delivered = false;
  std::string error;                // when not delivered
  std::int64_t retry_after_ms = 0;  // when not delivered: the backoff before the next attempt
};

struct DeliveryRecord {
  std::string id;
  std::string subscription;
  ChangeCursor cursor;
  std::string kind;
  std::string object;
  std::string state;  // pending, delivered, dead
  int attempts = 0;
  std::int64_t next_attempt_us = 0;
  std::string last_error;
  std::int64_t created_us = 0;
  std::int64_t finished_us = 0;  // 0: pending
};

struct DeliveryCounts {
  std::int64_t pending = 0;
  std::int64_t dead = 0;
};

}  // namespace vik::store
