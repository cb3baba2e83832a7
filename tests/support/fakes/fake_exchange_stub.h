#pragma once

// A fake peer for the federation loops (federation/peer_loop.h, StubFactory): a
// vik::v1::ExchangeService::StubInterface whose callback API (async()) answers each call with what
// the test scripts (a handler per method filling the response and returning the status: pages,
// garbage, UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED ...), and records every request.
// Answers are delivered at once, on the calling thread. The blocking and completion-queue APIs are
// not used by the loops and answer UNIMPLEMENTED (or nothing). Header-only, no I/O.
// Thread-safety: safe for concurrent use; a FakePeer outlives the stubs it made.

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "vik/v1/exchange.grpc.pb.h"

namespace vik::testing {

class FakeExchangeStub;

class FakePeer {
 public:
  template <typename Request, typename Response>
  using Handler = std::function<grpc::Status(const Request&, Response*)>;

  void OnListChanges(Handler<vik::v1::ListChangesRequest, vik::v1::ListChangesResponse> h) { Set(list_, std::move(h)); }
  void OnGetSnapshot(Handler<vik::v1::GetSnapshotRequest, vik::v1::Snapshot> h) { Set(snapshot_, std::move(h)); }
  void OnGetRegionalStatus(Handler<vik::v1::GetRegionalStatusRequest, vik::v1::RegionalStatus> h) {
    Set(status_, std::move(h));
  }
  void OnPushChanges(Handler<vik::v1::PushChangesRequest, vik::v1::PushChangesResponse> h) { Set(push_, std::move(h)); }

  std::vector<vik::v1::ListChangesRequest> ListRequests() const { return Get(list_requests_); }
  std::vector<vik::v1::GetSnapshotRequest> SnapshotRequests() const { return Get(snapshot_requests_); }
  std::vector<vik::v1::GetRegionalStatusRequest> StatusRequests() const { return Get(status_requests_); }
  std::vector<vik::v1::PushChangesRequest> PushRequests() const { return Get(push_requests_); }

  // A stub answering as this peer (for federation::StubFactory).
  std::unique_ptr<vik::v1::ExchangeService::StubInterface> NewStub();

 private:
  friend class FakeExchangeStub;

  template <typename Request, typename Response>
  grpc::Status Answer(const Handler<Request, Response>& slot, std::vector<Request>& requests, const Request& request,
                      Response* response) {
    Handler<Request, Response> handler;
    {
      std::lock_guard lock(mu_);
      requests.push_back(request);
      handler = slot;
    }
    if (!handler) {
      return {grpc::StatusCode::UNIMPLEMENTED, "the fake peer has no answer scripted"};
    }
    return handler(request, response);
  }

  Handler<vik::v1::ListChangesRequest, vik::v1::ListChangesResponse> list_;
  Handler<vik::v1::GetSnapshotRequest, vik::v1::Snapshot> snapshot_;
  Handler<vik::v1::GetRegionalStatusRequest, vik::v1::RegionalStatus> status_;
  Handler<vik::v1::PushChangesRequest, vik::v1::PushChangesResponse> push_;
  std::vector<vik::v1::ListChangesRequest> list_requests_;
  std::vector<vik::v1::GetSnapshotRequest> snapshot_requests_;
  std::vector<vik::v1::GetRegionalStatusRequest> status_requests_;
  std::vector<vik::v1::PushChangesRequest> push_requests_;

  template <typename T>
  void Set(T& slot, T value) {
    std::lock_guard lock(mu_);
    slot = std::move(value);
  }
  template <typename T>
  std::vector<T> Get(const std::vector<T>& v) const {
    std::lock_guard lock(mu_);
    return v;
  }

  mutable std::mutex mu_;
};

class FakeExchangeStub final : public vik::v1::ExchangeService::StubInterface {
 public:
  explicit FakeExchangeStub(FakePeer& peer) : async_(peer) {}

