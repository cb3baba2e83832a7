// libFuzzer target for the request messages: the first byte picks one, the rest is its body.
// - JSON (and CAP XML) bodies of the write routes (signals, region state, assessments,
//   subscriptions and their filters, CAP) go straight to the route's handler
//   of the in-process surface (surface_fixture.h): decoding, validation and mapping run as served.
//   The answer must come, with a documented status, never 500, a valid UTF-8 body without
//   database text.
// - Protobuf bytes of every gRPC request message are parsed and, when they parse, put through the
//   mappings the services use (signal decoding and validation, cursors, filters, pushed pages and
//   snapshots); the same bytes are then sent to the RPC itself on the surface's gRPC server. The
//   call must end with a code other than INTERNAL, UNKNOWN or UNIMPLEMENTED and a valid UTF-8
//   message without database text.
// Built by tests/fuzz/CMakeLists.txt (VIK_FUZZ=ON), run by tests/fuzz/run.sh.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include "core/clock.h"
#include "core/utf8.h"
#include "domain/change_filter.h"
#include "domain/signal_validation.h"
#include "fuzz/answer_check.h"
#include "fuzz/surface_fixture.h"
#include "vik/v1/exchange.pb.h"
#include "vik/v1/ingest.pb.h"
#include "wire/change_filters.h"
#include "wire/change_mapping.h"
#include "wire/ingest_mapping.h"
#include "wire/mirror_mapping.h"

