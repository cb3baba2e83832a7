#include "rpc/grpc_server.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "core/logging.h"

namespace vik::rpc {
namespace {

constexpr const char* kReflectionService = "grpc.reflection.v1alpha.ServerReflection";

// "/<service>/<method>" for every method of the named services, from the generated descriptors.
std::set<std::string> MethodsOf(const std::set<std::string>& services) {
  std::set<std::string> methods;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& name : services) {
    const auto* service = pool->FindServiceByName(name);
    if (service == nullptr) {
      continue;
    }
    for (int i = 0; i < service->method_count(); ++i) {
      methods.insert("/" + name + "/" + service->method(i)->name());
    }
  }
  return methods;
}

// Linking gRPC's reflection library registers its plugin with every ServerBuilder; this option
// takes it out again when reflection is off.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const auto& p) { return p->name() == "proto_server_reflection"; });
  }
};

}  // namespace

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
  if (options_.reflection) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  }
  service_names_.insert(grpc::health::v1::Health::service_full_name());
  health_ = std::make_unique<HealthService>(readiness_, service_names_, options_.max_health_watchers);
  std::set<std::string> methods = MethodsOf(service_names_);
  if (options_.reflection) {
    methods.insert(std::string("/") + kReflectionService + "/ServerReflectionInfo");
  }

  grpc::ServerBuilder builder;
  int selected_port = 0;
  const std::string address =
      (options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host) + ":" +
      std::to_string(options_.port);
  // TLS is terminated in front of vikd (see docs/operations.md); the listener is plaintext.
  if (!options_.reflection) {
    builder.SetOption(std::make_unique<WithoutReflection>());
  }
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &selected_port);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  if (options_.max_connection_idle.count() > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, static_cast<int>(options_.max_connection_idle.count()));
  }
  grpc::ResourceQuota quota("vik-grpc");
  quota.Resize(options_.memory_quota_bytes);
  builder.SetResourceQuota(quota);
  builder.RegisterService(health_.get());
  for (grpc::Service* s : services_) {
    builder.RegisterService(s);
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(metrics_, std::move(methods)));
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

}  // namespace vik::rpc