  grpc::Status GetRegionalStatus(grpc::ClientContext*, const vik::v1::GetRegionalStatusRequest&,
                                 vik::v1::RegionalStatus*) override {
    return Unimplemented();
  }
  grpc::Status ListChanges(grpc::ClientContext*, const vik::v1::ListChangesRequest&,
                           vik::v1::ListChangesResponse*) override {
    return Unimplemented();
  }
  grpc::Status GetSnapshot(grpc::ClientContext*, const vik::v1::GetSnapshotRequest&, vik::v1::Snapshot*) override {
    return Unimplemented();
  }
  grpc::Status GetNationalStatus(grpc::ClientContext*, const vik::v1::GetNationalStatusRequest&,
                                 vik::v1::NationalStatus*) override {
    return Unimplemented();
  }
  grpc::Status PushChanges(grpc::ClientContext*, const vik::v1::PushChangesRequest&,
                           vik::v1::PushChangesResponse*) override {
    return Unimplemented();
  }
  async_interface* async() override { return &async_; }

 private:
  static grpc::Status Unimplemented() { return {grpc::StatusCode::UNIMPLEMENTED, "the fake stub is async only"}; }

  class Async final : public async_interface {
   public:
    explicit Async(FakePeer& peer) : peer_(peer) {}
    void GetRegionalStatus(grpc::ClientContext*, const vik::v1::GetRegionalStatusRequest* request,
                           vik::v1::RegionalStatus* response, std::function<void(grpc::Status)> done) override {
      done(peer_.Answer(peer_.status_, peer_.status_requests_, *request, response));
    }
    void GetRegionalStatus(grpc::ClientContext*, const vik::v1::GetRegionalStatusRequest*, vik::v1::RegionalStatus*,
                           grpc::ClientUnaryReactor* reactor) override {
      reactor->OnDone(Unimplemented());
    }
    void ListChanges(grpc::ClientContext*, const vik::v1::ListChangesRequest* request,
                     vik::v1::ListChangesResponse* response, std::function<void(grpc::Status)> done) override {
      done(peer_.Answer(peer_.list_, peer_.list_requests_, *request, response));
    }
    void ListChanges(grpc::ClientContext*, const vik::v1::ListChangesRequest*, vik::v1::ListChangesResponse*,
                     grpc::ClientUnaryReactor* reactor) override {
      reactor->OnDone(Unimplemented());
    }
    void WatchChanges(grpc::ClientContext*, const vik::v1::WatchChangesRequest*,
                      grpc::ClientReadReactor<vik::v1::Change>* reactor) override {
      reactor->OnDone(Unimplemented());
    }
    void GetSnapshot(grpc::ClientContext*, const vik::v1::GetSnapshotRequest* request, vik::v1::Snapshot* response,
                     std::function<void(grpc::Status)> done) override {
      done(peer_.Answer(peer_.snapshot_, peer_.snapshot_requests_, *request, response));
    }
    void GetSnapshot(grpc::ClientContext*, const vik::v1::GetSnapshotRequest*, vik::v1::Snapshot*,
                     grpc::ClientUnaryReactor* reactor) override {
      reactor->OnDone(Unimplemented());
    }
    void GetNationalStatus(grpc::ClientContext*, const vik::v1::GetNationalStatusRequest*, vik::v1::NationalStatus*,
                           std::function<void(grpc::Status)> done) override {
      done(Unimplemented());
    }
    void GetNationalStatus(grpc::ClientContext*, const vik::v1::GetNationalStatusRequest*, vik::v1::NationalStatus*,
                           grpc::ClientUnaryReactor* reactor) override {
      reactor->OnDone(Unimplemented());
    }
    void PushChanges(grpc::ClientContext*, const vik::v1::PushChangesRequest* request,
                     vik::v1::PushChangesResponse* response, std::function<void(grpc::Status)> done) override {
      done(peer_.Answer(peer_.push_, peer_.push_requests_, *request, response));
    }
    void PushChanges(grpc::ClientContext*, const vik::v1::PushChangesRequest*, vik::v1::PushChangesResponse*,
                     grpc::ClientUnaryReactor* reactor) override {
      reactor->OnDone(Unimplemented());
    }

