#include "exchange/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "core/logging.h"

namespace vik::exchange {

GrpcServer::GrpcServer(GrpcOptions options, prometheus::Registry& registry, core::ReadinessState& readiness)
    : options_(std::move(options)), metrics_(registry), readiness_(readiness) {}

GrpcServer::~GrpcServer() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now());
  }
}

void GrpcServer::AddService(grpc::Service* service) { services_.push_back(service); }

core::Status GrpcServer::Start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int selected_port = 0;
  const std::string address = (options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host) +
                              ":" + std::to_string(options_.port);
  // TLS is terminated in front of vikd (see docs/operations.md); the listener is plaintext.
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &selected_port);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  for (grpc::Service* s : services_) {
    builder.RegisterService(s);
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(metrics_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  auto server = builder.BuildAndStart();
  if (!server || selected_port == 0) {
    return core::Unavailable("grpc: cannot listen on " + address);
  }
  {
    std::lock_guard lock(mu_);
    server_ = std::move(server);
    bound_port_ = static_cast<std::uint16_t>(selected_port);
  }
  readiness_.Subscribe([this](bool ready) { OnReadinessChange(ready); });
  return core::Status::Ok();
}

void GrpcServer::OnReadinessChange(bool ready) {
  std::lock_guard lock(mu_);
  if (!server_ || shutting_down_) {
    return;
  }
  if (auto* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(ready);
  }
}

void GrpcServer::BeginShutdown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  if (server_) {
    if (auto* health = server_->GetHealthCheckService()) {
      health->SetServingStatus(false);
      health->Shutdown();
    }
  }
}

void GrpcServer::Shutdown(std::chrono::system_clock::time_point deadline) {
  std::unique_ptr<grpc::Server> server;
  {
    std::lock_guard lock(mu_);
    server = std::move(server_);
  }
  if (server) {
    server->Shutdown(deadline);
    server->Wait();
  }
}

}  // namespace vik::exchange
