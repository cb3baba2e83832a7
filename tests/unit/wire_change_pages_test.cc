// Pages of the change feed bounded by bytes as well as by count (change_filters.h,
// ToProtoPageBounded): pages end before the change that would not fit, with the cursor after the
// last change given; a single change too large for any page is an error naming it; filtered pages
// move past changes that do not match.

#include <catch2/catch.hpp>

#include "wire/change_filters.h"
#include "wire/change_mapping.h"

namespace {

using vik::wire::FormatCursor;
using vik::wire::ToProtoPageBounded;

constexpr std::size_t kText = 64 * 1024;

// A page of `n` signal.accepted changes, each signal with `text` bytes of description, cursors
// 100.0, 101.0, ...; `full`: the store's page was full.
vik::store::ChangePage SignalPage(int n, std::size_t text, bool full) {
  vik::store::ChangePage page;
  for (int i = 0; i < n; ++i) {
    const std::string id = "s-" + std::to_string(i);
    vik::store::ChangeRecord c;
    c.cursor = {static_cast<std::uint64_t>(100 + i), 0};
    c.picture = "actual";
    c.kind = "signal.accepted";
    c.object = id;
    page.changes.push_back(c);
    vik::v1::Signal signal;
    signal.set_source("brandweer-vr21");
    signal.set_external_id(id);
    signal.set_theme(i % 2 == 0 ? "2.1" : "3.1");
    signal.set_description(std::string(text, 'x'));
    vik::store::StoredSignalRecord s;
    s.id = id;
    s.status = "actual";
    s.state = "active";
    signal.SerializeToString(&s.payload);
    page.signals[id] = s;
  }
  page.next = page.changes.empty() ? vik::store::ChangeCursor{99, 0} : page.changes.back().cursor;
  page.more = full;
  return page;
}

}  // namespace

TEST_CASE("A page of large changes ends before the change that would pass the byte bound", "[unit][pages]") {
  const auto page = SignalPage(200, kText, true);
  const std::size_t bound = vik::wire::PageBytesFor(4 * 1024 * 1024);
  vik::v1::ListChangesResponse out;
  const auto next = ToProtoPageBounded(page, {}, bound, &out);
  REQUIRE(next.ok());
  INFO("page of " << out.changes_size() << " changes, " << out.ByteSizeLong() << " bytes, bound " << bound);
  CHECK(out.changes_size() > 1);
  CHECK(out.changes_size() < 200);
  CHECK(out.ByteSizeLong() <= bound);
  CHECK(out.more());
  // The cursor after the last change given: the next page starts with the first one left out.
  CHECK(out.next_cursor() == out.changes(out.changes_size() - 1).cursor());
  CHECK(FormatCursor(*next) == out.next_cursor());
  // One more change would not have fitted.
  vik::v1::ListChangesResponse bigger = out;
  vik::v1::Change extra;
  vik::wire::ToProtoChange(page, page.changes[static_cast<std::size_t>(out.changes_size())], &extra);
  *bigger.add_changes() = extra;
  CHECK(bigger.ByteSizeLong() > bound);
}

TEST_CASE("A page within the byte bound is given whole, with the store's cursor and more", "[unit][pages]") {
  const auto page = SignalPage(10, 100, false);
  vik::v1::ListChangesResponse out;
  REQUIRE(ToProtoPageBounded(page, {}, 1 << 20, &out).ok());
  CHECK(out.changes_size() == 10);
  CHECK(out.next_cursor() == "109.0");
  CHECK_FALSE(out.more());
}

TEST_CASE("A page holds at least one change, and a change larger than any page is an error naming it",
          "[unit][pages]") {
  const auto page = SignalPage(3, kText, false);
  vik::v1::ListChangesResponse one;
  REQUIRE(ToProtoPageBounded(page, {}, kText + 1024, &one).ok());
  CHECK(one.changes_size() == 1);
  CHECK(one.next_cursor() == "100.0");
  CHECK(one.more());

  vik::v1::ListChangesResponse none;
  const auto refused = ToProtoPageBounded(page, {}, kText / 2, &none);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == vik::core::StatusCode::kFailedPrecondition);
  INFO(refused.status().message());
  CHECK(refused.status().message().find("change 100.0 (signal.accepted s-0) is ") == 0);
  CHECK(refused.status().message().find("more than a page may hold (32768 bytes") != std::string::npos);
}

TEST_CASE("A filtered page bounded by bytes passes changes that do not match and stays exact", "[unit][pages]") {
  // Themes alternate 2.1, 3.1: the filter keeps the even ones.
  const auto page = SignalPage(6, kText, false);
  vik::domain::ChangeFilter filter;
  filter.themes = {"2"};
  vik::v1::ListChangesResponse out;
  REQUIRE(ToProtoPageBounded(page, filter, 2 * kText + 2048, &out).ok());
  REQUIRE(out.changes_size() == 2);
  CHECK(out.changes(0).cursor() == "100.0");
  CHECK(out.changes(1).cursor() == "102.0");
  // 103.0 did not match and was read before 104.0, which did not fit: the next page starts at 104.0.
  CHECK(out.next_cursor() == "103.0");
  CHECK(out.more());

  // Nothing matching the filter: the whole page is passed, however large.
  vik::domain::ChangeFilter risks_only;
  risks_only.kinds = {"risk.changed"};
  vik::v1::ListChangesResponse empty;
  REQUIRE(ToProtoPageBounded(page, risks_only, 1024, &empty).ok());
  CHECK(empty.changes_size() == 0);
  CHECK(empty.next_cursor() == "105.0");
}

TEST_CASE("A snapshot larger than a message is refused naming the picture", "[unit][pages]") {
  vik::v1::Snapshot snapshot;
  snapshot.mutable_status()->set_region("VR21");
  snapshot.mutable_status()->set_region_name(std::string(4096, 'n'));
  CHECK(vik::wire::CheckSnapshotSize(snapshot, "actual", 1 << 20).ok());
  const auto refused = vik::wire::CheckSnapshotSize(snapshot, "exercise", 1024);
  CHECK(refused.code() == vik::core::StatusCode::kFailedPrecondition);
  CHECK(refused.message().find("the exercise snapshot is ") == 0);
}
