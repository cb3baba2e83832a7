// domain::ChangeFilter: which changes a filter admits (themes by subtree, municipalities with
// region-wide changes, minimum level for risks, kinds, picture) and how malformed filters are named.

#include <catch2/catch.hpp>

#include "domain/change_filter.h"

namespace {

using vik::domain::ChangeFacts;
using vik::domain::ChangeFilter;
using vik::domain::Matches;

ChangeFacts Risk(const std::string& theme, const std::string& municipality, std::optional<int> level,
                 const std::string& picture = "actual") {
  ChangeFacts f{"risk.changed", picture, theme, {}, level};
  if (!municipality.empty()) {
    f.municipalities.push_back(municipality);
  }
  return f;
}

ChangeFacts Signal(const std::string& theme, std::vector<std::string> municipalities) {
  return {"signal.accepted", "actual", theme, std::move(municipalities), std::nullopt};
}

}  // namespace

TEST_CASE("an empty filter admits every change", "[domain][filter]") {
  const ChangeFilter f;
  CHECK(f.empty());
  CHECK(Matches(f, Risk("2.1", "GM0796", 0)));
  CHECK(Matches(f, Signal("", {})));
  CHECK(Matches(f, {"region.state", "actual", "", {}, std::nullopt}));
}

TEST_CASE("a theme filter admits the theme and its subtree only", "[domain][filter]") {
  ChangeFilter f;
  f.themes = {"2", "3.1"};
  CHECK(Matches(f, Risk("2", "GM0796", 1)));
  CHECK(Matches(f, Risk("2.1", "GM0796", 1)));
  CHECK(Matches(f, Risk("2.1.4", "GM0796", 1)));
  CHECK(Matches(f, Signal("3.1.2", {"GM0796"})));
  CHECK_FALSE(Matches(f, Risk("21", "GM0796", 1)));
  CHECK_FALSE(Matches(f, Risk("3", "GM0796", 1)));
  CHECK_FALSE(Matches(f, Signal("3.10", {"GM0796"})));
  CHECK_FALSE(Matches(f, Signal("", {"GM0796"})));  // unclassified
}

TEST_CASE("a municipality filter admits changes there and region-wide ones", "[domain][filter]") {
  ChangeFilter f;
  f.municipalities = {"GM0796"};
  CHECK(Matches(f, Risk("2.1", "GM0796", 2)));
  CHECK(Matches(f, Risk("2.1", "", 2)));  // "2.1@region"
  CHECK(Matches(f, Signal("2.1", {"GM0828", "GM0796"})));
  CHECK(Matches(f, Signal("2.1", {})));
  CHECK_FALSE(Matches(f, Risk("2.1", "GM0828", 2)));
  CHECK_FALSE(Matches(f, Signal("2.1", {"GM0828"})));
}

TEST_CASE("a minimum level admits risks at or above it and lets signals pass", "[domain][filter]") {
  ChangeFilter f;
  f.min_level = 3;
  CHECK(Matches(f, Risk("2.1", "GM0796", 3)));
  CHECK(Matches(f, Risk("2.1", "GM0796", 4)));
  CHECK_FALSE(Matches(f, Risk("2.1", "GM0796", 2)));
  CHECK_FALSE(Matches(f, Risk("2.1", "GM0796", std::nullopt)));  // no row yet
  CHECK(Matches(f, Signal("2.1", {"GM0796"})));
}

TEST_CASE("kinds and picture narrow the feed, region states follow kinds only", "[domain][filter]") {
  ChangeFilter f;
  f.kinds = {"risk.changed", "region.state"};
  f.picture = "exercise";
  f.themes = {"9"};
  CHECK(Matches(f, Risk("9.1", "GM0796", 1, "exercise")));
  CHECK_FALSE(Matches(f, Risk("9.1", "GM0796", 1, "actual")));
  CHECK_FALSE(Matches(f, Signal("9.1", {})));
  CHECK(Matches(f, {"region.state", "actual", "", {}, std::nullopt}));
  f.kinds = {"risk.changed"};
  CHECK_FALSE(Matches(f, {"region.state", "actual", "", {}, std::nullopt}));
}

TEST_CASE("malformed filters are refused naming the field", "[domain][filter]") {
  auto message = [](ChangeFilter f) { return vik::domain::ValidateFilter(f).message(); };
  ChangeFilter ok;
  ok.themes = {"2", "3.1.20"};
  ok.municipalities = {"GM0796"};
  ok.min_level = 4;
  ok.kinds = {"signal.ended"};
  ok.picture = "actual";
  CHECK(vik::domain::ValidateFilter(ok).ok());
  ChangeFilter f;
  f.themes = {"2..1"};
  CHECK_THAT(message(f), Catch::StartsWith("themes: \"2..1\""));
  f = {};
  f.municipalities = {"0796"};
  CHECK_THAT(message(f), Catch::StartsWith("municipalities: \"0796\""));
  f = {};
  f.min_level = 5;
  CHECK_THAT(message(f), Catch::StartsWith("minLevel:"));
  f = {};
  f.kinds = {"risk.*"};
  CHECK_THAT(message(f), Catch::StartsWith("kinds: unknown kind \"risk.*\""));
  f = {};
  f.picture = "test";
  CHECK_THAT(message(f), Catch::StartsWith("picture:"));
  f = {};
  f.themes.assign(51, "1");
  CHECK_THAT(message(f), Catch::StartsWith("themes: at most 50"));
}

TEST_CASE("a risk id splits into theme and municipality", "[domain][filter]") {
  CHECK(vik::domain::SplitRiskId("2.1@GM0796").theme == "2.1");
  CHECK(vik::domain::SplitRiskId("2.1@GM0796").municipality == "GM0796");
  CHECK(vik::domain::SplitRiskId("2.1@region").municipality.empty());
  CHECK(vik::domain::SplitRiskId("@region").theme.empty());
}