namespace {

namespace bhttp = boost::beast::http;

[[noreturn]] void Finding(const std::string& what, std::string_view detail) {
  std::fprintf(stderr, "messages_fuzz: %s\n--- detail (%zu bytes) ---\n%.*s\n", what.c_str(), detail.size(),
               static_cast<int>(std::min<std::size_t>(detail.size(), 2000)), detail.data());
  __builtin_trap();
}

struct JsonRoute {
  bhttp::verb method;
  const char* path;
  const char* content_type;
};

constexpr JsonRoute kJsonRoutes[] = {
    {bhttp::verb::post, "/v1/signals", "application/json"},
    {bhttp::verb::put, "/v1/region/state", "application/json"},
    {bhttp::verb::put, "/v1/risks/2.1@GM0796/assessment", "application/json"},
    {bhttp::verb::post, "/v1/subscriptions", "application/json"},
    {bhttp::verb::post, "/v1/cap", "application/cap+xml"},
};

void Route(const JsonRoute& route, std::string_view body) {
  const auto& surface = vik::fuzz::GetSurface();
  auto request = std::make_shared<vik::http::Request>();
  request->msg.method(route.method);
  request->msg.target(route.path);
  request->msg.set(bhttp::field::authorization, std::string("Bearer ") + std::string(vik::fuzz::kToken));
  request->msg.set(bhttp::field::content_type, route.content_type);
  request->msg.body() = std::string(body);
  request->msg.prepare_payload();
  request->path = route.path;
  request->remote_address = "127.0.0.1:1";
  request->start_stream = [](vik::http::Response, std::shared_ptr<vik::http::StreamSource> source) {
    source->Cancel();
  };
  const auto match = surface.router->Find(route.method, request->path);
  if (match.handler == nullptr) {
    Finding(std::string("no handler for ") + route.path, {});
  }
  auto answer = std::make_shared<std::promise<vik::http::Response>>();
  auto answered = answer->get_future();
  (*match.handler)(request, [answer](vik::http::Response res) { answer->set_value(std::move(res)); });
  if (answered.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    Finding(std::string("no answer within 5 s from ") + route.path, body);
  }
  const auto res = answered.get();
  const unsigned status = res.result_int();
  if (!vik::fuzz::DocumentedStatus(status) || status == 100) {
    Finding(std::string(route.path) + ": undocumented status " + std::to_string(status), res.body());
  }
  if (!vik::core::IsValidUtf8(res.body())) {
    Finding(std::string(route.path) + ": body is not valid UTF-8", res.body());
  }
  if (vik::fuzz::HasDatabaseText(res.body(), body)) {
    Finding(std::string(route.path) + ": database text in the body", res.body());
  }
}

// The mappings behind each RPC, on a parsed message.
void Signals(const google::protobuf::RepeatedPtrField<vik::v1::Signal>& signals) {
  vik::domain::SignalLimits limits;
  const auto now = vik::core::SystemClock().Now();
  for (const auto& s : signals) {
    auto incoming = vik::wire::ToIncoming(s);
    auto violations = vik::domain::MergeViolations(
        incoming.violations, vik::domain::ValidateSignal(incoming.signal, vik::fuzz::Region(), limits, now));
    std::size_t total = 0;
    for (const auto& v : violations) {
      total += vik::domain::FormatViolation(v, "signals[0]").size();
    }
    (void)total;
  }
}

void Filter(const vik::v1::ChangeFilter& proto) {
  auto filter = vik::wire::FilterFromProto(proto);
  if (filter.ok()) {
    (void)vik::domain::ValidateFilter(*filter);
    vik::v1::ChangeFilter back;
    vik::wire::FilterToProto(*filter, &back);
  }
}

void Page(const vik::v1::ListChangesResponse& page) {
  (void)vik::wire::MirrorApplyOf("vr05", "VR05", "", page);
  for (const auto& c : page.changes()) {
    (void)vik::wire::FactsOf(c);
    (void)vik::wire::ChangeJson(c);
  }
}

struct Rpc {
  const char* method;
  void (*map)(std::string_view bytes);
};

template <typename M>
bool Parse(std::string_view bytes, M* m) {
  return m->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

const Rpc kRpcs[] = {
    {"/vik.v1.IngestService/Submit",
     [](std::string_view b) {
       vik::v1::SubmitRequest m;
       if (Parse(b, &m)) {
         Signals(m.signals());
       }
     }},
    {"/vik.v1.IngestService/SubmitStream",
     [](std::string_view b) {
       vik::v1::SubmitStreamRequest m;
       if (Parse(b, &m)) {
         google::protobuf::RepeatedPtrField<vik::v1::Signal> one;
         *one.Add() = m.signal();
         Signals(one);
       }
     }},
    {"/vik.v1.IngestService/SubmitCap",
     [](std::string_view b) {
       vik::v1::SubmitCapRequest m;
       (void)Parse(b, &m);
     }},
    {"/vik.v1.ExchangeService/GetRegionalStatus",
     [](std::string_view b) {
       vik::v1::GetRegionalStatusRequest m;
       (void)Parse(b, &m);
     }},
    {"/vik.v1.ExchangeService/ListChanges",
     [](std::string_view b) {
       vik::v1::ListChangesRequest m;
       if (Parse(b, &m)) {
         (void)vik::wire::ParseCursor(m.after(), "after");
         Filter(m.filter());
       }
     }},
    {"/vik.v1.ExchangeService/WatchChanges",
     [](std::string_view b) {
       vik::v1::WatchChangesRequest m;
       if (Parse(b, &m)) {
         (void)vik::wire::ParseCursor(m.after(), "after");
         Filter(m.filter());
       }
     }},
    {"/vik.v1.ExchangeService/GetSnapshot",
     [](std::string_view b) {
       vik::v1::GetSnapshotRequest m;
       (void)Parse(b, &m);
     }},
    {"/vik.v1.ExchangeService/GetNationalStatus",
     [](std::string_view b) {
       vik::v1::GetNationalStatusRequest m;
       (void)Parse(b, &m);
     }},
    {"/vik.v1.ExchangeService/PushChanges",
     [](std::string_view b) {
       vik::v1::PushChangesRequest m;
       if (Parse(b, &m)) {
         (void)vik::wire::ParseCursor(m.from_cursor(), "from_cursor");
         Page(m.page());
         if (m.has_snapshot()) {
           (void)vik::wire::MirrorSnapshotOf("vr05", "", m.snapshot(),
                                             m.has_exercise_snapshot() ? &m.exercise_snapshot() : nullptr);
         }
       }
     }},
};

// Sends `bytes` as the one request message of `method` (any RPC's wire form is a stream of
// messages) and returns the final status.
grpc::Status CallRaw(const std::string& method, std::string_view bytes) {
  static auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(vik::fuzz::GetSurface().grpc_port),
                                            grpc::InsecureChannelCredentials());
  static grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization", std::string("Bearer ") + std::string(vik::fuzz::kToken));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(1500));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&context, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](void* want) {
    (void)want;
    return cq.Next(&tag, &ok) && ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  if (step(reinterpret_cast<void*>(1))) {
    grpc::Slice slice(bytes.data(), bytes.size());
    grpc::ByteBuffer request(&slice, 1);
    call->Write(request, reinterpret_cast<void*>(2));
    if (step(reinterpret_cast<void*>(2))) {
      call->WritesDone(reinterpret_cast<void*>(3));
      (void)step(reinterpret_cast<void*>(3));
      grpc::ByteBuffer response;
      for (int i = 0; i < 64; ++i) {
        call->Read(&response, reinterpret_cast<void*>(4));
        if (!step(reinterpret_cast<void*>(4))) {
          break;
        }
      }
    }
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  (void)cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

void Grpc(const Rpc& rpc, std::string_view bytes) {
  rpc.map(bytes);
  const grpc::Status status = CallRaw(rpc.method, bytes);
  const auto code = status.error_code();
  const std::string detail = std::string(rpc.method) + ": " + std::to_string(code) + " " + status.error_message();
  if (code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
      code == grpc::StatusCode::UNIMPLEMENTED) {
    Finding("gRPC call ended " + detail, bytes);
  }
  if (!vik::core::IsValidUtf8(status.error_message())) {
    Finding("gRPC message is not valid UTF-8: " + detail, bytes);
  }
  if (vik::fuzz::HasDatabaseText(status.error_message(), bytes)) {
    Finding("database text in a gRPC message: " + detail, bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  constexpr std::size_t kJson = sizeof kJsonRoutes / sizeof kJsonRoutes[0];
  constexpr std::size_t kGrpc = sizeof kRpcs / sizeof kRpcs[0];
  const std::size_t pick = data[0] % (kJson + kGrpc);
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (pick < kJson) {
    Route(kJsonRoutes[pick], body);
  } else {
    Grpc(kRpcs[pick - kJson], body);
  }
  return 0;
}
