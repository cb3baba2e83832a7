#include "bench/signals.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/evp.h>

namespace vik::bench {
namespace {

constexpr const char* kTheme = "2.1";
constexpr const char* kMunicipality = "GM0796";

void SetNow(google::protobuf::Timestamp* out) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  out->set_seconds(ns / 1'000'000'000);
  out->set_nanos(static_cast<int>(ns % 1'000'000'000));
}

Spread WithDefaults(Spread spread) {
  if (spread.themes.empty()) {
    spread.themes = {kTheme};
  }
  if (spread.municipalities.empty()) {
    spread.municipalities = {kMunicipality};
  }
  return spread;
}

}  // namespace

std::string CanonicalPayload(const vik::v1::Signal& signal) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    signal.SerializeToCodedStream(&coded);
  }
  return out;
}

std::string Sha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string NowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us % 1'000'000));
  return buf;
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

SignalFactory::SignalFactory(std::string source, std::string run_prefix, Spread spread)
    : source_(std::move(source)), prefix_(std::move(run_prefix)), spread_(WithDefaults(std::move(spread))) {}

const std::string& SignalFactory::Theme(std::uint64_t n) const { return spread_.themes[n % spread_.themes.size()]; }

const std::string& SignalFactory::Municipality(std::uint64_t n) const {
  return spread_.municipalities[(n / spread_.themes.size()) % spread_.municipalities.size()];
}

std::string SignalFactory::ExternalId(std::uint64_t n) const { return prefix_ + "-" + std::to_string(n); }

std::string SignalFactory::Headline(std::uint64_t n) {
  return "Brand in kwetsbaar object, melding " + std::to_string(n);
}

void SignalFactory::Fill(vik::v1::Signal* out) {
  const std::uint64_t n = Next();
  out->set_source(source_);
  out->set_external_id(ExternalId(n));
  out->set_msg_type(vik::v1::MSG_TYPE_ALERT);
  out->set_status(vik::v1::SIGNAL_STATUS_ACTUAL);
  out->set_kind(vik::v1::SIGNAL_KIND_INCIDENT);
  out->add_categories(vik::v1::CATEGORY_FIRE);
  out->set_theme(Theme(n));
  out->set_urgency(vik::v1::URGENCY_IMMEDIATE);
  out->set_severity(vik::v1::SEVERITY_SEVERE);
  out->set_certainty(vik::v1::CERTAINTY_OBSERVED);
  SetNow(out->mutable_sent_at());
  out->mutable_area()->add_municipalities(Municipality(n));
  out->set_headline(Headline(n));
}

void SignalFactory::AppendJson(std::string& out) {
  const std::uint64_t n = Next();
  out += R"({"source":")";
  out += source_;
  out += R"(","externalId":")";
  out += ExternalId(n);
  out += R"(","msgType":"MSG_TYPE_ALERT","status":"SIGNAL_STATUS_ACTUAL","kind":"SIGNAL_KIND_INCIDENT",)"
         R"("categories":["CATEGORY_FIRE"],"theme":")";
  out += Theme(n);
  out += R"(","urgency":"URGENCY_IMMEDIATE","severity":"SEVERITY_SEVERE","certainty":"CERTAINTY_OBSERVED",)"
         R"("sentAt":")";
  out += NowRfc3339();
  out += R"(","area":{"municipalities":[")";
  out += Municipality(n);
  out += R"("]},"headline":")";
  out += Headline(n);
  out += R"("})";
}

StoredRow SignalFactory::MakeRow(const std::string& partner, const std::string& received_by) {
  vik::v1::Signal signal;
  Fill(&signal);
  const std::string payload = CanonicalPayload(signal);
  return StoredRow{{signal.source(), signal.external_id(), "\\x" + Hex(Sha256(payload)), "alert", "actual", "incident",
                    "{fire}", signal.theme(), "immediate", "severe", "observed", NowRfc3339(),
                    "{" + signal.area().municipalities(0) + "}", signal.headline(), "[]", "\\x" + Hex(payload),
                    received_by, partner}};
}

}  // namespace vik::bench
