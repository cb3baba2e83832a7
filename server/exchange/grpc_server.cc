#include "exchange/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
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

void GrpcServer::AddService(grpc::Service* service, std::string full_name) {
  services_.push_back(service);
  service_names_.insert(std::move(full_name));
}

core::Status GrpcServer::Start() {
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  service_names_.insert(grpc::health::v1::Health::service_full_name());
  health_ = std::make_unique<HealthService>(readiness_, service_names_);

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
  builder.RegisterService(health_.get());
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
  server_ = std::move(server);
  bound_port_ = static_cast<std::uint16_t>(selected_port);
  return core::Status::Ok();
}

void GrpcServer::BeginShutdown() {
  if (health_) {
    health_->Shutdown();
  }
}

void GrpcServer::Shutdown(std::chrono::system_clock::time_point deadline) {
  BeginShutdown();
  if (server_) {
    server_->Shutdown(deadline);
    server_->Wait();
    server_.reset();
  }
}

}  // namespace vik::exchange
