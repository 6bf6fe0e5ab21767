// The store conformance suite, continued (see store_conformance.cpp): the console's users,
// sessions and hash-chained audit log (issue 6).
#include <thread>

#include "store_conformance_util.hpp"
#include "vgi/store/audit_chain.hpp"

namespace vgi::store {
namespace {

using namespace conformance;  // NOLINT

UserRow User(const std::string& name, SystemTime at) {
  UserRow u;
  u.username = name;
  u.display_name = "调度员 " + name;
  u.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
  u.roles = 0b00011;
  u.password_changed_at = at;
  u.created_at = at;
  u.updated_at = at;
  return u;
}

AuditRow Audit(const std::string& operation, const std::string& object, SystemTime at) {
  AuditRow a;
  a.at = at;
  a.username = "alice";
  a.source = "10.1.2.3";
  a.operation = operation;
  a.object = object;
  a.result = "ok";
  a.detail = "peak shaving 20 MW, area 1201, 18:00–20:00";
  a.seq = 99;              // ignored
  a.prev_hash = "forged";  // ignored
  a.hash = "forged";       // ignored
  return a;
}

TEST_P(StoreConformance, UsersAreStoredReplacedAndListedByName) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  VGI_ASSERT_OK(h.store().PutUser(User("bob", t)));
  VGI_ASSERT_OK(h.store().PutUser(User("alice", t)));
  UserRow changed = User("bob", t + 1s);
  changed.roles = 0b10000;
  changed.enabled = false;
  changed.must_change_password = true;
  changed.created_at = t;
  VGI_ASSERT_OK(h.store().PutUser(changed));
  if (GetParam().reopen) VGI_ASSERT_OK(h.Reopen());
  VGI_ASSERT_OK_AND_ASSIGN(auto bob, h.store().GetUser("bob"));
  ASSERT_TRUE(bob.has_value());
  EXPECT_EQ(*bob, changed);
  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().GetUser("carol"));
  EXPECT_FALSE(none.has_value());
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListUsers());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].username, "alice");
  EXPECT_EQ(all[0].display_name, "调度员 alice");
  EXPECT_EQ(all[1], changed);

  UserRow bad = User("", t);
  EXPECT_TRUE(HasStatus(h.store().PutUser(bad), StatusCode::kInvalid, "user: username must not be empty"));
  bad = User("dave", t);
  bad.password_hash.clear();
  EXPECT_TRUE(HasStatus(h.store().PutUser(bad), StatusCode::kInvalid, "password_hash must not be empty"));
}

TEST_P(StoreConformance, SessionsAreTouchedEndedPerUserAndPurgedWhenIdleOrExpired) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  auto session = [&](const std::string& digest, const std::string& user, SystemTime seen, SystemTime expires) {
    return SessionRow{digest, user, "10.1.2.3", t, seen, expires};
  };
  VGI_ASSERT_OK(h.store().PutSession(session("d1", "alice", t, t + 12h)));
  VGI_ASSERT_OK(h.store().PutSession(session("d2", "alice", t, t + 12h)));
  VGI_ASSERT_OK(h.store().PutSession(session("d3", "bob", t, t + 12h)));
  VGI_ASSERT_OK(h.store().PutSession(session("d4", "carol", t, t + 1h)));
  VGI_ASSERT_OK(h.store().TouchSession("d3", t + 20min));
  EXPECT_TRUE(HasStatus(h.store().TouchSession("nope", t), StatusCode::kNotFound, "no such session"));
  VGI_ASSERT_OK_AND_ASSIGN(auto d3, h.store().GetSession("d3"));
  ASSERT_TRUE(d3.has_value());
  EXPECT_EQ(*d3, session("d3", "bob", t + 20min, t + 12h));

  VGI_ASSERT_OK_AND_ASSIGN(std::int64_t ended, h.store().DeleteUserSessions("alice"));
  EXPECT_EQ(ended, 2);
  VGI_ASSERT_OK_AND_ASSIGN(auto d1, h.store().GetSession("d1"));
  EXPECT_FALSE(d1.has_value());
  // Idle before t + 10 min: none left but d3 (seen at t + 20 min) and d4 (seen at t)... d4 is
  // idle; at t + 2 h, d4 has also expired.
  VGI_ASSERT_OK_AND_ASSIGN(std::int64_t purged, h.store().PurgeSessions(t + 10min, t + 2h));
  EXPECT_EQ(purged, 1);
  VGI_ASSERT_OK_AND_ASSIGN(d3, h.store().GetSession("d3"));
  EXPECT_TRUE(d3.has_value());
  VGI_ASSERT_OK(h.store().PutSession(session("d5", "dave", t + 3h, t + 3h)));
  VGI_ASSERT_OK_AND_ASSIGN(purged, h.store().PurgeSessions(t, t + 3h));  // d5 expired at its own start
  EXPECT_EQ(purged, 1);
  VGI_ASSERT_OK(h.store().DeleteSession("d3"));
  VGI_ASSERT_OK(h.store().DeleteSession("d3"));  // absent: no-op
  VGI_ASSERT_OK_AND_ASSIGN(d3, h.store().GetSession("d3"));
  EXPECT_FALSE(d3.has_value());
  EXPECT_TRUE(HasStatus(h.store().PutSession(session("", "x", t, t)), StatusCode::kInvalid, "token_digest"));
}

