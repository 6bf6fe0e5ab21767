#pragma once
// GridServerTest: a GridServer in-process on 127.0.0.1:0 over SQLite in a temp data_dir, its
// config parsed from the YAML a deployment would use (e2e_harness.hpp), and a ProtocolClient
// that trusts the certificate the server generated on first start.
//
// The server's clock is an OffsetClock (clock_) so a test can move the grid's time (token
// expiry); the client uses the real clock.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "e2e_harness.hpp"
#include "vgi/client/protocol_client.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/store/store.hpp"

namespace spdlog { class logger; }

namespace vgi::e2e {

class GridServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Fills setup_'s folders; a derived fixture may change setup_ before StartServer.
  void InitSetup(const std::string& data_dir);
  void StartServer();  // parses the YAML, starts, makes client_
  void StopServer();   // stops and closes the database
  void RestartServer() {
    StopServer();
    StartServer();
  }

  // A second handle on the server's database (SQLite WAL: fine while the server runs).
  server::StoreHandle OpenStore();
  std::optional<store::StationDay> Day(const std::string& station, proto::BeijingDate day);

  // A sealed request body (fresh TimeStamp/Seq) and the bearer header of the client's token.
  std::string SealedBody(std::string_view data_json);
  std::string Bearer();
  // The path of an interface ("/evcs/v1/<name>").
  [[nodiscard]] std::string PathOf(proto::Interface i) const { return client_->Path(i); }

  // Opens a reply: signed under the inbound keys (`must_be_signed`), or the unsigned refusal a
  // responder gives a caller it cannot sign for. Fails the test on a malformed body.
  proto::OpenedResponse Open(const client::HttpReply& reply, bool must_be_signed);

  // Sends through the client and fails the test on a transport error.
  template <class T>
  proto::OpenedResponse Send(proto::Interface i, const T& data) {
    auto r = client_->Send(i, data);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::move(*r) : proto::OpenedResponse{proto::Ret::kSystemError, -1, r.status().ToString(), {}, false};
  }
  proto::OpenedResponse Call(proto::Interface i, std::string_view data_json);

  TempDir dir_;
  ServerSetup setup_;
  OffsetClock clock_;
  // Shared by every client the test makes (see MakeClient), across server restarts.
  std::shared_ptr<proto::StampGenerator> stamps_ = std::make_shared<proto::StampGenerator>(Clock::System());
  server::Config config_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<server::GridServer> server_;
  std::unique_ptr<client::ProtocolClient> client_;
};

}  // namespace vgi::e2e
