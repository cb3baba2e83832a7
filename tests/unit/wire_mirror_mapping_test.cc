// A peer's pages and snapshots as mirror records (untrusted input checked), and the national status
// built from mirrored pictures: regions, freshness and staleness, cross-regional themes.

#include <google/protobuf/util/time_util.h>
#include <catch2/catch.hpp>

#include "wire/mirror_mapping.h"

namespace {

using google::protobuf::util::TimeUtil;
using vik::wire::BuildNationalStatus;
using vik::wire::MirrorApplyOf;
using vik::wire::MirrorSnapshotOf;
using vik::wire::NationalContext;

constexpr std::int64_t kNow = 1'800'000'000'000'000;  // microseconds

vik::v1::Risk MakeRisk(const std::string& id, const std::string& theme, int level, int priority) {
  vik::v1::Risk r;
  r.set_id(id);
  r.set_theme(theme);
  r.set_theme_label("label " + theme);
  r.set_level(level);
  r.set_priority(priority);
  r.set_in_picture(true);
  return r;
}

std::string Bytes(const google::protobuf::Message& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

vik::v1::ListChangesResponse PageWithSignalAndRisk() {
  vik::v1::ListChangesResponse page;
  auto* c1 = page.add_changes();
  c1->set_cursor("10.1");
  c1->set_picture("actual");
  c1->set_kind("signal.accepted");
  c1->set_object("s-1");
  *c1->mutable_at() = TimeUtil::MicrosecondsToTimestamp(kNow - 2000);
  c1->mutable_signal()->set_id("s-1");
  c1->mutable_signal()->set_state("active");
  *c1->mutable_signal()->mutable_received_at() = TimeUtil::MicrosecondsToTimestamp(kNow - 2000);
  auto* c2 = page.add_changes();
  c2->set_cursor("11.1");
  c2->set_picture("actual");
  c2->set_kind("risk.changed");
  c2->set_object("2.1@GM0796");
  *c2->mutable_at() = TimeUtil::MicrosecondsToTimestamp(kNow - 1000);
  *c2->mutable_risk() = MakeRisk("2.1@GM0796", "2.1", 3, 1);
  page.set_next_cursor("11.1");
  return page;
}

}  // namespace

TEST_CASE("A peer's page becomes one apply with its bodies, newest time and cursor", "[unit][mirror]") {
  auto page = PageWithSignalAndRisk();
  auto* c3 = page.add_changes();  // a kind this node does not know: passed, counted
  c3->set_cursor("12.1");
  c3->set_picture("actual");
  c3->set_kind("future.kind");
  c3->set_object("x");
  page.set_next_cursor("12.1");
  const auto apply = MirrorApplyOf("vr21", "VR21", "9.0", page);
  REQUIRE(apply.ok());
  CHECK(apply->peer == "vr21");
  CHECK(apply->from_cursor == "9.0");
  CHECK(apply->next_cursor == "12.1");
  CHECK(apply->changes == 3);
  CHECK(apply->newest_change_us == kNow - 1000);
  REQUIRE(apply->signals.size() == 1);
  CHECK(apply->signals[0].id == "s-1");
  CHECK(apply->signals[0].ended_us == 0);
  REQUIRE(apply->risks.size() == 1);
  CHECK(apply->risks[0].level == 3);
  CHECK(apply->risks[0].in_picture);
  vik::v1::Risk back;
  REQUIRE(back.ParseFromString(apply->risks[0].body));
  CHECK(back.id() == "2.1@GM0796");
}

TEST_CASE("A peer's malformed change refuses the whole page, naming the change and the field", "[unit][mirror]") {
  auto page = PageWithSignalAndRisk();
  page.mutable_changes(1)->mutable_risk()->set_level(9);
  auto bad_level = MirrorApplyOf("vr21", "VR21", "9.0", page);
  REQUIRE_FALSE(bad_level.ok());
  CHECK(bad_level.status().message() == "change 2 from the peer: risk.level 9 is outside 0..4");

  page = PageWithSignalAndRisk();
  page.mutable_changes(0)->set_picture("<script>");
  CHECK(MirrorApplyOf("vr21", "VR21", "9.0", page).status().message().find("change 1 from the peer: picture") == 0);

  page = PageWithSignalAndRisk();
  page.clear_next_cursor();
  CHECK_FALSE(MirrorApplyOf("vr21", "VR21", "9.0", page).ok());

  page = PageWithSignalAndRisk();
  page.mutable_changes(0)->mutable_signal()->clear_received_at();
  CHECK(MirrorApplyOf("vr21", "VR21", "9.0", page).status().message() ==
        "change 1 from the peer: signal.id or signal.received_at is missing");
}

TEST_CASE("A snapshot must name a safety region and carries both pictures", "[unit][mirror]") {
  vik::v1::Snapshot actual;
  actual.mutable_status()->set_region("VR21");
  actual.mutable_status()->set_picture("actual");
  *actual.mutable_status()->add_risks() = MakeRisk("2.1@GM0796", "2.1", 3, 1);
  actual.set_cursor("100.0");
  actual.mutable_region_state()->set_grip_level("2");
  actual.mutable_region_state()->set_version(4);
  vik::v1::Snapshot exercise;
  exercise.mutable_status()->set_region("VR21");
  exercise.mutable_status()->set_picture("exercise");
  *exercise.mutable_status()->add_risks() = MakeRisk("1.1@GM0796", "1.1", 4, 1);
  exercise.set_cursor("101.0");
  const auto s = MirrorSnapshotOf("vr21", "", actual, &exercise);
  REQUIRE(s.ok());
  CHECK(s->region == "VR21");
  CHECK(s->cursor == "100.0");  // the first snapshot's: following from it repeats, never skips
  REQUIRE(s->risks.size() == 2);
  CHECK(s->risks[1].picture == "exercise");
  REQUIRE(s->region_state);
  CHECK(s->region_state->region == "VR21");
  CHECK(s->region_state->version == 4);

  actual.mutable_status()->set_region("");
  CHECK(MirrorSnapshotOf("nl", "", actual, nullptr).status().message().find("names no safety region") !=
        std::string::npos);
}

TEST_CASE("A peer speaks only for its own region: another region's code refuses the page naming the field",
          "[unit][mirror]") {
  auto page = PageWithSignalAndRisk();
  auto* state = page.add_changes();
  state->set_cursor("12.1");
  state->set_picture("actual");
  state->set_kind("region.state");
  state->set_object("VR21");
  state->mutable_region_state()->set_region("VR21");
  state->mutable_region_state()->set_grip_level("1");
  page.set_next_cursor("12.1");
  REQUIRE(MirrorApplyOf("vr21", "VR21", "9.0", page).ok());

  state->mutable_region_state()->set_region("VR01");
  const auto other_state = MirrorApplyOf("vr21", "VR21", "9.0", page);
  REQUIRE_FALSE(other_state.ok());
  CHECK(other_state.status().code() == vik::core::StatusCode::kPermissionDenied);
  CHECK(other_state.status().message() ==
        "change 3 from the peer: region_state.region is \"VR01\", but the peer speaks only for its own region VR21");

  state->mutable_region_state()->set_region("VR21");
  state->set_object("VR05");
  CHECK(MirrorApplyOf("vr21", "VR21", "9.0", page).status().message() ==
        "change 3 from the peer: object is \"VR05\", but the peer speaks only for its own region VR21");

  // A snapshot claiming another region, or carrying another region's state or exercise picture.
  vik::v1::Snapshot actual;
  actual.mutable_status()->set_region("VR05");
  actual.set_cursor("100.0");
  const auto claimed = MirrorSnapshotOf("vr21", "VR21", actual, nullptr);
  REQUIRE_FALSE(claimed.ok());
  CHECK(claimed.status().code() == vik::core::StatusCode::kPermissionDenied);
  CHECK(claimed.status().message() ==
        "the peer's snapshot: status.region is \"VR05\", but the peer speaks only for its own region VR21");
  actual.mutable_status()->set_region("VR21");
  actual.mutable_region_state()->set_region("VR01");
  CHECK(MirrorSnapshotOf("vr21", "VR21", actual, nullptr).status().message().find("region_state.region is \"VR01\"") !=
        std::string::npos);
  actual.mutable_region_state()->set_region("VR21");
  vik::v1::Snapshot exercise;
  exercise.mutable_status()->set_region("VR20");
  exercise.set_cursor("101.0");
  // Not configured: the actual snapshot's region is taken, and the exercise snapshot must agree.
  CHECK(MirrorSnapshotOf("vr21", "", actual, &exercise)
            .status()
            .message()
            .find("the peer's exercise snapshot: "
                  "status.region") == 0);
  exercise.mutable_status()->set_region("VR21");
  CHECK(MirrorSnapshotOf("vr21", "", actual, &exercise).ok());

  // The regional status too.
  vik::v1::RegionalStatus status;
  status.set_region("VR05");
  CHECK(vik::wire::StatusSummaryOf("VR21", status).status().code() == vik::core::StatusCode::kPermissionDenied);
  status.set_region("VR21");
  *status.add_risks() = MakeRisk("2.1@GM0796", "2.1", 3, 1);
  const auto summary = vik::wire::StatusSummaryOf("VR21", status);
  REQUIRE(summary.ok());
  vik::v1::RegionalStatus back;
  REQUIRE(back.ParseFromString(*summary));
  CHECK(back.risks_size() == 0);
}

TEST_CASE("Texts a peer sends are free of NUL and control characters, or the page is refused naming the field",
          "[unit][mirror]") {
  auto page = PageWithSignalAndRisk();
  page.mutable_changes(0)->mutable_signal()->mutable_signal()->set_description("line one\nline two\ttab\r\n");
  REQUIRE(MirrorApplyOf("vr21", "VR21", "9.0", page).ok());

  page.mutable_changes(0)->mutable_signal()->mutable_signal()->set_description(
      "a\x01"
      "b");
  CHECK(MirrorApplyOf("vr21", "VR21", "9.0", page).status().message() ==
        "change 1 from the peer: signal.signal.description contains control character 0x01 at byte 1");

  page = PageWithSignalAndRisk();
  page.mutable_changes(0)->mutable_signal()->mutable_signal()->mutable_area()->add_municipalities("GM0796");
  page.mutable_changes(0)->mutable_signal()->mutable_signal()->mutable_area()->add_municipalities(
      std::string("nul\0", 4));
  CHECK(MirrorApplyOf("vr21", "VR21", "9.0", page).status().message() ==
        "change 1 from the peer: signal.signal.area.municipalities[1] contains NUL at byte 3");

  page = PageWithSignalAndRisk();
  page.mutable_changes(1)->mutable_risk()->set_theme_label("\x1b[31mred");
  CHECK(MirrorApplyOf("vr21", "VR21", "9.0", page).status().message() ==
        "change 2 from the peer: risk.theme_label contains control character 0x1b at byte 0");

  vik::v1::Snapshot actual;
  actual.mutable_status()->set_region("VR21");
  actual.mutable_status()->set_region_name("Brabant\x07Noord");
  actual.set_cursor("100.0");
  CHECK(MirrorSnapshotOf("vr21", "VR21", actual, nullptr).status().message() ==
        "the peer's snapshot: status.region_name contains control character 0x07 at byte 7");

  vik::v1::RegionalStatus status;
  status.set_region("VR21");
  status.set_grip_level("\x1b");
  CHECK(vik::wire::StatusSummaryOf("VR21", status).status().message() ==
        "the peer's regional status: grip_level contains control character 0x1b at byte 0");
}

TEST_CASE("The national status lists regions with freshness and finds themes at risk in two regions",
          "[unit][mirror]") {
  vik::store::MirrorOverview overview;
  vik::store::MirrorPeerView a;
  a.peer.name = "vr20";
  a.peer.region = "VR20";
  a.peer.last_contact_us = kNow - 1'000'000;
  a.peer.changes_applied = 42;
  a.top_risks = {Bytes(MakeRisk("2.1@GM0826", "2.1", 3, 1))};
  a.risks_by_level = {0, 0, 0, 1, 0};
  vik::v1::RegionState state;
  state.set_grip_level("1");
  state.set_phase("warm");
  a.region_state = Bytes(state);
  vik::store::MirrorPeerView b;
  b.peer.name = "vr22";
  b.peer.region = "VR22";
  b.peer.last_contact_us = kNow - 60'000'000;  // a minute ago: stale after 30 s
  b.peer.last_error = "ListChanges: UNAVAILABLE: connection refused";
  vik::store::MirrorPeerView never;
  never.peer.name = "vr23";
  overview.peers = {a, b, never};
  overview.themes = {{"vr20", "2.1", 3, 1, "Branden"}, {"vr22", "1.1", 2, 1, "Overstromingen"}};

  vik::v1::RegionalStatus own;
  own.set_region("VR21");
  own.set_region_name("Brabant-Noord");
  own.set_grip_level("2");
  *own.add_risks() = MakeRisk("2.1@GM0796", "2.1", 4, 1);
  *own.add_risks() = MakeRisk("1.1@GM0796", "1.1", 1, 2);  // below min_level: no theme
  own.set_risks_in_picture(2);

  const NationalContext ctx{vik::domain::NodeRole::kRegional, "VR21", std::chrono::seconds(30)};
  const auto s = BuildNationalStatus(ctx, overview, &own, 1, 2, kNow);
  REQUIRE(s.regions_size() == 4);
  CHECK(s.regions(0).region() == "VR21");
  CHECK(s.regions(0).peer().empty());
  CHECK(s.regions(0).top_risks_size() == 1);  // top = 1
  CHECK(s.regions(0).risks_by_level(4) == 1);
  CHECK(s.regions(1).grip_level() == "1");
  CHECK(s.regions(1).phase() == "warm");
  CHECK(s.regions(1).risks_in_picture() == 1);
  CHECK(s.regions(1).freshness().changes_applied() == 42);
  CHECK_FALSE(s.regions(1).freshness().stale());
  CHECK(s.regions(1).freshness().silent_seconds() == 1);
  CHECK(s.regions(2).freshness().stale());
  CHECK(s.regions(2).freshness().last_error() == "ListChanges: UNAVAILABLE: connection refused");
  CHECK(s.regions(3).freshness().stale());  // never reached
  CHECK(s.regions(3).freshness().silent_seconds() == -1);
  CHECK(s.regions_stale() == 2);
  // 2.1 at VR21 (4) and VR20 (3); 1.1 only at VR22 (VR21's is below the level): one theme.
  REQUIRE(s.cross_regional_size() == 1);
  CHECK(s.cross_regional(0).theme() == "2.1");
  CHECK(s.cross_regional(0).max_level() == 4);
  REQUIRE(s.cross_regional(0).regions_size() == 2);
  CHECK(s.cross_regional(0).regions(0).region() == "VR21");
  CHECK(s.cross_regional(0).regions(1).region() == "VR20");
}