   private:
    FakePeer& peer_;
  };

  using Reader = grpc::ClientAsyncResponseReaderInterface<vik::v1::RegionalStatus>;
  Reader* AsyncGetRegionalStatusRaw(grpc::ClientContext*, const vik::v1::GetRegionalStatusRequest&,
                                    grpc::CompletionQueue*) override {
    return nullptr;
  }
  Reader* PrepareAsyncGetRegionalStatusRaw(grpc::ClientContext*, const vik::v1::GetRegionalStatusRequest&,
                                           grpc::CompletionQueue*) override {
    return nullptr;
  }
  grpc::ClientAsyncResponseReaderInterface<vik::v1::ListChangesResponse>* AsyncListChangesRaw(
      grpc::ClientContext*, const vik::v1::ListChangesRequest&, grpc::CompletionQueue*) override {
    return nullptr;
  }
  grpc::ClientAsyncResponseReaderInterface<vik::v1::ListChangesResponse>* PrepareAsyncListChangesRaw(
      grpc::ClientContext*, const vik::v1::ListChangesRequest&, grpc::CompletionQueue*) override {
    return nullptr;
  }
  grpc::ClientReaderInterface<vik::v1::Change>* WatchChangesRaw(grpc::ClientContext*,
                                                                const vik::v1::WatchChangesRequest&) override {
    return nullptr;
  }
  grpc::ClientAsyncReaderInterface<vik::v1::Change>* AsyncWatchChangesRaw(grpc::ClientContext*,
                                                                          const vik::v1::WatchChangesRequest&,
                                                                          grpc::CompletionQueue*, void*) override {
    return nullptr;
  }
  grpc::ClientAsyncReaderInterface<vik::v1::Change>* PrepareAsyncWatchChangesRaw(grpc::ClientContext*,
                                                                                 const vik::v1::WatchChangesRequest&,
                                                                                 grpc::CompletionQueue*) override {
    return nullptr;
  }
  grpc::ClientAsyncResponseReaderInterface<vik::v1::Snapshot>* AsyncGetSnapshotRaw(grpc::ClientContext*,
                                                                                   const vik::v1::GetSnapshotRequest&,
                                                                                   grpc::CompletionQueue*) override {
    return nullptr;
  }
  grpc::ClientAsyncResponseReaderInterface<vik::v1::Snapshot>* PrepareAsyncGetSnapshotRaw(
      grpc::ClientContext*, const vik::v1::GetSnapshotRequest&, grpc::CompletionQueue*) override {
    return nullptr;
  }
  grpc::ClientAsyncResponseReaderInterface<vik::v1::NationalStatus>* AsyncGetNationalStatusRaw(
      grpc::ClientContext*, const vik::v1::GetNationalStatusRequest&, grpc::CompletionQueue*) override {
    return nullptr;
  }
  grpc::ClientAsyncResponseReaderInterface<vik::v1::NationalStatus>* PrepareAsyncGetNationalStatusRaw(
      grpc::ClientContext*, const vik::v1::GetNationalStatusRequest&, grpc::CompletionQueue*) override {
    return nullptr;
  }
  grpc::ClientAsyncResponseReaderInterface<vik::v1::PushChangesResponse>* AsyncPushChangesRaw(
      grpc::ClientContext*, const vik::v1::PushChangesRequest&, grpc::CompletionQueue*) override {
    return nullptr;
  }
  grpc::ClientAsyncResponseReaderInterface<vik::v1::PushChangesResponse>* PrepareAsyncPushChangesRaw(
      grpc::ClientContext*, const vik::v1::PushChangesRequest&, grpc::CompletionQueue*) override {
    return nullptr;
  }

  Async async_;
};

inline std::unique_ptr<vik::v1::ExchangeService::StubInterface> FakePeer::NewStub() {
  return std::make_unique<FakeExchangeStub>(*this);
}

}  // namespace vik::testing