TEST_P(StoreConformance, TheAuditLogIsAHashChainTheStoreExtends) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  VGI_ASSERT_OK_AND_ASSIGN(AuditRow first, h.store().AppendAudit(Audit("login", "user:alice", t)));
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.prev_hash, kAuditGenesis);
  EXPECT_EQ(first.hash, AuditHash(first));
  EXPECT_EQ(first.hash.size(), 64u);
  VGI_ASSERT_OK_AND_ASSIGN(AuditRow second, h.store().AppendAudit(Audit("demand.create", "demand:T1", t + 1s)));
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.prev_hash, first.hash);
  if (GetParam().reopen) VGI_ASSERT_OK(h.Reopen());
  VGI_ASSERT_OK_AND_ASSIGN(AuditRow third, h.store().AppendAudit(Audit("demand.cancel", "demand:T1", t + 2s)));
  EXPECT_EQ(third.seq, 3);
  EXPECT_EQ(third.prev_hash, second.hash);

  VGI_ASSERT_OK_AND_ASSIGN(auto rows, h.store().ListAudit(0, 100));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], first);
  EXPECT_EQ(rows[1], second);
  EXPECT_EQ(rows[2].detail, "peak shaving 20 MW, area 1201, 18:00–20:00");
  EXPECT_EQ(VerifyAuditChain(rows), std::nullopt);
  VGI_ASSERT_OK_AND_ASSIGN(auto page, h.store().ListAudit(1, 1));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].seq, 2);
  EXPECT_EQ(VerifyAuditChain(page, 2, first.hash), std::nullopt);
  VGI_ASSERT_OK_AND_ASSIGN(page, h.store().ListAudit(3, 10));
  EXPECT_TRUE(page.empty());
  EXPECT_TRUE(HasStatus(h.store().AppendAudit(Audit("", "x", t)).status(), StatusCode::kInvalid,
                        "audit: operation must not be empty"));
}

TEST_P(StoreConformance, ConcurrentAuditAppendsNeverForkTheChain) {
  VGI_OPEN(h);
  VGI_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> other, h.OpenAnother());  // another process, when the backend has one
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Store& store = (i % 2 == 1 && other) ? *other : h.store();
      for (int k = 0; k < kEach; ++k) {
        std::string object = std::to_string(i);  // (not "t" + …: GCC 12's -Wrestrict false positive)
        object += '-';
        object += std::to_string(k);
        if (!store.AppendAudit(Audit("op", object, h.now())).ok()) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  VGI_ASSERT_OK_AND_ASSIGN(auto rows, h.store().ListAudit(0, 1000));
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(VerifyAuditChain(rows), std::nullopt);
}

}  // namespace
}  // namespace vgi::store
